#include "app/seed.hpp"

#include <algorithm>
#include <array>
#include <chrono>

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
    r.valid_until = now + std::chrono::days{365};
  }
  return rules;
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
        domain::NewCoffee c{
            entry.name, entry.type, domain::Money::FromCents(entry.cents), entry.rating,
            std::string("https://images.unsplash.com/photo-") + entry.image_id + "?w=400"};
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
    for (domain::PricingRule rule : DefaultRules(now)) {
      if (exists(rule.description.c_str())) continue;
      tx.Rules().CreateRule(rule);
      ++report.pricing_rules;
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

}  // namespace coffee::app
