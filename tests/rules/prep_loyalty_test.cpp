#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "rules/loyalty.hpp"
#include "rules/prep_time.hpp"
#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::CoffeeId;
using domain::Money;

domain::PrepTimeConfig PrepRow(std::int64_t coffee, int base, int per_item) {
  domain::PrepTimeConfig row;
  row.coffee_id = CoffeeId{coffee};
  row.base_minutes = base;
  row.per_additional_item = per_item;
  return row;
}

Snapshot PrepSnapshot(std::vector<domain::PrepTimeConfig> rows, int baristas = 1) {
  SnapshotData data;
  data.prep_times = std::move(rows);
  data.prep_settings.baristas = baristas;
  return Snapshot::Build(std::move(data));
}

TEST(PrepTime, GuideExampleIsNineteenMinutes) {
  const auto snapshot = PrepSnapshot({PrepRow(1, 5, 2)});
  const std::vector<PrepLine> lines = {{CoffeeId{1}, 3}};
  const auto estimate = EstimatePrepTime(snapshot, lines, 10);
  EXPECT_EQ(estimate.work_minutes, 9);
  EXPECT_EQ(estimate.queue_delay_minutes, 10);
  EXPECT_EQ(estimate.total_minutes, 19);
}

TEST(PrepTime, CoffeesWithoutRowUseSettingsDefaults) {
  const auto snapshot = PrepSnapshot({});
  const std::vector<PrepLine> lines = {{CoffeeId{4}, 2}};
  EXPECT_EQ(OrderWorkMinutes(snapshot, lines), 3 + 1);
}

TEST(PrepTime, WorkSumsOverDistinctCoffees) {
  const auto snapshot = PrepSnapshot({PrepRow(1, 5, 2), PrepRow(2, 2, 0)});
  const std::vector<PrepLine> lines = {{CoffeeId{1}, 1}, {CoffeeId{2}, 4}, {CoffeeId{3}, 1}};
  EXPECT_EQ(OrderWorkMinutes(snapshot, lines), 5 + 2 + 3);
}

TEST(PrepTime, SplitLinesOfOneCoffeeCountAsOneCoffee) {
  const auto snapshot = PrepSnapshot({PrepRow(1, 5, 2)});
  const std::vector<PrepLine> lines = {{CoffeeId{1}, 1}, {CoffeeId{1}, 2}};
  EXPECT_EQ(OrderWorkMinutes(snapshot, lines), 5 + 2 * 2);
}

TEST(PrepTime, QueueDelayRoundsUpPerBarista) {
  EXPECT_EQ(QueueDelayMinutes(10, 3), 4);
  EXPECT_EQ(QueueDelayMinutes(9, 3), 3);
  EXPECT_EQ(QueueDelayMinutes(0, 2), 0);
  EXPECT_EQ(QueueDelayMinutes(5, 0), 5);
  const auto snapshot = PrepSnapshot({}, 2);
  const std::vector<PrepLine> lines = {{CoffeeId{1}, 1}};
  EXPECT_EQ(EstimatePrepTime(snapshot, lines, 7).total_minutes, 3 + 4);
}

TEST(PrepTime, InvalidRowsFallBackToDefaults) {
  const auto snapshot = PrepSnapshot({PrepRow(1, 0, 2)});
  EXPECT_EQ(snapshot.FindPrepTime(CoffeeId{1}), nullptr);
  ASSERT_EQ(snapshot.skipped().size(), 1U);
  EXPECT_EQ(snapshot.skipped()[0].kind, "prep_time");
}

domain::LoyaltyConfig Loyalty(std::int64_t ppd_units,
                              std::vector<std::pair<std::int64_t, std::int64_t>> multipliers) {
  domain::LoyaltyConfig config;
  config.points_per_dollar = domain::Fixed4{ppd_units};
  for (auto [coffee, m] : multipliers) config.bonus_multipliers[CoffeeId{coffee}] = {m};
  return config;
}

TEST(Loyalty, GuideExampleIsThirtyThreePoints) {
  const auto config = Loyalty(15000, {{1, 20000}, {5, 15000}});
  const std::vector<LoyaltyLine> lines = {{CoffeeId{1}, Money::FromCents(1000)},
                                          {CoffeeId{5}, Money::FromCents(400)}};
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(1400), lines), 33);
}

TEST(Loyalty, FloorsOnceOverTheWholeSum) {
  // 0.50 × 1 + 1.00 × (1.5 − 1) = 1.0 point; flooring each term first would give 0.
  const auto config = Loyalty(10000, {{2, 15000}});
  const std::vector<LoyaltyLine> lines = {{CoffeeId{2}, Money::FromCents(100)}};
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(50), lines), 1);
}

TEST(Loyalty, FractionalPointsAreFloored) {
  const auto config = Loyalty(3333, {});
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(10000), {}), 33);  // 33.33
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(300), {}), 0);     // 0.9999
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(301), {}), 1);     // 1.003233
}

TEST(Loyalty, MultiplierUsesSubtotalBeforeDiscount) {
  const auto config = Loyalty(10000, {{1, 30000}});
  const std::vector<LoyaltyLine> lines = {{CoffeeId{1}, Money::FromCents(1000)}};
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(500), lines), 5 + 20);
}

TEST(Loyalty, ZeroPointsPerDollarStillEarnsBonus) {
  const auto config = Loyalty(0, {{1, 20000}});
  const std::vector<LoyaltyLine> lines = {{CoffeeId{1}, Money::FromCents(499)},
                                          {CoffeeId{2}, Money::FromCents(10000)}};
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(10499), lines), 4);
}

TEST(Loyalty, NeverNegativeAndSaturatesInsteadOfOverflowing) {
  const auto config = Loyalty(10000000, {{1, 1000000}});
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(-500), {}), 0);
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  const std::vector<LoyaltyLine> lines = {{CoffeeId{1}, Money::FromCents(huge)}};
  EXPECT_EQ(LoyaltyPoints(config, Money::FromCents(huge), lines), huge);
}

TEST(Loyalty, SnapshotDropsMultipliersBelowOne) {
  SnapshotData data;
  data.loyalty = Loyalty(10000, {{1, 9999}, {2, 20000}});
  const auto snapshot = Snapshot::Build(std::move(data));
  EXPECT_EQ(snapshot.loyalty().bonus_multipliers.size(), 1U);
  EXPECT_EQ(snapshot.loyalty().bonus_multipliers.count(CoffeeId{2}), 1U);
  const std::vector<LoyaltyLine> lines = {{CoffeeId{1}, Money::FromCents(1000)}};
  EXPECT_EQ(LoyaltyPoints(snapshot.loyalty(), Money::FromCents(1000), lines), 10);
}

}  // namespace
}  // namespace coffee::rules
