#include "rules/promo_code.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/pricing.hpp"
#include "rules/validation.hpp"
#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::CombinationStrategy;
using testing::At;
using testing::Cents;
using testing::Line;
using testing::PricingSnapshot;
using testing::Rule;

constexpr const char* kMonday1430 = "2026-03-02T14:30:00Z";

/// The reason code the decision gives for `rule`, or "applied" / "absent".
std::string ReasonOf(const PricingDecision& d, std::int64_t rule) {
  for (const auto& a : d.applied) {
    if (a.rule_id.value == rule) return "applied";
  }
  for (const auto& n : d.not_applied) {
    if (n.rule_id.value == rule) return std::string(n.code());
  }
  return "absent";
}

PricingDecision Price(const Snapshot& snapshot, const PricingOptions& options) {
  const std::vector<PricingLine> lines = {Line(1, 2, 400)};  // 8.00
  return PriceOrder(snapshot, lines, At(kMonday1430), options);
}

TEST(PromoCode, NormalizeTrimsAndFoldsAsciiCase) {
  EXPECT_EQ(NormalizePromoCode("  Summer-25\t"), "summer-25");
  EXPECT_EQ(NormalizePromoCode("WELCOME_10"), "welcome_10");
  EXPECT_EQ(NormalizePromoCode("   "), "");
  EXPECT_EQ(NormalizePromoCode(""), "");
}

TEST(PromoCode, ValidCodesAreLettersDigitsDashAndUnderscore) {
  EXPECT_TRUE(IsValidPromoCode("SUMMER-25"));
  EXPECT_TRUE(IsValidPromoCode("a"));
  EXPECT_TRUE(IsValidPromoCode(std::string(kMaxPromoCodeLength, 'x')));
  EXPECT_FALSE(IsValidPromoCode(std::string(kMaxPromoCodeLength + 1, 'x')));
  EXPECT_FALSE(IsValidPromoCode(""));
  EXPECT_FALSE(IsValidPromoCode("two words"));
  EXPECT_FALSE(IsValidPromoCode("caf\xc3\xa9"));
}

TEST(PromoCode, ValidationNamesTheCodeAndTheLimits) {
  domain::PricingRule rule = Rule(1).PromoCode("bad code").MaxUses(0).MaxUsesPerCustomer(-1);
  const auto errors = ValidatePricingRule(rule);
  EXPECT_TRUE(errors.contains("promo_code"));
  EXPECT_TRUE(errors.contains("max_uses"));
  EXPECT_TRUE(errors.contains("max_uses_per_customer"));
  rule = Rule(1).PromoCode("GOOD").MaxUses(1).MaxUsesPerCustomer(1);
  EXPECT_TRUE(ValidatePricingRule(rule).empty());
}

TEST(PromoCode, RuleWithACodeNeedsThatCode) {
  const Snapshot snapshot =
      PricingSnapshot({Rule(1).Percent(1000).PromoCode("Summer"), Rule(2).Percent(500)},
                      CombinationStrategy::kAdditive);

  const auto without = Price(snapshot, {});
  EXPECT_EQ(ReasonOf(without, 1), "promo_code_required");
  EXPECT_EQ(ReasonOf(without, 2), "applied");
  EXPECT_EQ(Cents(without.discount_total), 40);  // 5 % of 8.00

  const auto other = Price(snapshot, {NormalizePromoCode("WINTER"), {}});
  EXPECT_EQ(ReasonOf(other, 1), "promo_code_mismatch");
  EXPECT_EQ(Cents(other.discount_total), 40);

  const auto with = Price(snapshot, {NormalizePromoCode(" sUmMeR "), {}});
  EXPECT_EQ(ReasonOf(with, 1), "applied");
  EXPECT_EQ(ReasonOf(with, 2), "applied");
  EXPECT_EQ(Cents(with.discount_total), 120);  // 10 % + 5 % of 8.00
}

TEST(PromoCode, DatesAreReportedBeforeTheCode) {
  const Snapshot snapshot =
      PricingSnapshot({Rule(1).PromoCode("OLD").ValidUntil("2025-01-01T00:00:00Z")},
                      CombinationStrategy::kAdditive);
  EXPECT_EQ(ReasonOf(Price(snapshot, {}), 1), "expired");
}

TEST(PromoCode, TheCodeIsReportedBeforeTheRulesOwnConditions) {
  const Snapshot snapshot =
      PricingSnapshot({Rule(1).PromoCode("BULK").MinQuantity(10)}, CombinationStrategy::kAdditive);
  EXPECT_EQ(ReasonOf(Price(snapshot, {}), 1), "promo_code_required");
  EXPECT_EQ(ReasonOf(Price(snapshot, {"bulk", {}}), 1), "below_min_quantity");
}

TEST(PromoCode, ExcludedRuleIsPricedAsNotApplyingWithItsReason) {
  const Snapshot snapshot =
      PricingSnapshot({Rule(1).Percent(2000).MaxUses(10),
                       Rule(2).Percent(1000).MaxUsesPerCustomer(1), Rule(3).Percent(500)},
                      CombinationStrategy::kAdditive);
  PricingOptions options;
  options.exclusions = {{domain::RuleId{1}, NotAppliedReason::kUsageLimitReached},
                        {domain::RuleId{2}, NotAppliedReason::kCustomerLimitReached}};
  const auto d = Price(snapshot, options);
  EXPECT_EQ(ReasonOf(d, 1), "usage_limit_reached");
  EXPECT_EQ(ReasonOf(d, 2), "customer_limit_reached");
  EXPECT_EQ(ReasonOf(d, 3), "applied");
  EXPECT_EQ(Cents(d.discount_total), 40);
  ASSERT_EQ(d.applied.size(), 1U);
  EXPECT_EQ(Cents(d.applied[0].discount), 40);
  EXPECT_EQ(Cents(d.lines[0].discount), 40);
}

TEST(PromoCode, AnExclusionDoesNotHideAFailedCondition) {
  const Snapshot snapshot =
      PricingSnapshot({Rule(1).MaxUses(1).Coffees({9})}, CombinationStrategy::kAdditive);
  PricingOptions options;
  options.exclusions = {{domain::RuleId{1}, NotAppliedReason::kUsageLimitReached}};
  EXPECT_EQ(ReasonOf(Price(snapshot, options), 1), "no_target_lines");
}

TEST(PromoCode, SnapshotCompilesTheCodeAndWhetherTheRuleIsLimited) {
  const Snapshot snapshot =
      PricingSnapshot({Rule(1).PromoCode("Summer"), Rule(2).MaxUsesPerCustomer(2), Rule(3),
                       Rule(4).PromoCode("X").Inactive()},
                      CombinationStrategy::kAdditive);
  const auto& rules = snapshot.evaluation_rules();
  ASSERT_EQ(rules.size(), 3U);
  EXPECT_EQ(rules[0].promo_code, "summer");
  EXPECT_FALSE(rules[0].limited);
  EXPECT_TRUE(rules[1].limited);
  EXPECT_TRUE(rules[2].promo_code.empty());
  EXPECT_TRUE(IsKnownPromoCode(snapshot, "summer"));
  EXPECT_FALSE(IsKnownPromoCode(snapshot, "x"));  // only on an inactive rule
  EXPECT_FALSE(IsKnownPromoCode(snapshot, ""));
}

TEST(PromoCode, ReasonsHaveStableCodesAndMessages) {
  for (const auto reason :
       {NotAppliedReason::kPromoCodeRequired, NotAppliedReason::kPromoCodeMismatch,
        NotAppliedReason::kUsageLimitReached, NotAppliedReason::kCustomerLimitReached}) {
    EXPECT_NE(ToString(reason), "unknown");
    EXPECT_NE(Describe(reason), "Unknown reason");
  }
  EXPECT_EQ(ToString(NotAppliedReason::kCustomerLimitReached), "customer_limit_reached");
}

}  // namespace
}  // namespace coffee::rules
