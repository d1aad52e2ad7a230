// The storage contract of reviews (with the coffees' aggregates) and of the analytics rollups:
// every adapter must pass these tests unchanged. Expected values are computed by hand in the
// comments. Rows edited behind the adapter's back use SQL valid on SQLite and PostgreSQL.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::RollupLevel;
using app::Slice;
using app::Tx;
using domain::CoffeeId;
using domain::Money;
using domain::OrderStatus;
using domain::PaymentStatus;
using testing::AllBackends;
using testing::TestDatabase;

domain::Instant T(const char* rfc3339) { return domain::ParseTimestamp(rfc3339).value(); }

std::int64_t EpochSeconds(domain::Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// Whole buckets of `level` covering [from, to) exactly (both on bucket boundaries).
Slice Buckets(RollupLevel level, domain::Instant from, domain::Instant to) {
  Slice s;
  s.level = level;
  s.first = EpochSeconds(from) / app::RollupSeconds(level);
  s.last = EpochSeconds(to) / app::RollupSeconds(level);
  return s;
}

Slice Raw(domain::Instant from, domain::Instant to) {
  Slice s;
  s.from = from;
  s.to = to;
  return s;
}

domain::OrderId Uuid(int n) {
  return domain::OrderId::Parse("00000000-0000-4000-8000-00000000000" + std::to_string(n)).value();
}

class ReviewAnalyticsContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    db_ = storage::Open({test_db_->url(), 4});
    ASSERT_GT(db_->Migrate(), 0);
  }

  template <typename Fn>
  auto Write(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    if constexpr (std::is_void_v<Result>) {
      db_->Write([&](Tx& tx) {
        fn(tx);
        return true;
      });
    } else {
      std::optional<Result> out;
      db_->Write([&](Tx& tx) {
        out.emplace(fn(tx));
        return true;
      });
      return std::move(*out);
    }
  }

  template <typename Fn>
  auto Read(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    std::optional<Result> out;
    db_->Read([&](Tx& tx) { out.emplace(fn(tx)); });
    return std::move(*out);
  }

  domain::UserId AddUser(const std::string& email) {
    auto user = Write([&](Tx& tx) { return tx.Users().Create(email, "x", domain::Role::kUser); });
    EXPECT_TRUE(user.has_value());
    return user ? user->id : domain::UserId{};
  }

  domain::Coffee AddCoffee(const std::string& name, std::int64_t cents) {
    auto coffee = Write([&](Tx& tx) {
      return tx.Coffees().Create(
          {name, "Type", Money::FromCents(cents), 4.5, "https://img.example/" + name});
    });
    EXPECT_TRUE(coffee.has_value());
    return coffee.value_or(domain::Coffee{});
  }

  domain::Coffee Coffee(CoffeeId id) {
    return Read([&](Tx& tx) { return tx.Coffees().Find(id); }).value();
  }

  /// An order placed at `created_at`, lines of (coffee, quantity, discount cents), quoted
  /// `quoted` minutes, with a pricing_summary audit row and a pricing_rule row per rule.
  void Place(const domain::OrderId& id, domain::UserId user, domain::Instant created_at,
             const std::vector<std::tuple<domain::Coffee, int, std::int64_t>>& lines, int quoted,
             const std::vector<std::pair<std::int64_t, std::int64_t>>& rules = {},
             bool max_discount_capped = false) {
    app::Order o;
    o.id = id;
    o.user_id = user;
    o.pricing_strategy = domain::CombinationStrategy::kAdditive;
    o.pricing_combination = "additive";
    o.created_at = created_at;
    o.updated_at = created_at;
    o.estimated_prep_minutes = quoted;
    o.prep_work_minutes = quoted;
    o.estimated_ready_at = created_at + std::chrono::minutes(quoted);
    o.rules_version = rules_version_;
    o.promo_code = promo_code_;
    for (const auto& [coffee, quantity, discount] : lines) {
      app::OrderLine line;
      line.coffee_id = coffee.id;
      line.coffee_name = coffee.name;
      line.quantity = quantity;
      line.price_snapshot = coffee.price;
      line.subtotal = Money::FromCents(coffee.price.cents() * quantity);
      line.discount = Money::FromCents(discount);
      line.final_amount = line.subtotal - line.discount;
      o.base_price += line.subtotal;
      o.discount_total += line.discount;
      o.items.push_back(line);
    }
    o.total_price = o.base_price - o.discount_total;
    std::vector<app::AuditRecord> audit;
    for (const auto& [rule_id, cents] : rules) {
      app::AuditRecord r;
      r.order_id = id;
      r.rule_type = "pricing_rule";
      r.rule_id = rule_id;
      r.rule_data_json = R"({"description":"r","discount":")" + Money::FromCents(cents).ToString() +
                         R"(","discount_cents":)" + std::to_string(cents) + "}";
      audit.push_back(r);
    }
    app::AuditRecord summary;
    summary.order_id = id;
    summary.rule_type = "pricing_summary";
    summary.rule_data_json =
        std::string(R"({"capped":)") + (max_discount_capped ? "true" : "false") +
        R"(,"max_discount_capped":)" + (max_discount_capped ? "true" : "false") +
        (rules_version_ != 0 ? R"(,"rules_version":)" + std::to_string(rules_version_) : "") +
        (promo_code_.empty() ? "" : R"(,"promo_code":")" + promo_code_ + "\"") + "}";
    audit.push_back(summary);
    Write([&](Tx& tx) {
      tx.Orders().Insert(o);
      tx.Audit().InsertAudits(audit);
    });
  }

  /// pending → ready (ready_at then set to `ready_at` in SQL) → completed.
  void Complete(const domain::OrderId& id, std::optional<domain::Instant> ready_at) {
    ASSERT_TRUE(Write([&](Tx& tx) {
      return tx.Orders().UpdateStatus(id, OrderStatus::kPending, OrderStatus::kReady);
    }));
    if (ready_at) {
      test_db_->Exec("UPDATE orders SET ready_at = '" + domain::FormatTimestamp(*ready_at) +
                     "' WHERE id = '" + id.str() + "'");
    } else {
      test_db_->Exec("UPDATE orders SET ready_at = NULL WHERE id = '" + id.str() + "'");
    }
    ASSERT_TRUE(Write([&](Tx& tx) {
      return tx.Orders().UpdateStatus(id, OrderStatus::kReady, OrderStatus::kCompleted);
    }));
  }

  app::SalesSums Sales(const Slice& s, std::int64_t coffee = 0) {
    return Read([&](Tx& tx) { return tx.Analytics().Sales(s, coffee); });
  }

  std::map<std::int64_t, app::SalesSums> ByCoffee(const Slice& s) {
    std::map<std::int64_t, app::SalesSums> out;
    for (const auto& row : Read([&](Tx& tx) { return tx.Analytics().SalesByCoffee(s); })) {
      if (row.sums.orders != 0) out[row.coffee_id.value] = row.sums;
    }
    return out;
  }

  /// coffee → late minutes → orders (zero counts left out).
  std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> Bins(const Slice& s) {
    std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> out;
    for (const auto& b : Read([&](Tx& tx) { return tx.Analytics().PrepBins(s); })) {
      if (b.orders != 0) out[b.coffee_id][b.late_minutes] += b.orders;
    }
    return out;
  }

  /// rule → (orders, cents, capped).
  std::map<std::int64_t, std::tuple<std::int64_t, std::int64_t, std::int64_t>> Rules(
      const Slice& s) {
    std::map<std::int64_t, std::tuple<std::int64_t, std::int64_t, std::int64_t>> out;
    for (const auto& r : Read([&](Tx& tx) { return tx.Analytics().RuleDiscounts(s); })) {
      if (r.orders != 0) out[r.rule_id.value] = {r.orders, r.discount.cents(), r.capped_orders};
    }
    return out;
  }

  /// coffee → rating → reviews (zero counts left out).
  std::map<std::int64_t, std::map<int, std::int64_t>> Ratings(const Slice& s) {
    std::map<std::int64_t, std::map<int, std::int64_t>> out;
    for (const auto& c : Read([&](Tx& tx) { return tx.Analytics().Ratings(s); })) {
      if (c.reviews != 0) out[c.coffee_id][c.rating] += c.reviews;
    }
    return out;
  }

  /// The hand-computed history of three orders used by several tests (see the comments).
  void ThreeOrders() {
    user_ = AddUser("ana@example.com");
    espresso_ = AddCoffee("Espresso", 350);
    cappuccino_ = AddCoffee("Cappuccino", 450);
    // A: 2 × 3.50 − 0.70 and 1 × 4.50 − 0.45: base 11.50, discount 1.15 (rule 7, capped),
    // final 10.35; quoted 5 min, ready after 7 min 30 s → 150 s late → bin 3.
    Place(Uuid(1), user_, T("2026-03-10T08:05:00Z"), {{espresso_, 2, 70}, {cappuccino_, 1, 45}}, 5,
          {{7, 115}}, true);
    Complete(Uuid(1), T("2026-03-10T08:12:30Z"));
    // B: 1 × 3.50, no rule; quoted 3 min, ready after 2 min → 60 s early → bin −1.
    Place(Uuid(2), user_, T("2026-03-10T08:20:00Z"), {{espresso_, 1, 0}}, 3);
    Complete(Uuid(2), T("2026-03-10T08:22:00Z"));
    // C: 3 × 4.50, completed, then its payment is refunded: it never counts.
    Place(Uuid(3), user_, T("2026-03-11T10:00:00Z"), {{cappuccino_, 3, 0}}, 4);
    Complete(Uuid(3), T("2026-03-11T10:04:00Z"));
    ASSERT_TRUE(Write([](Tx& tx) {
      return tx.Orders().UpdatePayment(Uuid(3), PaymentStatus::kUnpaid, PaymentStatus::kPaid);
    }));
    ASSERT_TRUE(Write([](Tx& tx) {
      return tx.Orders().UpdatePayment(Uuid(3), PaymentStatus::kPaid, PaymentStatus::kRefunded);
    }));
  }

  /// The sums of ThreeOrders in `s`, from any rollup level or raw rows.
  void ExpectThreeOrders(const Slice& s) {
    const auto whole = Sales(s);
    EXPECT_EQ(whole.orders, 2);
    EXPECT_EQ(whole.quantity, 4);
    EXPECT_EQ(whole.gross.cents(), 1500);    // 11.50 + 3.50
    EXPECT_EQ(whole.discount.cents(), 115);  // 1.15
    EXPECT_EQ(whole.net.cents(), 1385);      // 10.35 + 3.50
    EXPECT_EQ(whole.timed_orders, 2);
    EXPECT_EQ(whole.quoted_minutes, 8);    // 5 + 3
    EXPECT_EQ(whole.actual_seconds, 570);  // 450 + 120
    const auto by_coffee = ByCoffee(s);
    ASSERT_EQ(by_coffee.size(), 2U);
    const auto& e = by_coffee.at(espresso_.id.value);
    EXPECT_EQ(e.orders, 2);
    EXPECT_EQ(e.quantity, 3);
    EXPECT_EQ(e.gross.cents(), 1050);
    EXPECT_EQ(e.discount.cents(), 70);
    EXPECT_EQ(e.net.cents(), 980);
    const auto& c = by_coffee.at(cappuccino_.id.value);
    EXPECT_EQ(c.orders, 1);
    EXPECT_EQ(c.quantity, 1);
    EXPECT_EQ(c.net.cents(), 405);
    const auto espresso_only = Sales(s, espresso_.id.value);
    EXPECT_EQ(espresso_only.orders, 2);
    EXPECT_EQ(espresso_only.net.cents(), 980);
    const auto rules = Rules(s);
    ASSERT_EQ(rules.size(), 1U);
    EXPECT_EQ(rules.at(7), std::make_tuple(1, 115, 1));
    const auto bins = Bins(s);
    EXPECT_EQ(bins.at(0), (std::map<std::int64_t, std::int64_t>{{-1, 1}, {3, 1}}));
    EXPECT_EQ(bins.at(espresso_.id.value), (std::map<std::int64_t, std::int64_t>{{-1, 1}, {3, 1}}));
    EXPECT_EQ(bins.at(cappuccino_.id.value), (std::map<std::int64_t, std::int64_t>{{3, 1}}));
  }

  /// The version Place records on its orders and in their pricing_summary audit row (0: none).
  std::int64_t rules_version_ = 0;
  /// The promo code Place records on its orders and in their pricing_summary row ("": none).
  std::string promo_code_;
  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;
  domain::UserId user_;
  domain::Coffee espresso_;
  domain::Coffee cappuccino_;
};

TEST_P(ReviewAnalyticsContract, OneReviewPerUserAndCoffee) {
  const auto ana = AddUser("ana@example.com");
  const auto latte = AddCoffee("Latte", 400);
  const auto first =
      Write([&](Tx& tx) { return tx.Reviews().Insert(ana, latte.id, 4, std::string("Nice")); });
  ASSERT_EQ(first.result, app::WriteResult::kOk);
  ASSERT_TRUE(first.review.has_value());
  EXPECT_EQ(first.review->rating, 4);
  EXPECT_EQ(first.review->comment, "Nice");
  EXPECT_FALSE(first.review->hidden);
  EXPECT_FALSE(first.review->verified_purchase);
  const auto again = Write([&](Tx& tx) { return tx.Reviews().Insert(ana, latte.id, 2, {}); });
  EXPECT_EQ(again.result, app::WriteResult::kConflict);
  const auto unknown =
      Write([&](Tx& tx) { return tx.Reviews().Insert(ana, CoffeeId{9999}, 2, {}); });
  EXPECT_EQ(unknown.result, app::WriteResult::kNotFound);
  // The refused inserts changed nothing: one review, aggregate 4 / 1.
  EXPECT_EQ(Coffee(latte.id).review_count, 1);
  EXPECT_EQ(Coffee(latte.id).rating_sum, 4);
}

TEST_P(ReviewAnalyticsContract, AggregateFollowsEveryChangeOfVisibleReviews) {
  const auto latte = AddCoffee("Latte", 400);
  std::vector<std::int64_t> ids;
  for (const auto& [email, rating] :
       std::vector<std::pair<std::string, int>>{{"a@x.io", 5}, {"b@x.io", 4}, {"c@x.io", 4}}) {
    const auto user = AddUser(email);
    ids.push_back(
        Write([&](Tx& tx) { return tx.Reviews().Insert(user, latte.id, rating, {}); }).review->id);
  }
  // 5 + 4 + 4 = 13 over 3: average 4.33.
  EXPECT_EQ(Coffee(latte.id).rating_sum, 13);
  EXPECT_EQ(Coffee(latte.id).review_count, 3);
  EXPECT_EQ(Coffee(latte.id).AverageRatingHundredths(), 433);
  // Rating 4 → 1: 10 / 3 = 3.33.
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().Update(ids[1], 1, std::string("meh")); }));
  EXPECT_EQ(Coffee(latte.id).AverageRatingHundredths(), 333);
  // Hidden: 9 / 2 = 4.50; the edit of a hidden review does not count.
  EXPECT_TRUE(
      Write([&](Tx& tx) { return tx.Reviews().SetHidden(ids[0], true, std::string("spam")); }));
  EXPECT_EQ(Coffee(latte.id).rating_sum, 5);
  EXPECT_EQ(Coffee(latte.id).review_count, 2);
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().Update(ids[0], 1, {}); }));
  EXPECT_EQ(Coffee(latte.id).rating_sum, 5);
  // Shown again with its new rating 1: 6 / 3 = 2.00.
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().SetHidden(ids[0], false, {}); }));
  EXPECT_EQ(Coffee(latte.id).AverageRatingHundredths(), 200);
  // Deleting a visible review and a hidden one.
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().Delete(ids[2]); }));
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().SetHidden(ids[1], true, {}); }));
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().Delete(ids[1]); }));
  EXPECT_EQ(Coffee(latte.id).rating_sum, 1);
  EXPECT_EQ(Coffee(latte.id).review_count, 1);
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Reviews().Delete(ids[0]); }));
  EXPECT_EQ(Coffee(latte.id).review_count, 0);
  EXPECT_FALSE(Coffee(latte.id).AverageRatingHundredths().has_value());
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.Reviews().Delete(ids[0]); }));
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.Reviews().Update(ids[0], 3, {}); }));
}

TEST_P(ReviewAnalyticsContract, ConcurrentReviewsLoseNoIncrementAndDuplicatesHaveOneWinner) {
  const auto latte = AddCoffee("Latte", 400);
  constexpr int kUsers = 12;
  std::vector<domain::UserId> users;
  for (int i = 0; i < kUsers; ++i) users.push_back(AddUser("u" + std::to_string(i) + "@x.io"));
  std::atomic<int> ready{0};
  std::atomic<int> ok{0};
  std::atomic<int> conflicts{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  // Each user sends their review twice at once: 24 inserts, 12 win, 12 are conflicts.
  for (int i = 0; i < 2 * kUsers; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < 2 * kUsers) std::this_thread::yield();
      try {
        db_->Write([&](Tx& tx) {
          const auto r = tx.Reviews().Insert(users[static_cast<std::size_t>(i % kUsers)], latte.id,
                                             1 + i % 5, {});
          (r.result == app::WriteResult::kOk ? ok : conflicts).fetch_add(1);
          return r.result == app::WriteResult::kOk;
        });
      } catch (const std::exception&) {
        errors.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(ok.load(), kUsers);
  EXPECT_EQ(conflicts.load(), kUsers);
  EXPECT_EQ(Coffee(latte.id).review_count, kUsers);
  // Whichever copy won, the winners' ratings are what the table holds.
  EXPECT_EQ(std::to_string(Coffee(latte.id).rating_sum),
            test_db_->QueryValue("SELECT sum(rating) FROM reviews"));
}

TEST_P(ReviewAnalyticsContract, VerifiedPurchaseFollowsTheAuthorsCompletedOrders) {
  ThreeOrders();
  const auto other = AddUser("bo@example.com");
  const auto id =
      Write([&](Tx& tx) { return tx.Reviews().Insert(user_, espresso_.id, 5, {}); }).review->id;
  const auto other_id =
      Write([&](Tx& tx) { return tx.Reviews().Insert(other, espresso_.id, 5, {}); }).review->id;
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Reviews().Find(id); })->verified_purchase);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Reviews().Find(other_id); })->verified_purchase);
  // Both of ana's espresso orders refunded by cancellation: no completed order with it left.
  for (int n : {1, 2}) {
    ASSERT_TRUE(Write([&](Tx& tx) {
      return tx.Orders().UpdateStatus(Uuid(n), OrderStatus::kCompleted, OrderStatus::kCancelled);
    }));
  }
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Reviews().Find(id); })->verified_purchase);
}

TEST_P(ReviewAnalyticsContract, VisibleReviewsAreListedNewestFirstAndCounted) {
  const auto latte = AddCoffee("Latte", 400);
  const auto mocha = AddCoffee("Mocha", 500);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    const auto user = AddUser("r" + std::to_string(i) + "@x.io");
    ids.push_back(
        Write([&](Tx& tx) { return tx.Reviews().Insert(user, latte.id, 3, {}); }).review->id);
    test_db_->Exec("UPDATE reviews SET created_at = '2026-01-0" + std::to_string(i + 1) +
                   "T10:00:00.000000Z' WHERE id = " + std::to_string(ids.back()));
  }
  const auto mocha_fan = AddUser("m@x.io");
  Write([&](Tx& tx) { tx.Reviews().Insert(mocha_fan, mocha.id, 5, {}); });
  Write([&](Tx& tx) { tx.Reviews().SetHidden(ids[2], true, std::string("off-topic")); });
  const auto page = Read([&](Tx& tx) { return tx.Reviews().ListVisible(latte.id, 0, 2, false); });
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0].id, ids[3]);  // Jan 4, then Jan 2 (Jan 3 is hidden)
  EXPECT_EQ(page[1].id, ids[1]);
  const auto rest = Read([&](Tx& tx) { return tx.Reviews().ListVisible(latte.id, 2, 10, false); });
  ASSERT_EQ(rest.size(), 1U);
  EXPECT_EQ(rest[0].id, ids[0]);
  // Oldest first is the exact reverse (ReviewService reads a page near the end that way).
  const auto oldest = Read([&](Tx& tx) { return tx.Reviews().ListVisible(latte.id, 1, 10, true); });
  ASSERT_EQ(oldest.size(), 2U);
  EXPECT_EQ(oldest[0].id, ids[1]);
  EXPECT_EQ(oldest[1].id, ids[3]);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Reviews().CountVisible(latte.id); }), 3);
  const auto hidden = Read([&](Tx& tx) { return tx.Reviews().Find(ids[2]); });
  EXPECT_TRUE(hidden->hidden);
  EXPECT_EQ(hidden->hidden_reason, "off-topic");
}

TEST_P(ReviewAnalyticsContract, CountedOrdersAreInEveryRollupLevel) {
  ThreeOrders();
  // Whole days, whole 16-day blocks, and the quarter hours and hours around the orders.
  ExpectThreeOrders(
      Buckets(RollupLevel::kQuarterHour, T("2026-03-10T08:00:00Z"), T("2026-03-11T12:00:00Z")));
  ExpectThreeOrders(
      Buckets(RollupLevel::kHour, T("2026-03-10T00:00:00Z"), T("2026-03-12T00:00:00Z")));
  ExpectThreeOrders(
      Buckets(RollupLevel::kDay, T("2026-03-09T00:00:00Z"), T("2026-03-13T00:00:00Z")));
  // Blocks of 16 days since the epoch: 2026-03-10 is day 20522, in block 1282 (day 20512 on).
  Slice block;
  block.level = RollupLevel::kBlock;
  block.first = 1282;
  block.last = 1283;
  ExpectThreeOrders(block);
  ExpectThreeOrders(Raw(T("2026-03-10T08:05:00Z"), T("2026-03-11T10:00:00.000001Z")));
}

TEST_P(ReviewAnalyticsContract, RangesCutOrdersByTheInstantTheyWerePlaced) {
  ThreeOrders();
  // [08:05, 08:20): A only; the raw edge and the quarter-hour buckets agree.
  const auto a_raw = Sales(Raw(T("2026-03-10T08:05:00Z"), T("2026-03-10T08:20:00Z")));
  EXPECT_EQ(a_raw.orders, 1);
  EXPECT_EQ(a_raw.net.cents(), 1035);
  const auto a_quarter = Sales(
      Buckets(RollupLevel::kQuarterHour, T("2026-03-10T08:00:00Z"), T("2026-03-10T08:15:00Z")));
  EXPECT_EQ(a_quarter.net.cents(), 1035);
  // An exclusive end at B's instant leaves B out; one microsecond later takes it in.
  EXPECT_EQ(Sales(Raw(T("2026-03-10T08:06:00Z"), T("2026-03-10T08:20:00Z"))).orders, 0);
  EXPECT_EQ(Sales(Raw(T("2026-03-10T08:06:00Z"), T("2026-03-10T08:20:00.000001Z"))).orders, 1);
}

TEST_P(ReviewAnalyticsContract, RecordedOrdersArePagedWithTheirLinesAndRuleSetVersion) {
  rules_version_ = 4;
  ThreeOrders();
  rules_version_ = 0;
  // At B's instant with a greater id, completed, no version recorded; then one still pending.
  Place(Uuid(5), user_, T("2026-03-10T08:20:00Z"), {{espresso_, 1, 0}}, 3);
  Complete(Uuid(5), std::nullopt);
  Place(Uuid(6), user_, T("2026-03-10T09:00:00Z"), {{espresso_, 1, 0}}, 3);
  const auto page = [&](domain::Instant from, domain::Instant to,
                        std::optional<domain::Instant> after_time,
                        std::optional<domain::OrderId> after_id, std::int64_t limit) {
    app::RecordedOrderPage p{from, to, after_time, after_id, limit};
    return Read([&](Tx& tx) { return tx.Analytics().RecordedOrders(p); });
  };
  const domain::Instant from = T("2026-03-01T00:00:00Z");
  const domain::Instant to = T("2026-04-01T00:00:00Z");
  // C (refunded) and the pending order do not count.
  const auto all = page(from, to, std::nullopt, std::nullopt, 10);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].id, Uuid(1));
  EXPECT_EQ(all[0].created_at, T("2026-03-10T08:05:00Z"));
  EXPECT_EQ(all[0].total.cents(), 1035);
  EXPECT_EQ(all[0].rules_version, 4);
  ASSERT_EQ(all[0].lines.size(), 2U);
  EXPECT_EQ(all[0].lines[0].coffee_id, espresso_.id);
  EXPECT_EQ(all[0].lines[0].quantity, 2);
  EXPECT_EQ(all[0].lines[0].unit_price.cents(), 350);
  EXPECT_EQ(all[0].lines[1].coffee_id, cappuccino_.id);
  EXPECT_EQ(all[0].lines[1].quantity, 1);
  EXPECT_EQ(all[0].lines[1].unit_price.cents(), 450);
  EXPECT_EQ(all[1].id, Uuid(2));
  EXPECT_EQ(all[1].total.cents(), 350);
  EXPECT_EQ(all[1].rules_version, 4);
  EXPECT_EQ(all[2].id, Uuid(5));
  EXPECT_EQ(all[2].rules_version, 0);
  ASSERT_EQ(all[2].lines.size(), 1U);
  // Pages of one from each cursor walk the same orders, ties at one instant by id.
  std::optional<domain::Instant> at;
  std::optional<domain::OrderId> id;
  for (const auto& expected : all) {
    const auto one = page(from, to, at, id, 1);
    ASSERT_EQ(one.size(), 1U);
    EXPECT_EQ(one[0].id, expected.id);
    at = one[0].created_at;
    id = one[0].id;
  }
  EXPECT_TRUE(page(from, to, at, id, 1).empty());
  // [from, to) is by the instant placed: B's instant as the end leaves B and order 5 out.
  const auto a_only =
      page(T("2026-03-10T08:05:00Z"), T("2026-03-10T08:20:00Z"), std::nullopt, std::nullopt, 10);
  ASSERT_EQ(a_only.size(), 1U);
  EXPECT_EQ(a_only[0].id, Uuid(1));
}

// Migration 0009 copies the version and the promo code of orders placed before it from their
// audit row. Its UPDATE is run as shipped over orders whose columns were emptied.
TEST_P(ReviewAnalyticsContract, Migration0009CopiesWhatPricedEachOrderFromItsAuditRow) {
  rules_version_ = 4;
  ThreeOrders();
  rules_version_ = 0;
  promo_code_ = "summer-25";
  Place(Uuid(5), user_, T("2026-03-10T08:30:00Z"), {{espresso_, 1, 0}}, 3);
  Complete(Uuid(5), std::nullopt);
  promo_code_.clear();
  const auto versions = [&] {
    app::RecordedOrderPage p{T("2026-03-01T00:00:00Z"), T("2026-04-01T00:00:00Z"), std::nullopt,
                             std::nullopt, 10};
    std::vector<std::string> out;
    for (const auto& order : Read([&](Tx& tx) { return tx.Analytics().RecordedOrders(p); })) {
      out.push_back(std::to_string(order.rules_version) + "/" + order.promo_code);
    }
    return out;
  };
  ASSERT_EQ(versions(), (std::vector<std::string>{"4/", "4/", "0/summer-25"}));
  test_db_->Exec("UPDATE orders SET rules_version = NULL, promo_code = NULL");
  EXPECT_EQ(versions(), (std::vector<std::string>{"0/", "0/", "0/"}));
  std::string backfill;
  for (const auto& m : storage::EmbeddedMigrations(db_->Backend())) {
    const auto at = m.sql.find("UPDATE orders");
    if (m.version == 9 && at != std::string_view::npos) backfill = std::string(m.sql.substr(at));
  }
  ASSERT_EQ(backfill.rfind("UPDATE orders", 0), 0U) << "migration 0009 has no UPDATE orders";
  test_db_->Exec(backfill);
  EXPECT_EQ(versions(), (std::vector<std::string>{"4/", "4/", "0/summer-25"}));
}

TEST_P(ReviewAnalyticsContract, RefundsAndCancellationsLeaveTheRollups) {
  ThreeOrders();
  const Slice days =
      Buckets(RollupLevel::kDay, T("2026-03-09T00:00:00Z"), T("2026-03-13T00:00:00Z"));
  // A refunded by cancelling the completed order: B alone is left (3.50, no rule).
  ASSERT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(Uuid(1), OrderStatus::kCompleted, OrderStatus::kCancelled);
  }));
  const auto left = Sales(days);
  EXPECT_EQ(left.orders, 1);
  EXPECT_EQ(left.net.cents(), 350);
  EXPECT_EQ(left.discount.cents(), 0);
  EXPECT_TRUE(Rules(days).empty());
  EXPECT_EQ(Bins(days).at(0), (std::map<std::int64_t, std::int64_t>{{-1, 1}}));
  // B's payment refunded: nothing counts.
  ASSERT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdatePayment(Uuid(2), PaymentStatus::kUnpaid, PaymentStatus::kRefunded);
  }));
  EXPECT_EQ(Sales(days).orders, 0);
  EXPECT_EQ(Sales(days).net.cents(), 0);
  EXPECT_TRUE(ByCoffee(days).empty());
  EXPECT_TRUE(Bins(days).empty());
}

TEST_P(ReviewAnalyticsContract, OrdersNotYetCompletedDoNotCount) {
  user_ = AddUser("ana@example.com");
  espresso_ = AddCoffee("Espresso", 350);
  Place(Uuid(4), user_, T("2026-03-10T09:00:00Z"), {{espresso_, 1, 0}}, 3);
  ASSERT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(Uuid(4), OrderStatus::kPending, OrderStatus::kReady);
  }));
  const Slice day =
      Buckets(RollupLevel::kDay, T("2026-03-10T00:00:00Z"), T("2026-03-11T00:00:00Z"));
  EXPECT_EQ(Sales(day).orders, 0);
  EXPECT_EQ(Sales(Raw(T("2026-03-10T00:00:00Z"), T("2026-03-11T00:00:00Z"))).orders, 0);
  // ready_at was stamped by the transition.
  EXPECT_NE(test_db_->QueryValue("SELECT ready_at FROM orders WHERE id = '" + Uuid(4).str() + "'"),
            "");
}

TEST_P(ReviewAnalyticsContract, RebuildRecomputesTheSameRollupsFromRawRows) {
  ThreeOrders();
  // A fourth order completed without a ready_at (no prep statistics for it).
  Place(Uuid(5), user_, T("2026-03-12T23:59:59Z"), {{cappuccino_, 2, 90}}, 4, {{8, 90}});
  Complete(Uuid(5), std::nullopt);
  const auto reviewer = AddUser("rita@example.com");
  Write([&](Tx& tx) { tx.Reviews().Insert(reviewer, espresso_.id, 4, {}); });
  const Slice blocks = {RollupLevel::kBlock, 0, 100'000, {}, {}};
  const auto before = std::make_tuple(Sales(blocks), ByCoffee(blocks), Rules(blocks), Bins(blocks),
                                      Ratings(blocks));
  // Rollups emptied behind the adapter's back, then rebuilt.
  test_db_->Exec("DELETE FROM sales_rollup");
  test_db_->Exec("DELETE FROM prep_rollup");
  EXPECT_EQ(Sales(blocks).orders, 0);
  const auto counts = Write([](Tx& tx) { return tx.Analytics().RebuildRollups(); });
  EXPECT_GT(counts.sales, 0);
  EXPECT_GT(counts.rules, 0);
  EXPECT_GT(counts.prep, 0);
  EXPECT_GT(counts.reviews, 0);
  const auto after = std::make_tuple(Sales(blocks), ByCoffee(blocks), Rules(blocks), Bins(blocks),
                                     Ratings(blocks));
  EXPECT_EQ(std::get<0>(after).orders, 3);
  EXPECT_EQ(std::get<0>(after).net.cents(), 1385 + 810);
  EXPECT_EQ(std::get<0>(after).timed_orders, 2);
  EXPECT_EQ(std::get<0>(before).net, std::get<0>(after).net);
  EXPECT_EQ(std::get<0>(before).actual_seconds, std::get<0>(after).actual_seconds);
  EXPECT_EQ(std::get<1>(before).size(), std::get<1>(after).size());
  EXPECT_EQ(std::get<2>(before), std::get<2>(after));
  EXPECT_EQ(std::get<3>(before), std::get<3>(after));
  EXPECT_EQ(std::get<4>(before), std::get<4>(after));
  EXPECT_EQ(std::get<2>(after).at(8), std::make_tuple(1, 90, 0));
  EXPECT_EQ(std::get<4>(after).at(0), (std::map<int, std::int64_t>{{4, 1}}));
  // The hour level is rebuilt too, and every level agrees on the total.
  for (const auto level : {RollupLevel::kQuarterHour, RollupLevel::kHour, RollupLevel::kDay}) {
    const Slice all = {level, 0, std::int64_t{1} << 40, {}, {}};
    EXPECT_EQ(Sales(all).net.cents(), 1385 + 810) << static_cast<int>(level);
  }
}

TEST_P(ReviewAnalyticsContract, GroupedSalesAreKeyedByLocalUnit) {
  ThreeOrders();
  // Quarter hours of 2026-03-10, offset +05:30 (India): A at 13:35 and B at 13:50 local, both
  // in local hour 13 and local day 20522 (2026-03-10).
  app::GroupedQuery q;
  q.level = RollupLevel::kQuarterHour;
  q.first = EpochSeconds(T("2026-03-10T00:00:00Z")) / 900;
  q.last = EpochSeconds(T("2026-03-11T00:00:00Z")) / 900;
  q.offset_seconds = 5 * 3600 + 1800;
  q.unit_seconds = 3600;
  q.modulo = 24;
  auto rows = Read([&](Tx& tx) { return tx.Analytics().SalesGrouped(q); });
  std::map<std::int64_t, std::int64_t> net;
  for (const auto& r : rows) {
    if (r.sums.orders != 0) net[r.key] = r.sums.net.cents();
  }
  EXPECT_EQ(net, (std::map<std::int64_t, std::int64_t>{{13, 1385}}));
  q.unit_seconds = 86400;
  q.modulo = std::int64_t{1} << 62;
  q.coffee_id = espresso_.id.value;
  rows = Read([&](Tx& tx) { return tx.Analytics().SalesGrouped(q); });
  net.clear();
  for (const auto& r : rows) {
    if (r.sums.orders != 0) net[r.key] = r.sums.net.cents();
  }
  EXPECT_EQ(net, (std::map<std::int64_t, std::int64_t>{{20522, 980}}));
}

TEST_P(ReviewAnalyticsContract, ReviewRollupsFollowVisibleReviews) {
  const auto latte = AddCoffee("Latte", 400);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    const auto user = AddUser("v" + std::to_string(i) + "@x.io");
    ids.push_back(
        Write([&](Tx& tx) { return tx.Reviews().Insert(user, latte.id, 3 + i, {}); }).review->id);
  }
  const Slice all = {RollupLevel::kDay, 0, 1'000'000, {}, {}};
  EXPECT_EQ(Ratings(all).at(0), (std::map<int, std::int64_t>{{3, 1}, {4, 1}, {5, 1}}));
  Write([&](Tx& tx) { tx.Reviews().SetHidden(ids[2], true, std::string("spam")); });
  Write([&](Tx& tx) { tx.Reviews().Update(ids[0], 4, {}); });
  EXPECT_EQ(Ratings(all).at(0), (std::map<int, std::int64_t>{{4, 2}}));
  EXPECT_EQ(Ratings(all).at(latte.id.value), (std::map<int, std::int64_t>{{4, 2}}));
  // Raw reads of the same reviews agree.
  const auto raw = Ratings(Raw(T("2000-01-01T00:00:00Z"), T("2100-01-01T00:00:00Z")));
  EXPECT_EQ(raw.at(0), (std::map<int, std::int64_t>{{4, 2}}));
}

TEST_P(ReviewAnalyticsContract, LoyaltyTotalsCountCustomersHoldingPoints) {
  const auto a = AddUser("a@x.io");
  const auto b = AddUser("b@x.io");
  AddUser("c@x.io");
  Write([&](Tx& tx) { tx.Analytics().SetLoyaltyAccounts({{a, {12, 40}}, {b, {0, 7}}}); });
  const auto t = Read([](Tx& tx) { return tx.Analytics().Loyalty(); });
  EXPECT_EQ(t.customers, 1);
  EXPECT_EQ(t.points_balance, 12);
  EXPECT_EQ(t.lifetime_points, 47);
}

TEST_P(ReviewAnalyticsContract, BulkHistoryIsStoredAsGivenAndCountsAfterARebuild) {
  const auto latte = AddCoffee("Latte", 400);
  const auto ids = Write([](Tx& tx) {
    return tx.Analytics().InsertUsers({"h1@x.invalid", "h2@x.invalid"}, "!");
  });
  ASSERT_EQ(ids.size(), 2U);
  EXPECT_LT(ids[0], ids[1]);
  std::vector<app::HistoricOrder> orders(2);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    auto& o = orders[i].order;
    o.id = Uuid(static_cast<int>(6 + i));
    o.user_id = ids[i];
    o.status = i == 0 ? OrderStatus::kCompleted : OrderStatus::kCancelled;
    o.payment_status = PaymentStatus::kPaid;
    o.pricing_strategy = domain::CombinationStrategy::kBestPrice;
    o.pricing_combination = "none";
    o.created_at = T("2026-02-01T12:00:00Z");
    o.updated_at = o.created_at;
    o.estimated_ready_at = o.created_at;
    o.estimated_prep_minutes = 2;
    app::OrderLine line;
    line.coffee_id = latte.id;
    line.coffee_name = "Latte";
    line.quantity = 2;
    line.price_snapshot = latte.price;
    line.subtotal = Money::FromCents(800);
    line.final_amount = Money::FromCents(800);
    o.items = {line};
    o.base_price = o.total_price = Money::FromCents(800);
    orders[i].ready_at = T("2026-02-01T12:03:00Z");
  }
  Write([&](Tx& tx) { tx.Analytics().InsertOrders(orders); });
  const auto found = Read([](Tx& tx) { return tx.Orders().Find(Uuid(6)); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, OrderStatus::kCompleted);
  EXPECT_EQ(found->items.size(), 1U);
  const Slice day =
      Buckets(RollupLevel::kDay, T("2026-02-01T00:00:00Z"), T("2026-02-02T00:00:00Z"));
  EXPECT_EQ(Sales(day).orders, 0);  // inserting does not touch the rollups
  Write([](Tx& tx) { tx.Analytics().RebuildRollups(); });
  // One completed order: 8.00, 2 min quoted, 3 min actual → 60 s late → bin 1.
  EXPECT_EQ(Sales(day).orders, 1);
  EXPECT_EQ(Sales(day).net.cents(), 800);
  EXPECT_EQ(Sales(day).actual_seconds, 180);
  EXPECT_EQ(Bins(day).at(0), (std::map<std::int64_t, std::int64_t>{{1, 1}}));

  app::Review review;
  review.user_id = ids[0];
  review.coffee_id = latte.id;
  review.rating = 2;
  review.created_at = review.updated_at = T("2026-02-03T08:00:00Z");
  Write([&](Tx& tx) { tx.Analytics().InsertReviews({review}); });
  EXPECT_EQ(Coffee(latte.id).review_count, 1);
  EXPECT_EQ(
      Ratings(Buckets(RollupLevel::kDay, T("2026-02-03T00:00:00Z"), T("2026-02-04T00:00:00Z")))
          .at(latte.id.value),
      (std::map<int, std::int64_t>{{2, 1}}));
}

INSTANTIATE_TEST_SUITE_P(Contract, ReviewAnalyticsContract, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace coffee
