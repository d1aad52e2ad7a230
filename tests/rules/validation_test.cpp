#include "rules/validation.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::AvailabilityStatus;
using testing::At;
using testing::Hm;
using testing::Rule;

domain::Availability AvailabilityRow(AvailabilityStatus status) {
  domain::Availability row;
  row.coffee_id = domain::CoffeeId{1};
  row.status = status;
  return row;
}

TEST(ValidateAvailability, PlainAvailableRowIsValid) {
  EXPECT_TRUE(ValidateAvailability(AvailabilityRow(AvailabilityStatus::kAvailable)).empty());
}

TEST(ValidateAvailability, SeasonalWithoutWindowIsRejected) {
  const auto errors = ValidateAvailability(AvailabilityRow(AvailabilityStatus::kSeasonal));
  EXPECT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors.at("available_from"), "is required for seasonal coffees");
  EXPECT_TRUE(errors.contains("available_until"));
}

TEST(ValidateAvailability, SeasonalWithWindowIsValid) {
  auto row = AvailabilityRow(AvailabilityStatus::kSeasonal);
  row.available_from = Hm("22:00");
  row.available_until = Hm("02:00");
  EXPECT_TRUE(ValidateAvailability(row).empty());
}

TEST(ValidateAvailability, FromAndUntilComeTogether) {
  auto row = AvailabilityRow(AvailabilityStatus::kSeasonal);
  row.available_from = Hm("08:00");
  const auto errors = ValidateAvailability(row);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_TRUE(errors.contains("available_until"));
  row.available_from.reset();
  row.available_until = Hm("08:00");
  EXPECT_TRUE(ValidateAvailability(row).contains("available_from"));
}

TEST(ValidateAvailability, EmptyWindowIsRejected) {
  auto row = AvailabilityRow(AvailabilityStatus::kAvailable);
  row.available_from = Hm("08:00");
  row.available_until = Hm("08:00");
  EXPECT_TRUE(ValidateAvailability(row).contains("available_until"));
}

TEST(ValidateAvailability, OverlongReasonIsRejected) {
  auto row = AvailabilityRow(AvailabilityStatus::kOutOfStock);
  row.reason = std::string(256, 'x');
  EXPECT_TRUE(ValidateAvailability(row).contains("reason"));
}

struct RuleCase {
  std::string name;
  std::function<void(domain::PricingRule&)> edit;
  std::string field;  // empty: valid
  std::string message;
};

class ValidatePricingRuleTable : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidatePricingRuleTable, ReportsTheInvalidField) {
  const auto& c = GetParam();
  domain::PricingRule rule = Rule(1);
  c.edit(rule);
  const auto errors = ValidatePricingRule(rule);
  if (c.field.empty()) {
    EXPECT_TRUE(errors.empty()) << errors.begin()->first << ": " << errors.begin()->second;
    return;
  }
  ASSERT_EQ(errors.size(), 1U) << c.name;
  ASSERT_TRUE(errors.contains(c.field)) << errors.begin()->first;
  if (!c.message.empty()) {
    EXPECT_EQ(errors.at(c.field), c.message);
  }
}

using domain::DiscountType;
using domain::RuleType;

INSTANTIATE_TEST_SUITE_P(
    Spec52, ValidatePricingRuleTable,
    ::testing::Values(
        RuleCase{"PromotionalDefaultsAreValid", [](auto&) {}, "", ""},
        RuleCase{"TimeBasedNeedsRanges", [](auto& r) { r.rule_type = RuleType::kTimeBased; },
                 "time_ranges", ""},
        RuleCase{"TimeRangeStartMustDifferFromEnd",
                 [](auto& r) {
                   r.rule_type = RuleType::kTimeBased;
                   r.time_ranges = {{Hm("14:00"), Hm("16:00")}, {Hm("09:00"), Hm("09:00")}};
                 },
                 "time_ranges", "start and end must differ"},
        RuleCase{"TimeRangeCrossingMidnightIsValid",
                 [](auto& r) {
                   r.rule_type = RuleType::kTimeBased;
                   r.time_ranges = {{Hm("22:00"), Hm("02:00")}};
                 },
                 "", ""},
        RuleCase{"QuantityBasedNeedsMinQuantity",
                 [](auto& r) { r.rule_type = RuleType::kQuantityBased; }, "min_quantity", ""},
        RuleCase{"MinQuantityAtLeastOne",
                 [](auto& r) {
                   r.rule_type = RuleType::kQuantityBased;
                   r.min_quantity = 0;
                 },
                 "min_quantity", "must be at least 1"},
        RuleCase{"PercentageMustBePositive", [](auto& r) { r.discount_value = {0}; },
                 "discount_value", "must be between 0 and 100"},
        RuleCase{"PercentageAtMostHundred", [](auto& r) { r.discount_value = {10001}; },
                 "discount_value", "must be between 0 and 100"},
        RuleCase{"PercentageOfExactlyHundredIsValid", [](auto& r) { r.discount_value = {10000}; },
                 "", ""},
        RuleCase{"FixedAmountAtMostTenThousand",
                 [](auto& r) {
                   r.discount_type = DiscountType::kFixedAmount;
                   r.discount_value = {1000001};
                 },
                 "discount_value", "must be between 0 and 10000"},
        RuleCase{"FixedAmountOfTenThousandIsValid",
                 [](auto& r) {
                   r.discount_type = DiscountType::kFixedAmount;
                   r.discount_value = {1000000};
                 },
                 "", ""},
        RuleCase{"DaysOfWeekWithinOneToSeven",
                 [](auto& r) {
                   r.days_of_week = {1, 8};
                 },
                 "days_of_week", "values must be between 1 and 7"},
        RuleCase{"DaysOfWeekUnique",
                 [](auto& r) {
                   r.days_of_week = {2, 2};
                 },
                 "days_of_week", "values must be unique"},
        RuleCase{"ValidUntilNotBeforeValidFrom",
                 [](auto& r) { r.valid_until = At("2019-12-31T23:59:59Z"); }, "valid_until", ""},
        RuleCase{"CoffeeIdsIfPresentNotEmpty", [](auto& r) { r.coffee_ids.emplace(); },
                 "coffee_ids", ""}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(ValidatePricingRule, EveryInvalidFieldIsReported) {
  domain::PricingRule rule = Rule(1);
  rule.rule_type = RuleType::kQuantityBased;
  rule.discount_value = {0};
  rule.days_of_week = {0};
  const auto errors = ValidatePricingRule(rule);
  EXPECT_EQ(errors.size(), 3U);
}

TEST(ValidateSettings, MaxDiscountPercentWithinZeroAndHundred) {
  domain::PricingSettings settings;
  EXPECT_TRUE(ValidatePricingSettings(settings).empty());
  settings.max_discount_percent = {0};
  EXPECT_TRUE(ValidatePricingSettings(settings).empty());
  settings.max_discount_percent = {10001};
  EXPECT_EQ(ValidatePricingSettings(settings).at("max_discount_percent"),
            "must be between 0 and 100");
}

TEST(ValidatePrepTime, BoundsOnMinutesAndBaristas) {
  domain::PrepTimeConfig row;
  row.coffee_id = domain::CoffeeId{1};
  EXPECT_TRUE(ValidatePrepTimeConfig(row).empty());
  row.base_minutes = 0;
  row.per_additional_item = -1;
  auto errors = ValidatePrepTimeConfig(row);
  EXPECT_EQ(errors.at("base_minutes"), "must be between 1 and 240");
  EXPECT_EQ(errors.at("per_additional_item"), "must be between 0 and 240");
  row.base_minutes = 241;
  row.per_additional_item = 0;
  errors = ValidatePrepTimeConfig(row);
  EXPECT_EQ(errors.size(), 1U);

  domain::PrepTimeSettings settings;
  EXPECT_TRUE(ValidatePrepTimeSettings(settings).empty());
  settings.baristas = 0;
  settings.default_base_minutes = 0;
  errors = ValidatePrepTimeSettings(settings);
  EXPECT_TRUE(errors.contains("baristas"));
  EXPECT_TRUE(errors.contains("default_base_minutes"));
}

TEST(ValidateLoyalty, MultipliersBelowOneAreRejected) {
  domain::LoyaltyConfig config;
  config.bonus_multipliers[domain::CoffeeId{1}] = {10000};
  config.bonus_multipliers[domain::CoffeeId{5}] = {9999};
  const auto errors = ValidateLoyaltyConfig(config);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors.at("bonus_multipliers.5"), "must be at least 1");
}

TEST(ValidateLoyalty, PointsPerDollarNotNegative) {
  domain::LoyaltyConfig config;
  config.points_per_dollar = {0};
  EXPECT_TRUE(ValidateLoyaltyConfig(config).empty());
  config.points_per_dollar = {-1};
  EXPECT_TRUE(ValidateLoyaltyConfig(config).contains("points_per_dollar"));
}

}  // namespace
}  // namespace coffee::rules
