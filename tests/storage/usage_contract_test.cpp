// The usage counters of limited rules (issue 14 item 4), on every backend: a claim never takes
// a counter past its limit, even from concurrent transactions; a release gives back exactly the
// uses an order holds, once; promo codes and limits round-trip on the rule.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/database.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::ClaimResult;
using app::Tx;
using testing::AllBackends;
using testing::TestDatabase;

const domain::OrderId kOrder =
    domain::OrderId::Parse("6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f").value();

domain::PricingRule LimitedRule(std::optional<std::int64_t> max_uses,
                                std::optional<std::int64_t> max_per_customer) {
  domain::PricingRule r;
  r.rule_type = domain::RuleType::kPromotional;
  r.description = "Launch week";
  r.discount_type = domain::DiscountType::kPercentage;
  r.discount_value = domain::Fixed2{1000};
  r.valid_from = domain::Instant{std::chrono::microseconds{1'767'225'600'000'000}};
  r.max_uses = max_uses;
  r.max_uses_per_customer = max_per_customer;
  return r;
}

class UsageContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    db_ = storage::Open({test_db_->url(), 4});
    ASSERT_GT(db_->Migrate(), 0);
    alice_ = AddUser("alice@example.com");
    bob_ = AddUser("bob@example.com");
  }

  template <typename Fn>
  auto Write(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    std::optional<Result> out;
    db_->Write([&](Tx& tx) {
      out.emplace(fn(tx));
      return true;
    });
    return std::move(*out);
  }

  domain::UserId AddUser(const std::string& email) {
    auto user =
        Write([&](Tx& tx) { return tx.Users().Create(email, "hash", domain::Role::kUser); });
    EXPECT_TRUE(user.has_value());
    return user ? user->id : domain::UserId{};
  }

  domain::RuleId AddRule(std::optional<std::int64_t> max_uses,
                         std::optional<std::int64_t> max_per_customer) {
    return Write([&](Tx& tx) {
             return tx.Rules().CreateRule(LimitedRule(max_uses, max_per_customer));
           })
        .id;
  }

  ClaimResult Claim(domain::RuleId rule, domain::UserId customer) {
    return Write([&](Tx& tx) {
      const auto stored = tx.Rules().FindRule(rule);
      return tx.Usage().Claim(rule, customer, stored->max_uses, stored->max_uses_per_customer);
    });
  }

  app::RuleUsage Usage(domain::RuleId rule, std::optional<domain::UserId> customer) {
    std::vector<app::RuleUsage> usage;
    db_->Read([&](Tx& tx) { usage = tx.Usage().Usage({rule}, customer); });
    EXPECT_EQ(usage.size(), 1U);
    return usage.empty() ? app::RuleUsage{} : usage.front();
  }

  /// An order of `customer` (order_rule_uses refers to it).
  void InsertOrder(domain::UserId customer) {
    const auto coffee = Write([](Tx& tx) {
      return tx.Coffees().Create({"Latte", "Milk", domain::Money::FromCents(350), 4.5, "x"});
    });
    ASSERT_TRUE(coffee.has_value());
    app::Order o;
    o.id = kOrder;
    o.user_id = customer;
    o.pricing_combination = "none";
    app::OrderLine line;
    line.coffee_id = coffee->id;
    line.coffee_name = coffee->name;
    line.quantity = 1;
    line.price_snapshot = line.subtotal = line.final_amount = domain::Money::FromCents(350);
    o.items.push_back(line);
    o.base_price = o.total_price = line.subtotal;
    Write([&](Tx& tx) { return tx.Orders().Insert(o); });
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;
  domain::UserId alice_;
  domain::UserId bob_;
};

TEST_P(UsageContract, ClaimsCountUpToMaxUsesAndNoFurther) {
  const auto rule = AddRule(3, std::nullopt);
  EXPECT_EQ(Usage(rule, std::nullopt).uses, 0);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Claim(rule, i % 2 == 0 ? alice_ : bob_), ClaimResult::kClaimed);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kUsageLimitReached);
  EXPECT_EQ(Claim(rule, bob_), ClaimResult::kUsageLimitReached);
  EXPECT_EQ(Usage(rule, alice_).uses, 3);
  EXPECT_EQ(Usage(rule, alice_).customer_uses, 2);
  EXPECT_EQ(Usage(rule, bob_).customer_uses, 1);
}

TEST_P(UsageContract, CustomerLimitIsPerCustomerAndARefusedClaimLeavesTheTotalAlone) {
  const auto rule = AddRule(std::nullopt, 2);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kClaimed);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kClaimed);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kCustomerLimitReached);
  EXPECT_EQ(Usage(rule, alice_).uses, 2);
  EXPECT_EQ(Usage(rule, alice_).customer_uses, 2);
  EXPECT_EQ(Claim(rule, bob_), ClaimResult::kClaimed);
  EXPECT_EQ(Usage(rule, bob_).uses, 3);
  EXPECT_EQ(Usage(rule, bob_).customer_uses, 1);
}

TEST_P(UsageContract, ConcurrentClaimsNeverOvershootTheLimit) {
  const auto rule = AddRule(10, std::nullopt);
  constexpr int kThreads = 40;
  std::atomic<int> claimed{0};
  std::atomic<int> refused{0};
  std::atomic<int> errors{0};
  std::atomic<int> ready{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < kThreads; ++i) {
    workers.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        db_->Write([&](Tx& tx) {
          const auto result = tx.Usage().Claim(rule, i % 2 == 0 ? alice_ : bob_, 10, std::nullopt);
          (result == ClaimResult::kClaimed ? claimed : refused).fetch_add(1);
          return true;
        });
      } catch (const std::exception&) {
        errors.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claimed.load(), 10);
  EXPECT_EQ(refused.load(), kThreads - 10);
  EXPECT_EQ(Usage(rule, std::nullopt).uses, 10);
}

TEST_P(UsageContract, ARolledBackClaimIsNotCounted) {
  const auto rule = AddRule(1, 1);
  db_->Write([&](Tx& tx) {
    EXPECT_EQ(tx.Usage().Claim(rule, alice_, 1, 1), ClaimResult::kClaimed);
    return false;
  });
  EXPECT_EQ(Usage(rule, alice_).uses, 0);
  EXPECT_EQ(Usage(rule, alice_).customer_uses, 0);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kClaimed);
}

TEST_P(UsageContract, ReleaseOrderGivesBackTheUsesItHoldsOnce) {
  const auto first = AddRule(1, std::nullopt);
  const auto second = AddRule(std::nullopt, 1);
  InsertOrder(alice_);
  Write([&](Tx& tx) {
    EXPECT_EQ(tx.Usage().Claim(first, alice_, 1, std::nullopt), ClaimResult::kClaimed);
    EXPECT_EQ(tx.Usage().Claim(second, alice_, std::nullopt, 1), ClaimResult::kClaimed);
    tx.Usage().RecordOrderUses(kOrder, alice_, {first, second});
    return true;
  });
  EXPECT_EQ(Claim(first, bob_), ClaimResult::kUsageLimitReached);
  EXPECT_EQ(Claim(second, alice_), ClaimResult::kCustomerLimitReached);

  auto released = Write([&](Tx& tx) { return tx.Usage().ReleaseOrder(kOrder); });
  std::sort(released.begin(), released.end());
  EXPECT_EQ(released, (std::vector<domain::RuleId>{first, second}));
  EXPECT_EQ(Usage(first, alice_).uses, 0);
  EXPECT_EQ(Usage(second, alice_).customer_uses, 0);
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Usage().ReleaseOrder(kOrder); }).empty());
  EXPECT_EQ(Usage(first, alice_).uses, 0);

  EXPECT_EQ(Claim(first, bob_), ClaimResult::kClaimed);
  EXPECT_EQ(Claim(second, alice_), ClaimResult::kClaimed);
}

TEST_P(UsageContract, UnclaimNeverGoesBelowZero) {
  const auto rule = AddRule(2, 2);
  Write([&](Tx& tx) {
    tx.Usage().Unclaim(rule, alice_);
    return true;
  });
  EXPECT_EQ(Usage(rule, alice_).uses, 0);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kClaimed);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kClaimed);
  EXPECT_EQ(Claim(rule, alice_), ClaimResult::kUsageLimitReached);
}

TEST_P(UsageContract, UsageListsRulesInTheOrderAskedWithZeroForUnusedOnes) {
  const auto used = AddRule(5, std::nullopt);
  const auto unused = AddRule(5, std::nullopt);
  EXPECT_EQ(Claim(used, alice_), ClaimResult::kClaimed);
  std::vector<app::RuleUsage> usage;
  db_->Read([&](Tx& tx) { usage = tx.Usage().Usage({unused, used}, bob_); });
  ASSERT_EQ(usage.size(), 2U);
  EXPECT_EQ(usage[0].rule_id, unused);
  EXPECT_EQ(usage[0].uses, 0);
  EXPECT_EQ(usage[1].rule_id, used);
  EXPECT_EQ(usage[1].uses, 1);
  EXPECT_EQ(usage[1].customer_uses, 0);
}

TEST_P(UsageContract, PromoCodeAndLimitsRoundTripOnTheRule) {
  auto rule = LimitedRule(10, 2);
  rule.promo_code = "Summer-25";
  const auto created = Write([&](Tx& tx) { return tx.Rules().CreateRule(rule); });
  EXPECT_EQ(created.promo_code, "Summer-25");
  EXPECT_EQ(created.max_uses, 10);
  EXPECT_EQ(created.max_uses_per_customer, 2);
  const auto loaded = Write([](Tx& tx) { return tx.Rules().LoadAll(); });
  ASSERT_EQ(loaded.pricing_rules.size(), 1U);
  EXPECT_EQ(loaded.pricing_rules[0].promo_code, "Summer-25");
  EXPECT_EQ(loaded.pricing_rules[0].max_uses, 10);
  EXPECT_EQ(loaded.pricing_rules[0].max_uses_per_customer, 2);

  auto cleared = created;
  cleared.promo_code.reset();
  cleared.max_uses.reset();
  cleared.max_uses_per_customer = 1;
  const auto replaced = Write([&](Tx& tx) { return tx.Rules().ReplaceRule(cleared); });
  ASSERT_TRUE(replaced.has_value());
  EXPECT_FALSE(replaced->promo_code.has_value());
  EXPECT_FALSE(replaced->max_uses.has_value());
  EXPECT_EQ(replaced->max_uses_per_customer, 1);
  const auto found = Write([&](Tx& tx) { return tx.Rules().FindRule(created.id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->promo_code.has_value());
  EXPECT_EQ(found->max_uses_per_customer, 1);
}

INSTANTIATE_TEST_SUITE_P(Contract, UsageContract, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace coffee
