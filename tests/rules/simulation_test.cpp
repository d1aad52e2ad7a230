#include "rules/simulation.hpp"

#include <gtest/gtest.h>

#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::CombinationStrategy;
using testing::At;
using testing::Cents;
using testing::Line;
using testing::PricingSnapshot;
using testing::Rule;

ReplayOrder Order(std::string id, std::vector<PricingLine> lines, std::int64_t recorded_cents,
                  std::string promo_code = "") {
  return {std::move(id), At("2026-03-10T12:00:00Z"), domain::Money::FromCents(recorded_cents),
          std::move(lines), std::move(promo_code)};
}

const RuleSimulation& Find(const SimulationResult& result, std::int64_t id) {
  for (const auto& rule : result.rules) {
    if (rule.rule_id.value == id) return rule;
  }
  throw std::runtime_error("rule " + std::to_string(id) + " not in the result");
}

// Worked by hand (docs/BUSINESS_RULES.md, "Simulation"): the baseline has rule 1, 10 % on
// everything (best_price); the draft makes rule 1 20 % on coffee 1 only, adds rule 2 (1.00 off
// from 3 items) and rule 3 (06:00–07:00, never met at noon), additive.
//   O1: 1 × c1 @ 4.00 = 4.00   baseline 4.00 − 0.40 = 3.60  draft 4.00 − 0.80        = 3.20
//   O2: 3 × c2 @ 3.00 = 9.00   baseline 9.00 − 0.90 = 8.10  draft 9.00 − 1.00        = 8.00
//   O3: 2 × c1 + 1 × c2 = 11.00 baseline 11.00 − 1.10 = 9.90 draft 11.00 − 1.60 − 1.00 = 8.40
//   O4: 1 × c3 @ 2.50 = 2.50   baseline 2.50 − 0.25 = 2.25  draft 2.50               = 2.50
// O4 was charged 2.30 (priced before its version was recorded): one recorded mismatch.
class SimulationTest : public ::testing::Test {
 protected:
  Snapshot baseline_ = PricingSnapshot({Rule(1).Percent(1000).Priority(1).Description("ten")},
                                       CombinationStrategy::kBestPrice);
  Snapshot draft_ =
      PricingSnapshot({Rule(1).Percent(2000).Coffees({1}).Priority(1).Description("twenty on c1"),
                       Rule(2).FixedCents(100).MinQuantity(3).Description("euro off three"),
                       Rule(3).Window("06:00", "07:00").Description("early bird")},
                      CombinationStrategy::kAdditive);

  SimulationResult Run(std::size_t largest) {
    Simulation simulation(draft_, largest);
    simulation.Add(Order("o1", {Line(1, 1, 400)}, 360), baseline_);
    simulation.Add(Order("o2", {Line(2, 3, 300)}, 810), baseline_);
    simulation.Add(Order("o3", {Line(1, 2, 400), Line(2, 1, 300)}, 990), baseline_);
    simulation.Add(Order("o4", {Line(3, 1, 250)}, 230), baseline_);
    return simulation.Result();
  }
};

TEST_F(SimulationTest, TotalsMatchTheHandComputedCase) {
  const SimulationResult r = Run(10);
  EXPECT_EQ(r.orders, 4);
  EXPECT_EQ(r.changed_orders, 4);
  EXPECT_EQ(Cents(r.base_revenue), 2650);
  EXPECT_EQ(Cents(r.recorded_revenue), 2390);
  EXPECT_EQ(Cents(r.baseline_revenue), 2385);
  EXPECT_EQ(Cents(r.draft_revenue), 2210);
  EXPECT_EQ(Cents(r.revenue_delta()), -175);
  EXPECT_EQ(Cents(r.baseline_discount), 265);
  EXPECT_EQ(Cents(r.draft_discount), 440);
  EXPECT_EQ(r.recorded_mismatches, 1);
}

TEST_F(SimulationTest, PerRuleFiguresSumToTheTotalDelta) {
  const SimulationResult r = Run(10);
  ASSERT_EQ(r.rules.size(), 3U);
  const auto& one = Find(r, 1);
  EXPECT_TRUE(one.in_draft);
  EXPECT_EQ(one.description, "twenty on c1");
  EXPECT_EQ(one.baseline_orders, 4);
  EXPECT_EQ(Cents(one.baseline_discount), 265);
  EXPECT_EQ(one.draft_orders, 2);
  EXPECT_EQ(Cents(one.draft_discount), 240);
  EXPECT_EQ(one.changed_orders, 4);
  EXPECT_EQ(Cents(one.revenue_delta()), 25);
  const auto& two = Find(r, 2);
  EXPECT_EQ(two.baseline_orders, 0);
  EXPECT_EQ(two.draft_orders, 2);
  EXPECT_EQ(Cents(two.draft_discount), 200);
  EXPECT_EQ(two.changed_orders, 2);
  EXPECT_EQ(Cents(two.revenue_delta()), -200);
  const auto& three = Find(r, 3);
  EXPECT_EQ(three.draft_orders, 0);
  EXPECT_EQ(Cents(three.draft_discount), 0);
  ASSERT_TRUE(three.usual_reason.has_value());
  EXPECT_EQ(*three.usual_reason, NotAppliedReason::kOutsideTimeWindow);
  std::int64_t sum = 0;
  for (const auto& rule : r.rules) sum += rule.revenue_delta().cents();
  EXPECT_EQ(sum, r.revenue_delta().cents());
  ASSERT_EQ(r.never_applied.size(), 1U);
  EXPECT_EQ(r.never_applied[0].value, 3);
  EXPECT_FALSE(one.usual_reason.has_value());
}

TEST_F(SimulationTest, KeepsTheLargestChangesByMagnitude) {
  const SimulationResult r = Run(3);
  ASSERT_EQ(r.largest_changes.size(), 3U);
  EXPECT_EQ(r.largest_changes[0].id, "o3");
  EXPECT_EQ(Cents(r.largest_changes[0].delta()), -150);
  EXPECT_EQ(Cents(r.largest_changes[0].baseline_total), 990);
  EXPECT_EQ(Cents(r.largest_changes[0].draft_total), 840);
  EXPECT_EQ(r.largest_changes[1].id, "o1");
  EXPECT_EQ(Cents(r.largest_changes[1].delta()), -40);
  EXPECT_EQ(r.largest_changes[2].id, "o4");
  EXPECT_EQ(Cents(r.largest_changes[2].delta()), 25);
  EXPECT_EQ(r.changed_orders, 4);  // counted whatever is kept
}

TEST_F(SimulationTest, ARuleRemovedByTheDraftCountsWhatItUsedToGive) {
  Snapshot empty = PricingSnapshot({}, CombinationStrategy::kBestPrice);
  Simulation simulation(empty);
  simulation.Add(Order("o1", {Line(1, 1, 400)}, 360), baseline_);
  const SimulationResult r = simulation.Result();
  ASSERT_EQ(r.rules.size(), 1U);
  EXPECT_FALSE(r.rules[0].in_draft);
  EXPECT_EQ(r.rules[0].description, "ten");
  EXPECT_EQ(Cents(r.rules[0].revenue_delta()), 40);
  EXPECT_TRUE(r.never_applied.empty());
  EXPECT_EQ(Cents(r.revenue_delta()), 40);
}

TEST_F(SimulationTest, TheSameRulesChangeNothing) {
  Simulation simulation(baseline_);
  simulation.Add(Order("o1", {Line(1, 1, 400)}, 360), baseline_);
  simulation.Add(Order("o2", {Line(2, 3, 300)}, 810), baseline_);
  const SimulationResult r = simulation.Result();
  EXPECT_EQ(r.changed_orders, 0);
  EXPECT_EQ(r.recorded_mismatches, 0);
  EXPECT_TRUE(r.largest_changes.empty());
  EXPECT_EQ(Find(r, 1).changed_orders, 0);
  EXPECT_EQ(Cents(r.revenue_delta()), 0);
}

// Each order is replayed with the code it presented, under both sides. Baseline: rule 1 10 %
// with code SUMMER, rule 2 5 % on everything, additive; the draft makes rule 1 20 % and adds
// rule 3 with a code no order presented.
//   O1 (code summer): 4.00 − 0.40 − 0.20 = 3.40 baseline, 4.00 − 0.80 − 0.20 = 3.00 draft
//   O2 (no code):     4.00 − 0.20        = 3.80 both
TEST_F(SimulationTest, OrdersAreReplayedWithTheirPromoCode) {
  const Snapshot baseline =
      PricingSnapshot({Rule(1).Percent(1000).PromoCode("SUMMER"), Rule(2).Percent(500)},
                      CombinationStrategy::kAdditive);
  const Snapshot draft =
      PricingSnapshot({Rule(1).Percent(2000).PromoCode("SUMMER"), Rule(2).Percent(500),
                       Rule(3).Percent(500).PromoCode("NOBODY")},
                      CombinationStrategy::kAdditive);
  Simulation simulation(draft);
  simulation.Add(Order("o1", {Line(1, 1, 400)}, 340, "summer"), baseline);
  simulation.Add(Order("o2", {Line(1, 1, 400)}, 380), baseline);
  const SimulationResult r = simulation.Result();
  EXPECT_EQ(r.recorded_mismatches, 0);
  EXPECT_EQ(r.changed_orders, 1);
  EXPECT_EQ(Cents(r.revenue_delta()), -40);
  EXPECT_EQ(Find(r, 1).baseline_orders, 1);
  EXPECT_EQ(Find(r, 1).changed_orders, 1);
  EXPECT_EQ(Cents(Find(r, 1).revenue_delta()), -40);
  EXPECT_EQ(Find(r, 2).changed_orders, 0);
  ASSERT_EQ(r.never_applied.size(), 1U);
  EXPECT_EQ(r.never_applied[0].value, 3);
  EXPECT_EQ(Find(r, 3).usual_reason, NotAppliedReason::kPromoCodeRequired);
}

}  // namespace
}  // namespace coffee::rules
