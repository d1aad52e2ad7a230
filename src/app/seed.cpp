#include "app/seed.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <sstream>

#include "app/rules_admin_service.hpp"

namespace coffee::app {

namespace {

struct CatalogEntry {
  const char* name;
  const char* type;
  std::int64_t cents;
  double rating;
  const char* image_id;
  int prep_minutes;
};

constexpr std::array<CatalogEntry, 12> kCatalog = {{
    {"Espresso", "Single Shot", 350, 4.8, "1510591509098-f4fdc6d0ff04", 2},
    {"Cappuccino", "With Chocolate", 450, 4.9, "1572442388796-11668a67e53d", 3},
    {"Latte", "With Milk", 400, 4.7, "1561882468-9110e03e0f78", 3},
    {"Americano", "Black Coffee", 300, 4.5, "1551030173-122aabc4489c", 2},
    {"Mocha", "With Chocolate", 500, 4.9, "1578314675249-a6910f80cc4e", 5},
    {"Macchiato", "Espresso Macchiato", 375, 4.6, "1485808191679-5f86510681a2", 3},
    {"Flat White", "With Steamed Milk", 425, 4.8, "1577968897966-3d4325b36b61", 4},
    {"Cortado", "Espresso with Milk", 350, 4.7, "1534778101976-62847782c213", 3},
    {"Affogato", "With Ice Cream", 550, 5.0, "1594488506255-a8bbfdeedbaf", 5},
    {"Cold Brew", "Iced Coffee", 450, 4.6, "1517701604599-bb29b565090c", 4},
    {"Iced Latte", "Cold Latte", 475, 4.8, "1461023058943-07fcbe16d735", 4},
    {"Turkish Coffee", "Traditional", 325, 4.5, "1541167760496-1628856ab772", 2},
}};

constexpr const char* kQuantityRule = "10% off orders of 3 or more items";
/// How long the default rules are valid from the moment they are seeded.
constexpr std::chrono::days kRuleValidity{365};
constexpr const char* kHappyHourRule = "Happy hour: 15% off between 14:00 and 16:00";

/// The two default rules of SPEC §8, valid for a year from `now`.
std::vector<domain::PricingRule> DefaultRules(domain::Instant now) {
  domain::PricingRule quantity;
  quantity.rule_type = domain::RuleType::kQuantityBased;
  quantity.description = kQuantityRule;
  quantity.discount_value = domain::Fixed2{1000};  // 10 %
  quantity.priority = 100;
  quantity.min_quantity = 3;

  domain::PricingRule happy_hour;
  happy_hour.rule_type = domain::RuleType::kTimeBased;
  happy_hour.description = kHappyHourRule;
  happy_hour.discount_value = domain::Fixed2{1500};  // 15 %
  happy_hour.priority = 90;
  happy_hour.time_ranges = {
      domain::TimeRange{domain::TimeOfDay{14 * 60}, domain::TimeOfDay{16 * 60}}};

  std::vector<domain::PricingRule> rules{quantity, happy_hour};
  for (auto& r : rules) {
    r.discount_type = domain::DiscountType::kPercentage;
    r.valid_from = now;
    r.valid_until = now + kRuleValidity;
  }
  return rules;
}

std::string ImageUrl(const CatalogEntry& entry) {
  return std::string("https://images.unsplash.com/photo-") + entry.image_id + "?w=400";
}

/// A PostgreSQL string literal.
std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

/// The shortest decimal that reads back as the same double (4.8, not 4.7999…).
std::string Decimal(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

/// A JSONB literal, or NULL.
std::string Jsonb(const std::optional<boost::json::value>& value) {
  return value ? Quote(boost::json::serialize(*value)) + "::jsonb" : "NULL::jsonb";
}

std::optional<boost::json::value> CoffeeIdsJson(const domain::PricingRule& rule) {
  if (!rule.coffee_ids) return std::nullopt;
  boost::json::array ids;
  for (const auto& id : *rule.coffee_ids) ids.emplace_back(id.value);
  return boost::json::value(std::move(ids));
}

boost::json::value TimeRangesJson(const domain::PricingRule& rule) {
  boost::json::array ranges;
  for (const auto& range : rule.time_ranges) {
    ranges.emplace_back(
        boost::json::object{{"start", range.start.ToString()}, {"end", range.end.ToString()}});
  }
  return ranges;
}

boost::json::value DaysOfWeekJson(const domain::PricingRule& rule) {
  boost::json::array days;
  for (int day : rule.days_of_week) days.emplace_back(day);
  return days;
}

/// The catalog names as a VALUES list, one row per coffee, with `extra` columns after the name.
template <typename Extra>
std::string CatalogValues(Extra extra) {
  std::ostringstream out;
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    out << (i == 0 ? "  (" : ",\n  (") << Quote(kCatalog[i].name) << extra(kCatalog[i]) << ')';
  }
  return out.str();
}

}  // namespace

const std::vector<DemoAccount>& DemoAccounts() {
  static const std::vector<DemoAccount> kAccounts = {
      {"test@example.com", "password", domain::Role::kUser},
      {"admin@example.com", "Admin123!", domain::Role::kAdmin},
      {"barista@example.com", "Barista123!", domain::Role::kStaff},
  };
  return kAccounts;
}

SeedReport Seed(Store& store, PasswordHasher& hasher, const Clock& clock, bool demo) {
  // Hash outside the transaction: Argon2 is slow and must not hold the writer.
  std::vector<std::string> hashes;
  if (demo) {
    for (const auto& account : DemoAccounts()) hashes.push_back(hasher.Hash(account.password));
  }
  const auto now = clock.Now();
  SeedReport report;
  store.Write([&](Tx& tx) {
    for (const auto& entry : kCatalog) {
      auto coffee = tx.Coffees().FindByName(entry.name);
      if (!coffee) {
        domain::NewCoffee c{entry.name, entry.type, domain::Money::FromCents(entry.cents),
                            entry.rating, ImageUrl(entry)};
        coffee = tx.Coffees().Create(c);
        if (!coffee) continue;
        ++report.coffees;
      }
      if (!tx.Rules().FindAvailability(coffee->id)) {
        domain::Availability a;
        a.coffee_id = coffee->id;
        tx.Rules().UpsertAvailability(a);
        ++report.availability;
      }
      if (!tx.Rules().FindPrepTime(coffee->id)) {
        domain::PrepTimeConfig p;
        p.coffee_id = coffee->id;
        p.base_minutes = entry.prep_minutes;
        p.per_additional_item = 1;
        tx.Rules().UpsertPrepTime(p);
        ++report.prep_times;
      }
    }
    const auto rules = tx.Rules().ListRules(true);
    auto exists = [&](const char* description) {
      return std::any_of(rules.begin(), rules.end(),
                         [&](const auto& r) { return r.description == description; });
    };
    for (const domain::PricingRule& rule : DefaultRules(now)) {
      if (exists(rule.description.c_str())) continue;
      tx.Rules().CreateRule(rule);
      ++report.pricing_rules;
    }
    if (report.coffees + report.availability + report.prep_times + report.pricing_rules > 0) {
      RecordRuleSetVersion(tx, std::nullopt, "seed", std::nullopt, "seed", now);
      tx.Announce(kRulesChannel, "rule_set");
    }
    if (demo) {
      for (std::size_t i = 0; i < DemoAccounts().size(); ++i) {
        const auto& account = DemoAccounts()[i];
        if (!tx.Users().FindByEmail(account.email) &&
            tx.Users().Create(account.email, hashes[i], account.role)) {
          ++report.demo_users;
        }
      }
    }
    return true;
  });
  return report;
}

std::string SeedSql() {
  std::ostringstream sql;
  sql << "-- Generated by `coffee-api seed --sql` from src/app/seed.cpp: do not edit by hand.\n"
         "-- The catalog, availability, prep times and default pricing rules of `coffee-api "
         "seed`,\n"
         "-- never demo accounts. Idempotent: coffees are matched by name and rules by "
         "description,\n"
         "-- and only missing rows are inserted, so a second run changes nothing. Needs the "
         "migrated\n"
         "-- schema (sqlx migrate run / coffee-api migrate run). PostgreSQL only; on SQLite run\n"
         "-- `coffee-api seed`.\n"
         "\\set ON_ERROR_STOP on\n"
         "BEGIN;\n\n";

  sql << "INSERT INTO coffees (name, coffee_type, price_cents, rating, image_url)\n"
         "SELECT v.name, v.coffee_type, v.price_cents, v.rating, v.image_url\n"
         "FROM (VALUES\n";
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    const auto& entry = kCatalog[i];
    sql << (i == 0 ? "  (" : ",\n  (") << i + 1 << ", " << Quote(entry.name) << ", "
        << Quote(entry.type) << ", " << entry.cents << ", " << Decimal(entry.rating)
        << "::double precision, " << Quote(ImageUrl(entry)) << ')';
  }
  sql << "\n) AS v (seq, name, coffee_type, price_cents, rating, image_url)\n"
         "WHERE NOT EXISTS (SELECT 1 FROM coffees c WHERE lower(c.name) = lower(v.name))\n"
         "ORDER BY v.seq;\n\n";

  const domain::Availability available;
  sql << "INSERT INTO coffee_availability (coffee_id, status)\n"
         "SELECT c.id, "
      << Quote(domain::ToString(available.status))
      << "\n"
         "FROM coffees c JOIN (VALUES\n"
      << CatalogValues([](const CatalogEntry&) { return ""; })
      << "\n) AS v (name) ON lower(c.name) = lower(v.name)\n"
         "WHERE NOT EXISTS (SELECT 1 FROM coffee_availability a WHERE a.coffee_id = c.id)\n"
         "ORDER BY c.id;\n\n";

  sql << "INSERT INTO prep_time_config (coffee_id, base_minutes, per_additional_item)\n"
         "SELECT c.id, v.base_minutes, v.per_additional_item\n"
         "FROM coffees c JOIN (VALUES\n"
      << CatalogValues([](const CatalogEntry& entry) {
           return ", " + std::to_string(entry.prep_minutes) + ", 1";
         })
      << "\n) AS v (name, base_minutes, per_additional_item) ON lower(c.name) = lower(v.name)\n"
         "WHERE NOT EXISTS (SELECT 1 FROM prep_time_config p WHERE p.coffee_id = c.id)\n"
         "ORDER BY c.id;\n\n";

  const auto validity_hours = std::chrono::duration_cast<std::chrono::hours>(kRuleValidity);
  sql << "-- Valid for " << kRuleValidity.count()
      << " days from the moment they are seeded, as `coffee-api seed` does.\n"
         "INSERT INTO pricing_rules (rule_type, description, discount_type,\n"
         "  discount_value_hundredths, priority, is_active, valid_from, valid_until, "
         "coffee_ids,\n"
         "  time_ranges, days_of_week, min_quantity)\n"
         "SELECT v.rule_type, v.description, v.discount_type, v.discount_value_hundredths,\n"
         "  v.priority, v.is_active, now(), now() + interval '"
      << validity_hours.count()
      << " hours', v.coffee_ids,\n"
         "  v.time_ranges, v.days_of_week, v.min_quantity\n"
         "FROM (VALUES\n";
  const auto rules = DefaultRules(domain::Instant{});
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    sql << (i == 0 ? "  (" : ",\n  (") << i + 1 << ", " << Quote(domain::ToString(rule.rule_type))
        << ", " << Quote(rule.description) << ", " << Quote(domain::ToString(rule.discount_type))
        << ", " << rule.discount_value.units << ", " << rule.priority << ", "
        << (rule.is_active ? "true" : "false") << ", " << Jsonb(CoffeeIdsJson(rule)) << ", "
        << Jsonb(TimeRangesJson(rule)) << ", " << Jsonb(DaysOfWeekJson(rule)) << ", "
        << (rule.min_quantity ? std::to_string(*rule.min_quantity) : "NULL") << "::integer)";
  }
  sql << "\n) AS v (seq, rule_type, description, discount_type, discount_value_hundredths,\n"
         "       priority, is_active, coffee_ids, time_ranges, days_of_week, min_quantity)\n"
         "WHERE NOT EXISTS (SELECT 1 FROM pricing_rules r WHERE r.description = v.description)\n"
         "ORDER BY v.seq;\n\n"
         "COMMIT;\n";
  return sql.str();
}

}  // namespace coffee::app
