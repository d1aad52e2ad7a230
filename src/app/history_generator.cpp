#include "app/history_generator.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <random>
#include <stdexcept>
#include <unordered_set>

#include "app/order_service.hpp"
#include "rules/loyalty.hpp"
#include "rules/prep_time.hpp"
#include "rules/pricing.hpp"
#include "rules/shop_clock.hpp"

namespace coffee::app {

namespace {

using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

/// Orders per local hour of the day: closed at night, a morning peak, a smaller one after lunch.
constexpr std::array<int, 24> kHourWeights{0, 0, 0, 0, 0,  0, 4, 14, 20, 16, 10, 9,
                                           9, 8, 8, 9, 10, 9, 6, 3,  1,  0,  0,  0};

constexpr std::array<const char*, 6> kComments{
    "Lovely and smooth.", "A bit too bitter for me.", "Perfect before work.",
    "Great value.",       "Would order again.",       "Took a while, but worth it."};

class Random {
 public:
  explicit Random(std::uint64_t seed) : rng_(seed) {}
  /// Uniform in [0, n).
  std::int64_t Below(std::int64_t n) {
    return static_cast<std::int64_t>(rng_() %
                                     static_cast<std::uint64_t>(std::max<std::int64_t>(n, 1)));
  }
  /// Uniform in [lo, hi].
  std::int64_t Between(std::int64_t lo, std::int64_t hi) { return lo + Below(hi - lo + 1); }
  /// An index drawn with the given weights.
  template <typename Weights>
  std::size_t Pick(const Weights& weights, std::int64_t total) {
    std::int64_t r = Below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.size() - 1;
  }
  domain::OrderId OrderId() {
    const std::uint64_t high = rng_();
    return domain::OrderId::FromRandom(high, rng_());
  }

 private:
  std::mt19937_64 rng_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The instant of local time `local` in `zone` (the earlier one when it is ambiguous).
domain::Instant FromLocal(date::local_seconds local, const date::time_zone* zone) {
  if (zone == nullptr) return date::sys_seconds{local.time_since_epoch()};
  return zone->to_sys(local, date::choose::earliest);
}

}  // namespace

HistoryReport GenerateHistory(Store& store, const rules::Snapshot& snapshot,
                              const date::time_zone* zone, const HistoryOptions& options,
                              const std::function<void(std::string_view)>& progress) {
  HistoryReport report;
  const auto started = std::chrono::steady_clock::now();
  std::vector<domain::Coffee> coffees;
  store.Read([&](Tx& tx) {
    CoffeeQuery all;
    all.limit = 10'000;
    coffees = tx.Coffees().List(all);
  });
  if (coffees.empty()) throw std::invalid_argument("the catalog is empty: run coffee-api seed");
  Random random(options.seed);

  // Popularity: earlier coffees of the catalog sell more; quality decides their reviews.
  std::vector<std::int64_t> popularity;
  std::vector<std::int64_t> quality;  // tenths of a star
  std::int64_t popularity_total = 0;
  for (std::size_t i = 0; i < coffees.size(); ++i) {
    popularity.push_back(static_cast<std::int64_t>(coffees.size() - i) + 3);
    popularity_total += popularity.back();
    quality.push_back(random.Between(34, 48));
  }
  std::int64_t hour_total = 0;
  for (const int w : kHourWeights) hour_total += w;

  // Customers.
  std::vector<domain::UserId> customers;
  for (std::int64_t first = 0; first < options.customers; first += options.batch) {
    std::vector<std::string> emails;
    for (std::int64_t n = first; n < std::min(options.customers, first + options.batch); ++n) {
      emails.push_back("history-" + std::to_string(options.seed) + "-" + std::to_string(n) +
                       "@example.invalid");
    }
    store.Write([&](Tx& tx) {
      // "!" is no Argon2 hash: these customers cannot log in.
      for (const auto id : tx.Analytics().InsertUsers(emails, "!")) customers.push_back(id);
      return true;
    });
  }
  report.customers = static_cast<std::int64_t>(customers.size());
  if (customers.empty() && options.orders > 0) {
    throw std::invalid_argument("at least one customer is needed");
  }

  const date::sys_days last_day =
      std::chrono::floor<date::days>(options.end) - date::days{1};  // whole days before `end`
  std::map<std::int64_t, LoyaltyAccount> accounts;
  std::int64_t written = 0;
  while (written < options.orders) {
    const std::int64_t n = std::min(options.batch, options.orders - written);
    std::vector<HistoricOrder> batch;
    batch.reserve(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
      const date::sys_days day = last_day - date::days{random.Below(options.days)};
      const auto hour = static_cast<std::int64_t>(random.Pick(kHourWeights, hour_total));
      const date::local_seconds local{date::sys_days{day}.time_since_epoch() +
                                      std::chrono::hours{hour} + seconds{random.Below(3600)}};
      const domain::Instant at =
          std::chrono::time_point_cast<microseconds>(FromLocal(local, zone)) +
          microseconds{random.Below(1'000'000)};

      OrderDecision d;
      d.at = at;
      const auto distinct = static_cast<std::size_t>(std::min<std::int64_t>(
          static_cast<std::int64_t>(coffees.size()),
          std::array<int, 3>{1, 2, 3}[random.Pick(std::array<int, 3>{60, 30, 10}, 100)]));
      std::vector<std::size_t> picked;
      while (picked.size() < distinct) {
        const std::size_t c = random.Pick(popularity, popularity_total);
        if (std::find(picked.begin(), picked.end(), c) == picked.end()) picked.push_back(c);
      }
      std::vector<rules::PricingLine> pricing_lines;
      std::vector<rules::PrepLine> prep_lines;
      std::vector<rules::LoyaltyLine> loyalty_lines;
      for (const std::size_t c : picked) {
        OrderLine line;
        line.coffee_id = coffees[c].id;
        line.coffee_name = coffees[c].name;
        line.quantity =
            std::array<int, 3>{1, 2, 3}[random.Pick(std::array<int, 3>{70, 20, 10}, 100)];
        line.price_snapshot = coffees[c].price;
        pricing_lines.push_back({line.coffee_id, line.quantity, line.price_snapshot});
        prep_lines.push_back({line.coffee_id, line.quantity});
        d.lines.push_back(std::move(line));
      }
      // Today's rules, as if in force then: validity is checked at `end`, windows at `at`.
      d.pricing = rules::PriceOrder(snapshot, pricing_lines, options.end,
                                    rules::ToShopTime(at, zone), {.list_not_applied = false});
      d.prep = rules::EstimatePrepTime(snapshot, prep_lines, random.Below(12));
      d.baristas = snapshot.prep_settings().baristas;
      for (std::size_t i = 0; i < d.lines.size(); ++i) {
        d.lines[i].subtotal = d.pricing.lines[i].subtotal;
        d.lines[i].discount = d.pricing.lines[i].discount;
        d.lines[i].final_amount = d.pricing.lines[i].final_price;
        loyalty_lines.push_back({d.lines[i].coffee_id, d.lines[i].subtotal});
      }

      HistoricOrder h;
      Order& o = h.order;
      o.id = random.OrderId();  // seeded: the same history every run
      o.user_id = customers[static_cast<std::size_t>(
          random.Below(static_cast<std::int64_t>(customers.size())))];
      o.base_price = d.pricing.base_price;
      o.discount_total = d.pricing.discount_total;
      o.total_price = d.pricing.final_price;
      o.pricing_strategy = d.pricing.strategy;
      o.pricing_combination = d.pricing.Chosen();
      for (const auto& rule : d.pricing.applied) {
        o.applied_rules.push_back({rule.rule_id, rule.description, rule.discount});
      }
      o.prep_work_minutes = static_cast<int>(d.prep.work_minutes);
      o.estimated_prep_minutes = static_cast<int>(d.prep.total_minutes);
      o.created_at = at;
      o.estimated_ready_at = at + minutes(d.prep.total_minutes);
      o.items = d.lines;

      // Mostly completed and paid; some refunded or cancelled.
      const std::int64_t fate = random.Below(1000);
      const bool completed = fate < 950;
      const bool cancelled_later = fate >= 920 && fate < 950;  // completed, then refunded
      std::int64_t late = random.Between(-240, 420);
      if (random.Below(20) == 0) late += random.Between(300, 1500);
      const domain::Instant ready =
          at + seconds{std::max<std::int64_t>(60, d.prep.total_minutes * 60 + late)};
      if (completed) {
        h.ready_at = ready;
        o.status =
            cancelled_later ? domain::OrderStatus::kCancelled : domain::OrderStatus::kCompleted;
        o.payment_status = fate < 20    ? domain::PaymentStatus::kUnpaid
                           : fate < 900 ? domain::PaymentStatus::kPaid
                                        : domain::PaymentStatus::kRefunded;
        o.loyalty_points_awarded =
            rules::LoyaltyPoints(snapshot.loyalty(), o.total_price, loyalty_lines);
        auto& account = accounts[o.user_id.value];
        account.lifetime_points += o.loyalty_points_awarded;
        if (!cancelled_later) account.points_balance += o.loyalty_points_awarded;
        o.updated_at = ready + minutes(random.Between(1, 10));
      } else {
        o.status = domain::OrderStatus::kCancelled;
        o.updated_at = at + minutes(random.Between(0, 5));
      }
      for (auto& record : OrderAuditRecords(o, d)) {
        if (record.rule_type != "pricing_rule" && record.rule_type != "pricing_summary") continue;
        record.created_at = at;
        h.audit.push_back(std::move(record));
      }
      report.lines += static_cast<std::int64_t>(o.items.size());
      report.audit_rows += static_cast<std::int64_t>(h.audit.size());
      batch.push_back(std::move(h));
    }
    store.Write([&](Tx& tx) {
      tx.Analytics().InsertOrders(batch);
      return true;
    });
    written += n;
    report.orders = written;
    if (progress) {
      progress(std::to_string(written) + " orders written (" +
               std::to_string(static_cast<std::int64_t>(SecondsSince(started))) + " s)");
    }
  }

  // Reviews: distinct (customer, coffee) pairs, spread over the same days.
  std::vector<Review> reviews;
  std::unordered_set<std::int64_t> seen;
  const auto max_reviews = std::min<std::int64_t>(
      options.reviews, static_cast<std::int64_t>(customers.size() * coffees.size()) / 2);
  while (static_cast<std::int64_t>(reviews.size()) < max_reviews) {
    const auto customer =
        static_cast<std::size_t>(random.Below(static_cast<std::int64_t>(customers.size())));
    const std::size_t c = random.Pick(popularity, popularity_total);
    if (!seen.insert(customers[customer].value * 100'000 + static_cast<std::int64_t>(c)).second) {
      continue;
    }
    Review r;
    r.user_id = customers[customer];
    r.coffee_id = coffees[c].id;
    const std::int64_t x = quality[c] * 10 + random.Between(-90, 90) + random.Between(-90, 90);
    r.rating = static_cast<int>(std::clamp<std::int64_t>((x + 50) / 100, 1, 5));
    if (random.Below(10) < 3) r.comment = kComments.at(static_cast<std::size_t>(random.Below(6)));
    if (random.Below(50) == 0) {
      r.hidden = true;
      r.hidden_reason = "Spam (generated)";
    }
    const date::sys_days day = last_day - date::days{random.Below(options.days)};
    r.created_at = std::chrono::time_point_cast<microseconds>(date::sys_days{day}) +
                   seconds{random.Below(86400)};
    r.updated_at = r.created_at;
    reviews.push_back(std::move(r));
  }
  for (std::size_t first = 0; first < reviews.size();
       first += static_cast<std::size_t>(options.batch)) {
    const std::vector<Review> part(
        reviews.begin() + static_cast<std::ptrdiff_t>(first),
        reviews.begin() + static_cast<std::ptrdiff_t>(std::min(
                              reviews.size(), first + static_cast<std::size_t>(options.batch))));
    store.Write([&](Tx& tx) {
      tx.Analytics().InsertReviews(part);
      return true;
    });
  }
  report.reviews = static_cast<std::int64_t>(reviews.size());

  std::vector<std::pair<domain::UserId, LoyaltyAccount>> rows;
  rows.reserve(accounts.size());
  for (const auto& [user, account] : accounts) rows.emplace_back(domain::UserId{user}, account);
  store.Write([&](Tx& tx) {
    tx.Analytics().SetLoyaltyAccounts(rows);
    return true;
  });
  report.insert_seconds = SecondsSince(started);
  if (progress) progress("rebuilding the analytics rollups");
  // Statistics first: the rebuild joins tables that were empty a moment ago.
  store.Write([&](Tx& tx) {
    tx.Analytics().Analyze();
    return true;
  });

  const auto rollups_started = std::chrono::steady_clock::now();
  store.Write([&](Tx& tx) {
    report.rollups = tx.Analytics().RebuildRollups();
    return true;
  });
  report.rollup_seconds = SecondsSince(rollups_started);
  const auto analyze_started = std::chrono::steady_clock::now();
  store.Write([&](Tx& tx) {
    tx.Analytics().Analyze();
    return true;
  });
  report.analyze_seconds = SecondsSince(analyze_started);
  return report;
}

}  // namespace coffee::app
