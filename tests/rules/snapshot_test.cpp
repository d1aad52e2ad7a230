#include "rules/snapshot.hpp"

#include <gtest/gtest.h>

#include <span>
#include <vector>

#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using testing::Rule;

TEST(Snapshot, ListsEveryRuleButEvaluatesOnlyActiveOnes) {
  SnapshotData data;
  data.pricing_rules = {Rule(3), Rule(1).Inactive(), Rule(2)};
  const auto snapshot = Snapshot::Build(std::move(data));
  ASSERT_EQ(snapshot.pricing_rules().size(), 3U);
  EXPECT_EQ(snapshot.pricing_rules()[0].id.value, 1);
  EXPECT_EQ(snapshot.evaluation_rules().size(), 2U);
  ASSERT_NE(snapshot.FindPricingRule(domain::RuleId{1}), nullptr);
  EXPECT_FALSE(snapshot.FindPricingRule(domain::RuleId{1})->is_active);
  EXPECT_EQ(snapshot.FindPricingRule(domain::RuleId{9}), nullptr);
}

TEST(Snapshot, EvaluationOrderIsPriorityDescendingThenIdAscending) {
  SnapshotData data;
  data.pricing_rules = {Rule(4).Priority(1), Rule(9).Priority(5), Rule(2).Priority(1),
                        Rule(7).Priority(5), Rule(1).Priority(-3)};
  const auto snapshot = Snapshot::Build(std::move(data));
  std::vector<std::int64_t> ids;
  for (const auto& rule : snapshot.evaluation_rules()) ids.push_back(rule.id.value);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{7, 9, 2, 4, 1}));
  EXPECT_EQ(snapshot.Source(snapshot.evaluation_rules()[0]).id.value, 7);
}

TEST(Snapshot, InvalidActiveRulesAreReportedAsSkipped) {
  SnapshotData data;
  data.pricing_rules = {Rule(1).Percent(0), Rule(2)};
  const auto snapshot = Snapshot::Build(std::move(data));
  ASSERT_EQ(snapshot.skipped().size(), 1U);
  EXPECT_EQ(snapshot.skipped()[0].kind, "pricing_rule");
  EXPECT_EQ(snapshot.skipped()[0].id, 1);
  EXPECT_NE(snapshot.skipped()[0].message.find("discount_value"), std::string::npos);
}

std::vector<std::int64_t> RuleIds(const Snapshot& snapshot, std::span<const std::size_t> indexes) {
  std::vector<std::int64_t> ids;
  for (const auto i : indexes) ids.push_back(snapshot.evaluation_rules()[i].id.value);
  return ids;
}

TEST(Snapshot, IndexesValidRulesByCoffeeAllCoffeesAndPromoCodeInEvaluationOrder) {
  SnapshotData data;
  data.pricing_rules = {Rule(1).Coffees({2, 3}).Priority(1),
                        Rule(2).Coffees({3, 3}).Priority(5),
                        Rule(3),
                        Rule(4).Coffees({3}).PromoCode("Spring"),
                        Rule(5).Coffees({3}).Percent(0),
                        Rule(6).Coffees({3}).Inactive(),
                        Rule(7).PromoCode("SPRING")};
  const auto snapshot = Snapshot::Build(std::move(data));
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(RuleIds(snapshot, snapshot.RulesForCoffee(domain::CoffeeId{3})), (Ids{2, 1}));
  EXPECT_EQ(RuleIds(snapshot, snapshot.RulesForCoffee(domain::CoffeeId{2})), (Ids{1}));
  EXPECT_TRUE(snapshot.RulesForCoffee(domain::CoffeeId{7}).empty());
  EXPECT_EQ(RuleIds(snapshot, snapshot.RulesForAllCoffees()), (Ids{3}));
  EXPECT_EQ(RuleIds(snapshot, snapshot.RulesForPromoCode("spring")), (Ids{4, 7}));
  EXPECT_TRUE(snapshot.RulesForPromoCode("Spring").empty());  // codes are normalized first
  EXPECT_TRUE(snapshot.RulesForPromoCode("").empty());
}

TEST(Snapshot, DuplicateRowsKeepTheFirst) {
  SnapshotData data;
  domain::Availability a;
  a.coffee_id = domain::CoffeeId{1};
  domain::Availability b = a;
  b.status = domain::AvailabilityStatus::kOutOfStock;
  data.availability = {a, b};
  const auto snapshot = Snapshot::Build(std::move(data));
  ASSERT_NE(snapshot.FindAvailability(domain::CoffeeId{1}), nullptr);
  EXPECT_EQ(snapshot.FindAvailability(domain::CoffeeId{1})->status,
            domain::AvailabilityStatus::kAvailable);
  EXPECT_EQ(snapshot.skipped().size(), 1U);
}

TEST(Snapshot, OutOfRangeSettingsAreClampedAndReported) {
  SnapshotData data;
  data.pricing_settings.max_discount_percent = {20000};
  data.prep_settings.baristas = 0;
  const auto snapshot = Snapshot::Build(std::move(data));
  EXPECT_EQ(snapshot.pricing_settings().max_discount_percent.units, 10000);
  EXPECT_EQ(snapshot.prep_settings().baristas, 1);
  EXPECT_EQ(snapshot.skipped().size(), 2U);
}

}  // namespace
}  // namespace coffee::rules
