#include "rules/pricing.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::CombinationStrategy;
using testing::At;
using testing::Cents;
using testing::Line;
using testing::PricingSnapshot;
using testing::Rule;

// 2026-03-02 is a Monday.
constexpr const char* kMonday1430 = "2026-03-02T14:30:00Z";

struct AppliedCents {
  std::int64_t rule_id;
  std::int64_t discount;
  friend bool operator==(const AppliedCents&, const AppliedCents&) = default;
};

struct NotApplied {
  std::int64_t rule_id;
  std::string code;
  friend bool operator==(const NotApplied&, const NotApplied&) = default;
};

struct PricingCase {
  std::string name{};
  std::vector<domain::PricingRule> rules{};
  CombinationStrategy strategy = CombinationStrategy::kBestPrice;
  std::int64_t max_discount = 10000;
  std::vector<PricingLine> lines{};
  std::string at = kMonday1430;
  std::int64_t discount_total = 0;
  std::vector<std::int64_t> line_discounts{};  // input line order
  std::vector<AppliedCents> applied{};
  std::vector<NotApplied> not_applied{};
  std::string label{};
};

void PrintTo(const PricingCase& c, std::ostream* os) { *os << c.name; }

std::vector<PricingCase> Cases() {
  const domain::PricingRule qty_10 = Rule(1).Percent(1000).MinQuantity(3).Priority(100);
  const domain::PricingRule happy_15 = Rule(2).Percent(1500).Window("14:00", "16:00").Priority(90);
  const std::vector<PricingLine> three_espressos = {Line(1, 3, 350)};
  return {
      {.name = "WorkedExampleAdditive",
       .rules = {qty_10, happy_15},
       .strategy = CombinationStrategy::kAdditive,
       .lines = three_espressos,
       .discount_total = 263,
       .line_discounts = {263},
       .applied = {{1, 105}, {2, 158}},
       .label = "additive"},
      {.name = "WorkedExampleMultiplicative",
       .rules = {qty_10, happy_15},
       .strategy = CombinationStrategy::kMultiplicative,
       .lines = three_espressos,
       .discount_total = 247,
       .line_discounts = {247},
       .applied = {{1, 105}, {2, 142}},
       .label = "multiplicative"},
      {.name = "WorkedExampleBestPricePicksAdditive",
       .rules = {happy_15, qty_10},
       .lines = three_espressos,
       .discount_total = 263,
       .line_discounts = {263},
       .applied = {{1, 105}, {2, 158}},
       .label = "best_price:additive"},
      {.name = "HappyHourDoesNotApplyOutsideItsWindow",
       .rules = {qty_10, happy_15},
       .lines = three_espressos,
       .at = "2026-03-02T16:00:00Z",
       .discount_total = 105,
       .line_discounts = {105},
       .applied = {{1, 105}},
       .not_applied = {{2, "outside_time_window"}},
       .label = "best_price:additive"},
      {.name = "FixedAmountNeverExceedsTargetLines",
       .rules = {Rule(1).FixedCents(1000000).Coffees({2})},
       .lines = {Line(1, 1, 350), Line(2, 2, 300)},
       .discount_total = 600,
       .line_discounts = {0, 600},
       .applied = {{1, 600}}},
      {.name = "FixedAmountSplitsOverTargetLinesByLargestRemainder",
       .rules = {Rule(1).FixedCents(100)},
       .lines = {Line(1, 1, 300), Line(2, 1, 300), Line(3, 1, 300)},
       .discount_total = 100,
       .line_discounts = {34, 33, 33},
       .applied = {{1, 100}}},
      {.name = "LargestRemainderTieGoesToLowerCoffeeIdWhateverTheLineOrder",
       .rules = {Rule(1).FixedCents(100)},
       .lines = {Line(3, 1, 300), Line(2, 1, 300), Line(1, 1, 300)},
       .discount_total = 100,
       .line_discounts = {33, 33, 34},
       .applied = {{1, 100}}},
      {.name = "TargetedPercentageDiscountsOnlyTargetLines",
       .rules = {Rule(1).Percent(1000).Coffees({2})},
       .lines = {Line(1, 2, 350), Line(2, 3, 450)},
       .discount_total = 135,
       .line_discounts = {0, 135},
       .applied = {{1, 135}}},
      {.name = "PercentageRoundsHalfAwayFromZero",
       .rules = {Rule(1).Percent(1250)},
       .lines = {Line(1, 1, 4)},  // 12.5 % of 4 cents = 0.5 → 1
       .discount_total = 1,
       .line_discounts = {1},
       .applied = {{1, 1}}},
      {.name = "QuantityIsCountedOverTargetLinesOnly",
       .rules = {Rule(1).Percent(1000).MinQuantity(3).Coffees({2})},
       .lines = {Line(1, 5, 300), Line(2, 2, 400)},
       .not_applied = {{1, "below_min_quantity"}},
       .label = "best_price:none"},
      {.name = "QuantityOverSeveralTargetLinesAddsUp",
       .rules = {Rule(1).Percent(1000).MinQuantity(3).Coffees({2, 3})},
       .lines = {Line(1, 5, 300), Line(2, 2, 400), Line(3, 1, 200)},
       .discount_total = 100,
       .line_discounts = {0, 80, 20},
       .applied = {{1, 100}}},
      {.name = "RuleWithoutTargetLinesDoesNotApply",
       .rules = {Rule(1).Percent(1000).Coffees({9})},
       .lines = {Line(1, 1, 300)},
       .not_applied = {{1, "no_target_lines"}}},
      {.name = "RuleBeforeValidFromIsNotYetValid",
       .rules = {Rule(1).ValidFrom("2026-03-02T14:30:00.000001Z")},
       .lines = {Line(1, 1, 300)},
       .not_applied = {{1, "not_yet_valid"}}},
      {.name = "RuleAfterValidUntilIsExpired",
       .rules = {Rule(1).ValidUntil("2026-03-02T14:29:59.999999Z")},
       .lines = {Line(1, 1, 300)},
       .not_applied = {{1, "expired"}}},
      {.name = "ValidityBoundsAreInclusive",
       .rules = {Rule(1).ValidFrom(kMonday1430).ValidUntil(kMonday1430)},
       .lines = {Line(1, 1, 300)},
       .discount_total = 30,
       .line_discounts = {30},
       .applied = {{1, 30}}},
      {.name = "InactiveRulesAreNeitherAppliedNorReported",
       .rules = {Rule(1).Inactive()},
       .lines = {Line(1, 1, 300)}},
      {.name = "OverlappingRulesAdditiveSumOnOriginalSubtotals",
       .rules = {Rule(1).Percent(5000).Coffees({1}), Rule(2).FixedCents(100)},
       .strategy = CombinationStrategy::kAdditive,
       .lines = {Line(1, 1, 100), Line(2, 1, 100)},
       .discount_total = 150,
       .line_discounts = {100, 50},
       .applied = {{1, 50}, {2, 100}}},
      {.name = "AdditiveNeverDiscountsALineBelowZero",
       .rules = {Rule(1).Percent(10000).Coffees({1}), Rule(2).FixedCents(100)},
       .strategy = CombinationStrategy::kAdditive,
       .lines = {Line(1, 1, 100), Line(2, 1, 100)},
       .discount_total = 150,  // line 1 gets 100 + 50, floored at 100
       .line_discounts = {100, 50},
       .applied = {{1, 67}, {2, 83}}},
      {.name = "MultiplicativeAppliesEachRuleToWhatIsLeft",
       .rules = {Rule(1).Percent(10000).Coffees({1}).Priority(2), Rule(2).FixedCents(100)},
       .strategy = CombinationStrategy::kMultiplicative,
       .lines = {Line(1, 1, 100), Line(2, 1, 100)},
       .discount_total = 200,
       .line_discounts = {100, 100},
       .applied = {{1, 100}, {2, 100}},
       .label = "multiplicative"},
      {.name = "BestPricePicksMultiplicativeWhenItIsCheaper",
       .rules = {Rule(1).Percent(10000).Coffees({1}).Priority(2), Rule(2).FixedCents(100)},
       .lines = {Line(1, 1, 100), Line(2, 1, 100)},
       .discount_total = 200,
       .line_discounts = {100, 100},
       .applied = {{1, 100}, {2, 100}},
       .label = "best_price:multiplicative"},
      {.name = "PriorityTiesApplyLowerIdFirst",
       .rules = {Rule(5).FixedCents(100).Priority(10), Rule(3).Percent(5000).Priority(10)},
       .strategy = CombinationStrategy::kMultiplicative,
       .lines = {Line(1, 1, 1000)},
       .discount_total = 600,  // 50 % of 1000, then 1.00 of 500; the other order gives 550
       .line_discounts = {600},
       .applied = {{3, 500}, {5, 100}}},
      {.name = "HigherPriorityAppliesFirstInMultiplicative",
       .rules = {Rule(3).Percent(5000).Priority(1), Rule(5).FixedCents(100).Priority(10)},
       .strategy = CombinationStrategy::kMultiplicative,
       .lines = {Line(1, 1, 1000)},
       .discount_total = 550,
       .line_discounts = {550},
       .applied = {{5, 100}, {3, 450}}},
      {.name = "MaxDiscountPercentCapsTheTotal",
       .rules = {Rule(1).Percent(1500), Rule(2).Percent(1500)},
       .strategy = CombinationStrategy::kAdditive,
       .max_discount = 2000,
       .lines = {Line(1, 1, 1000)},
       .discount_total = 200,
       .line_discounts = {200},
       .applied = {{1, 100}, {2, 100}}},
      {.name = "CapIsRoundedHalfAwayToTheCent",
       .rules = {Rule(1).Percent(5000)},
       .max_discount = 1250,
       .lines = {Line(1, 1, 1005)},  // 12.5 % of 10.05 = 1.25625 → 1.26
       .discount_total = 126,
       .line_discounts = {126},
       .applied = {{1, 126}}},
      {.name = "CapScalesLineDiscountsProportionally",
       .rules = {Rule(1).Percent(5000).Coffees({1}), Rule(2).Percent(1000).Coffees({2})},
       .strategy = CombinationStrategy::kAdditive,
       .max_discount = 1000,
       .lines = {Line(1, 1, 1000), Line(2, 1, 1000)},
       .discount_total = 200,  // raw 500 + 100, cap 200 → 167 + 33
       .line_discounts = {167, 33},
       .applied = {{1, 167}, {2, 33}}},
      {.name = "ZeroMaxDiscountGrantsNothing",
       .rules = {Rule(1).Percent(5000)},
       .max_discount = 0,
       .lines = {Line(1, 1, 1000)},
       .line_discounts = {0},
       .applied = {{1, 0}}},
      {.name = "WindowCrossingMidnightAppliesAfterMidnight",
       .rules = {Rule(1).Window("22:00", "02:00")},
       .lines = {Line(1, 1, 1000)},
       .at = "2026-03-03T01:59:00Z",
       .discount_total = 100,
       .line_discounts = {100},
       .applied = {{1, 100}}},
      {.name = "WindowCrossingMidnightEndIsExclusive",
       .rules = {Rule(1).Window("22:00", "02:00")},
       .lines = {Line(1, 1, 1000)},
       .at = "2026-03-03T02:00:00Z",
       .not_applied = {{1, "outside_time_window"}}},
      {.name = "DaysOfWeekNameTheDayAWindowStartsOn",
       .rules = {Rule(1).Window("22:00", "02:00").Days({1})},
       .lines = {Line(1, 1, 1000)},
       .at = "2026-03-03T01:00:00Z",  // Tuesday 01:00, inside Monday's window
       .discount_total = 100,
       .line_discounts = {100},
       .applied = {{1, 100}}},
      {.name = "AfterMidnightOnTheListedDayIsTheWrongDay",
       .rules = {Rule(1).Window("22:00", "02:00").Days({1})},
       .lines = {Line(1, 1, 1000)},
       .at = "2026-03-02T01:00:00Z",  // Monday 01:00 belongs to Sunday's window
       .not_applied = {{1, "wrong_day"}}},
      {.name = "WindowOnAnUnlistedDayIsTheWrongDay",
       .rules = {Rule(1).Window("14:00", "16:00").Days({2, 3, 4, 5})},
       .lines = {Line(1, 1, 1000)},
       .not_applied = {{1, "wrong_day"}}},
      {.name = "AnyOfSeveralRangesMatches",
       .rules = {Rule(1).Window("08:00", "09:00").Window("14:00", "15:00")},
       .lines = {Line(1, 1, 1000)},
       .discount_total = 100,
       .line_discounts = {100},
       .applied = {{1, 100}}},
      {.name = "InvalidStoredRuleIsReportedNotApplied",
       .rules = {Rule(1).Percent(20000), Rule(2).Percent(1000)},
       .lines = {Line(1, 1, 1000)},
       .discount_total = 100,
       .line_discounts = {100},
       .applied = {{2, 100}},
       .not_applied = {{1, "invalid_config"}}},
      {.name = "NotAppliedListsRulesInEvaluationOrder",
       .rules = {Rule(1).Coffees({9}).Priority(1), Rule(2).MinQuantity(5).Priority(3),
                 Rule(3).Window("08:00", "09:00").Priority(2)},
       .lines = {Line(1, 1, 1000)},
       .not_applied = {{2, "below_min_quantity"},
                       {3, "outside_time_window"},
                       {1, "no_target_lines"}}},
  };
}

class PricingTable : public ::testing::TestWithParam<PricingCase> {};

TEST_P(PricingTable, MatchesExpectedDecision) {
  const PricingCase& c = GetParam();
  const Snapshot snapshot = PricingSnapshot(c.rules, c.strategy, c.max_discount);
  const PricingDecision d = PriceOrder(snapshot, c.lines, At(c.at));

  std::int64_t base = 0;
  for (const auto& line : c.lines) base += line.unit_price.cents() * line.quantity;
  EXPECT_EQ(Cents(d.base_price), base);
  EXPECT_EQ(Cents(d.discount_total), c.discount_total);
  EXPECT_EQ(Cents(d.final_price), base - c.discount_total);

  std::vector<std::int64_t> line_discounts;
  for (const auto& line : d.lines) line_discounts.push_back(Cents(line.discount));
  if (c.line_discounts.empty()) {
    EXPECT_EQ(line_discounts, std::vector<std::int64_t>(c.lines.size(), 0));
  } else {
    EXPECT_EQ(line_discounts, c.line_discounts);
  }
  for (std::size_t i = 0; i < d.lines.size(); ++i) {
    EXPECT_EQ(d.lines[i].coffee_id, c.lines[i].coffee_id);
    EXPECT_EQ(d.lines[i].discount + d.lines[i].final_price, d.lines[i].subtotal);
  }

  std::vector<AppliedCents> applied;
  for (const auto& a : d.applied) applied.push_back({a.rule_id.value, Cents(a.discount)});
  EXPECT_EQ(applied, c.applied);

  std::vector<NotApplied> not_applied;
  for (const auto& n : d.not_applied) {
    not_applied.push_back({n.rule_id.value, std::string(n.code())});
    EXPECT_FALSE(n.message().empty());
  }
  EXPECT_EQ(not_applied, c.not_applied);
  if (!c.label.empty()) {
    EXPECT_EQ(d.StrategyLabel(), c.label);
  }
}

INSTANTIATE_TEST_SUITE_P(Spec52, PricingTable, ::testing::ValuesIn(Cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(Pricing, AppliedRulesCarryTheirDescription) {
  const Snapshot snapshot = PricingSnapshot({Rule(7).Description("Happy hour").Percent(1500)},
                                            CombinationStrategy::kBestPrice);
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  const auto d = PriceOrder(snapshot, lines, At(kMonday1430));
  ASSERT_EQ(d.applied.size(), 1U);
  EXPECT_EQ(d.applied[0].description, "Happy hour");
  EXPECT_EQ(d.Chosen(), "additive");
}

TEST(Pricing, EmptyOrderCostsNothing) {
  const Snapshot snapshot = PricingSnapshot({Rule(1)}, CombinationStrategy::kBestPrice);
  const auto d = PriceOrder(snapshot, std::vector<PricingLine>{}, At(kMonday1430));
  EXPECT_EQ(Cents(d.final_price), 0);
  EXPECT_EQ(d.Chosen(), "none");
  ASSERT_EQ(d.not_applied.size(), 1U);
  EXPECT_EQ(d.not_applied[0].code(), "no_target_lines");
}

TEST(Pricing, CappedFlagReportsAReducedDiscount) {
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  const auto capped =
      PriceOrder(PricingSnapshot({Rule(1).Percent(5000)}, CombinationStrategy::kAdditive, 1000),
                 lines, At(kMonday1430));
  EXPECT_TRUE(capped.capped);
  const auto free =
      PriceOrder(PricingSnapshot({Rule(1).Percent(5000)}, CombinationStrategy::kAdditive), lines,
                 At(kMonday1430));
  EXPECT_FALSE(free.capped);
}

TEST(Pricing, MaxDiscountCappedIsSetByTheOrderCapNotByTheLineFloor) {
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  // 8.00 + 5.00 off a 10.00 line: the line floor keeps the discount at 10.00, no order cap.
  const auto floored =
      PriceOrder(PricingSnapshot({Rule(1).FixedCents(800), Rule(2).FixedCents(500)},
                                 CombinationStrategy::kAdditive),
                 lines, At(kMonday1430));
  EXPECT_TRUE(floored.capped);
  EXPECT_FALSE(floored.max_discount_capped);
  // 50 % asked, max_discount_percent 10 %: the order cap clips it to 1.00.
  const auto clipped =
      PriceOrder(PricingSnapshot({Rule(1).Percent(5000)}, CombinationStrategy::kAdditive, 1000),
                 lines, At(kMonday1430));
  EXPECT_TRUE(clipped.max_discount_capped);
  EXPECT_EQ(Cents(clipped.discount_total), 100);
}

TEST(Pricing, RuleDiscountNeverExceedsItsBasis) {
  EvaluationRule fixed;
  fixed.discount_type = domain::DiscountType::kFixedAmount;
  fixed.discount_units = 500;
  EXPECT_EQ(RuleDiscountCents(fixed, 300), 300);
  EXPECT_EQ(RuleDiscountCents(fixed, 800), 500);
  EXPECT_EQ(RuleDiscountCents(fixed, 0), 0);
  EvaluationRule percent;
  percent.discount_units = 1500;
  EXPECT_EQ(RuleDiscountCents(percent, 1050), 158);
  EXPECT_EQ(RuleDiscountCents(percent, 945), 142);
}

TEST(Pricing, LargestRemainderSumsExactlyAndBreaksTiesByIndex) {
  const std::vector<std::int64_t> weights = {1, 1, 1};
  std::vector<std::int64_t> out(3);
  AllocateLargestRemainder(2, weights, out);
  EXPECT_EQ(out, (std::vector<std::int64_t>{1, 1, 0}));
  const std::vector<std::int64_t> skewed = {10, 0, 30};
  AllocateLargestRemainder(7, skewed, out);
  EXPECT_EQ(out, (std::vector<std::int64_t>{2, 0, 5}));  // 1.75 → 2, 5.25 → 5
}

/// Largest remainder as its definition reads: floors, then one more cent for each of the lines
/// with the largest remainders, ties to the lower index, one at a time.
std::vector<std::int64_t> LargestRemainderByDefinition(std::int64_t total,
                                                       const std::vector<std::int64_t>& weights) {
  std::int64_t sum = 0;
  for (auto w : weights) sum += w;
  std::vector<std::int64_t> out(weights.size(), 0);
  if (total == 0 || sum == 0) return out;
  std::vector<std::int64_t> rem(weights.size());
  std::int64_t left = total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    out[i] = total * weights[i] / sum;
    rem[i] = total * weights[i] % sum;
    left -= out[i];
  }
  std::vector<bool> taken(weights.size(), false);
  for (; left > 0; --left) {
    std::size_t best = weights.size();
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!taken[i] && (best == weights.size() || rem[i] > rem[best])) best = i;
    }
    taken[best] = true;
    ++out[best];
  }
  return out;
}

TEST(Pricing, LargestRemainderMatchesItsDefinitionOnRandomInputs) {
  std::mt19937_64 random(20261207);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = 1 + random() % (round % 10 == 0 ? 400 : 12);
    std::vector<std::int64_t> weights(n);
    for (auto& w : weights) w = static_cast<std::int64_t>(random() % (round % 3 == 0 ? 4 : 5000));
    weights[random() % n] += 1;  // Σ weights > 0
    const auto total = static_cast<std::int64_t>(random() % 100000);
    std::vector<std::int64_t> out(n);
    AllocateLargestRemainder(total, weights, out);
    ASSERT_EQ(out, LargestRemainderByDefinition(total, weights)) << "round " << round;
  }
}

}  // namespace
}  // namespace coffee::rules
