#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rules/pricing.hpp"
#include "rules/promo_code.hpp"
#include "rules/shop_clock.hpp"
#include "rules/validation.hpp"
#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::CombinationStrategy;
using testing::At;
using testing::Line;
using testing::PricingSnapshot;
using testing::Rule;
using testing::RuleBuilder;

constexpr int kWorlds = 3000;
constexpr int kCatalog = 30;  // many coffees, so that most rules miss most orders
constexpr const char* kMonday1430 = "2026-03-02T14:30:00Z";
const std::vector<std::string> kCodes = {"SPRING", "vip", "Happy_Hour"};

int Uniform(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

bool Chance(std::mt19937& rng, int percent) { return Uniform(rng, 1, 100) <= percent; }

struct World {
  std::vector<domain::PricingRule> rules;
  CombinationStrategy strategy = CombinationStrategy::kBestPrice;
  std::int64_t max_discount = 10000;
  std::vector<PricingLine> lines;
  PricingOptions options;
  domain::Instant at;
};

domain::PricingRule RandomRule(std::mt19937& rng, std::int64_t id) {
  RuleBuilder builder(id);
  builder.Priority(Uniform(rng, 0, 3));
  if (Chance(rng, 50)) {
    builder.Percent(Uniform(rng, 1, 40) * 250);
  } else {
    builder.FixedCents(Uniform(rng, 1, 2000));
  }
  domain::PricingRule rule = builder;
  if (Chance(rng, 75)) {
    rule.coffee_ids.emplace();
    for (int i = Uniform(rng, 1, 3); i > 0; --i) {
      rule.coffee_ids->push_back(domain::CoffeeId{Uniform(rng, 1, kCatalog)});
    }
  }
  switch (Uniform(rng, 0, 2)) {
    case 0:
      rule.rule_type = domain::RuleType::kTimeBased;
      for (int i = Uniform(rng, 1, 2); i > 0; --i) {
        const int start = Uniform(rng, 0, 1439);
        rule.time_ranges.push_back(
            {domain::TimeOfDay{start}, domain::TimeOfDay{(start + Uniform(rng, 1, 1439)) % 1440}});
      }
      if (Chance(rng, 40)) {
        for (int day = 1; day <= 7; ++day) {
          if (Chance(rng, 50)) rule.days_of_week.push_back(day);
        }
      }
      break;
    case 1:
      rule.rule_type = domain::RuleType::kQuantityBased;
      rule.min_quantity = Uniform(rng, 1, 6);
      break;
    default:
      rule.rule_type = domain::RuleType::kPromotional;
      break;
  }
  if (Chance(rng, 10)) rule.valid_from = At("2026-04-01T00:00:00Z");
  if (Chance(rng, 10)) rule.valid_until = At("2026-02-01T00:00:00Z");
  if (Chance(rng, 20)) rule.promo_code = kCodes[static_cast<std::size_t>(Uniform(rng, 0, 2))];
  if (Chance(rng, 5)) rule.discount_value = domain::Fixed2{0};  // invalid: never applies
  if (Chance(rng, 10)) rule.is_active = false;
  return rule;
}

World RandomWorld(std::mt19937& rng) {
  World w;
  std::vector<std::int64_t> ids(80);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(i) + 1;
  std::shuffle(ids.begin(), ids.end(), rng);
  for (int i = Uniform(rng, 0, 40); i > 0; --i) {
    w.rules.push_back(RandomRule(rng, ids[static_cast<std::size_t>(i)]));
  }
  w.strategy = static_cast<CombinationStrategy>(Uniform(rng, 0, 2));
  w.max_discount = Chance(rng, 50) ? 10000 : Uniform(rng, 0, 10000);
  std::vector<std::int64_t> coffees(kCatalog);
  for (std::size_t i = 0; i < coffees.size(); ++i) coffees[i] = static_cast<std::int64_t>(i) + 1;
  std::shuffle(coffees.begin(), coffees.end(), rng);
  for (int i = Uniform(rng, 0, 6); i > 0; --i) {
    w.lines.push_back(
        Line(coffees[static_cast<std::size_t>(i)], Uniform(rng, 1, 5), Uniform(rng, 1, 1500)));
  }
  if (Chance(rng, 50)) {
    w.options.promo_code = NormalizePromoCode(
        Chance(rng, 80) ? kCodes[static_cast<std::size_t>(Uniform(rng, 0, 2))] : "unknown");
  }
  for (int i = Uniform(rng, 0, 2); i > 0 && !w.rules.empty(); --i) {
    const auto& rule =
        w.rules[static_cast<std::size_t>(Uniform(rng, 0, static_cast<int>(w.rules.size()) - 1))];
    w.options.exclusions.push_back({rule.id, Chance(rng, 50)
                                                 ? NotAppliedReason::kUsageLimitReached
                                                 : NotAppliedReason::kCustomerLimitReached});
  }
  w.at = At("2026-03-02T00:00:00Z") + std::chrono::minutes{Uniform(rng, 0, 7 * 1440 - 1)};
  return w;
}

/// SPEC §5.2 read straight, one rule at a time, looking at every rule and every line: nullopt
/// when the rule applies, else why not (invalid, dates, promo code, target lines, condition,
/// usage limit: the engine's documented precedence).
std::optional<NotAppliedReason> ReferenceReason(const domain::PricingRule& rule, const World& w) {
  if (!ValidatePricingRule(rule).empty()) return NotAppliedReason::kInvalidConfig;
  if (w.at < rule.valid_from) return NotAppliedReason::kNotYetValid;
  if (rule.valid_until && w.at > *rule.valid_until) return NotAppliedReason::kExpired;
  if (rule.promo_code && NormalizePromoCode(*rule.promo_code) != w.options.promo_code) {
    return w.options.promo_code.empty() ? NotAppliedReason::kPromoCodeRequired
                                        : NotAppliedReason::kPromoCodeMismatch;
  }
  std::int64_t quantity = 0;
  bool any = false;
  for (const auto& line : w.lines) {
    if (!rule.coffee_ids || std::find(rule.coffee_ids->begin(), rule.coffee_ids->end(),
                                      line.coffee_id) != rule.coffee_ids->end()) {
      any = true;
      quantity += line.quantity;
    }
  }
  if (!any) return NotAppliedReason::kNoTargetLines;
  if (rule.rule_type == domain::RuleType::kTimeBased) {
    const ShopTime shop = ToShopTime(w.at, nullptr);
    const int now = shop.time.minutes;
    bool in_window = false;
    bool right_day = false;
    for (const auto& range : rule.time_ranges) {
      const int start = range.start.minutes;
      const int end = range.end.minutes;
      int start_day = shop.iso_weekday;
      if (start < end) {
        if (now < start || now >= end) continue;
      } else if (now < end) {
        start_day = shop.iso_weekday == 1 ? 7 : shop.iso_weekday - 1;  // began yesterday
      } else if (now < start) {
        continue;
      }
      in_window = true;
      if (rule.days_of_week.empty() || std::find(rule.days_of_week.begin(), rule.days_of_week.end(),
                                                 start_day) != rule.days_of_week.end()) {
        right_day = true;
      }
    }
    if (!in_window) return NotAppliedReason::kOutsideTimeWindow;
    if (!right_day) return NotAppliedReason::kWrongDay;
  }
  if (rule.rule_type == domain::RuleType::kQuantityBased &&
      quantity < rule.min_quantity.value_or(1)) {
    return NotAppliedReason::kBelowMinQuantity;
  }
  std::optional<NotAppliedReason> excluded;
  for (const auto& exclusion : w.options.exclusions) {
    if (exclusion.rule_id == rule.id) excluded = exclusion.reason;
  }
  return excluded;
}

/// The active rules in evaluation order: priority descending, then id ascending.
std::vector<domain::PricingRule> EvaluationOrder(const World& w) {
  std::vector<domain::PricingRule> active;
  for (const auto& rule : w.rules) {
    if (rule.is_active) active.push_back(rule);
  }
  std::sort(active.begin(), active.end(), [](const auto& a, const auto& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
  });
  return active;
}

PricingDecision Price(const World& w, bool list_not_applied) {
  PricingOptions options = w.options;
  options.list_not_applied = list_not_applied;
  return PriceOrder(PricingSnapshot(w.rules, w.strategy, w.max_discount), w.lines, w.at, options);
}

std::vector<std::pair<std::int64_t, NotAppliedReason>> Listed(const PricingDecision& d) {
  std::vector<std::pair<std::int64_t, NotAppliedReason>> out;
  for (const auto& n : d.not_applied) out.emplace_back(n.rule_id.value, n.reason);
  return out;
}

/// Everything of a decision but its not_applied list.
void ExpectSamePrice(const PricingDecision& a, const PricingDecision& b, int world) {
  ASSERT_EQ(a.base_price, b.base_price) << "world " << world;
  ASSERT_EQ(a.discount_total, b.discount_total) << "world " << world;
  ASSERT_EQ(a.final_price, b.final_price) << "world " << world;
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    ASSERT_EQ(a.lines[i].coffee_id, b.lines[i].coffee_id);
    ASSERT_EQ(a.lines[i].discount, b.lines[i].discount) << "world " << world;
    ASSERT_EQ(a.lines[i].final_price, b.lines[i].final_price) << "world " << world;
  }
  ASSERT_EQ(a.applied.size(), b.applied.size()) << "world " << world;
  for (std::size_t i = 0; i < a.applied.size(); ++i) {
    ASSERT_EQ(a.applied[i].rule_id, b.applied[i].rule_id) << "world " << world;
    ASSERT_EQ(a.applied[i].discount, b.applied[i].discount) << "world " << world;
  }
  ASSERT_EQ(a.StrategyLabel(), b.StrategyLabel()) << "world " << world;
  ASSERT_EQ(a.capped, b.capped) << "world " << world;
  ASSERT_EQ(a.max_discount_capped, b.max_discount_capped) << "world " << world;
}

class PricingIndexProperties : public ::testing::Test {
 protected:
  std::mt19937 rng_{20261208};
};

TEST_F(PricingIndexProperties, EveryActiveRuleIsReportedAsAFullEvaluationWould) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    const PricingDecision d = Price(w, true);
    std::set<std::int64_t> applied;
    for (const auto& a : d.applied) applied.insert(a.rule_id.value);
    std::vector<std::pair<std::int64_t, NotAppliedReason>> expected;
    std::vector<std::int64_t> applying;
    for (const auto& rule : EvaluationOrder(w)) {
      if (const auto reason = ReferenceReason(rule, w)) {
        expected.emplace_back(rule.id.value, *reason);
      } else {
        applying.push_back(rule.id.value);
        if (!applied.contains(rule.id.value)) {
          expected.emplace_back(rule.id.value, NotAppliedReason::kLostInBestPrice);
        }
      }
    }
    ASSERT_EQ(Listed(d), expected) << "world " << i;
    ASSERT_EQ(d.not_applied_count, d.not_applied.size()) << "world " << i;
    // The applied rules are applying ones, in evaluation order.
    auto next = applying.begin();
    for (const auto& a : d.applied) {
      next = std::find(next, applying.end(), a.rule_id.value);
      ASSERT_NE(next, applying.end()) << "world " << i << ": rule " << a.rule_id.value;
    }
  }
}

TEST_F(PricingIndexProperties, PriceIsThatOfTheApplyingRulesAlone) {
  // Rules that do not apply change nothing but the not_applied list: pricing the order
  // against only the rules the reference says apply gives the same decision.
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    World only_applying = w;
    std::erase_if(only_applying.rules, [&](const domain::PricingRule& rule) {
      return !rule.is_active || ReferenceReason(rule, w).has_value();
    });
    only_applying.options.exclusions.clear();
    ExpectSamePrice(Price(w, true), Price(only_applying, true), i);
    if (HasFatalFailure()) return;
  }
}

TEST_F(PricingIndexProperties, NotListingChangesOnlyTheNotAppliedList) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    const PricingDecision listed = Price(w, true);
    const PricingDecision quick = Price(w, false);
    ExpectSamePrice(listed, quick, i);
    if (HasFatalFailure()) return;
    ASSERT_EQ(quick.not_applied_count, listed.not_applied_count) << "world " << i;
    ASSERT_EQ(quick.not_applied_count, EvaluationOrder(w).size() - quick.applied.size());
    // What it lists is a part of the full list, same order, same reasons; and every rule that
    // only an evaluation can turn down (its condition or usage limit) is in it.
    const auto full = Listed(listed);
    const auto part = Listed(quick);
    auto next = full.begin();
    for (const auto& entry : part) {
      next = std::find(next, full.end(), entry);
      ASSERT_NE(next, full.end()) << "world " << i << ": rule " << entry.first;
    }
    for (const auto& [id, reason] : full) {
      const bool evaluated_only = reason == NotAppliedReason::kOutsideTimeWindow ||
                                  reason == NotAppliedReason::kWrongDay ||
                                  reason == NotAppliedReason::kBelowMinQuantity ||
                                  reason == NotAppliedReason::kUsageLimitReached ||
                                  reason == NotAppliedReason::kCustomerLimitReached ||
                                  reason == NotAppliedReason::kLostInBestPrice;
      if (evaluated_only) {
        ASSERT_NE(std::find(part.begin(), part.end(), std::pair{id, reason}), part.end())
            << "world " << i << ": rule " << id;
      }
    }
  }
}

std::vector<std::pair<std::int64_t, std::string>> Codes(const PricingDecision& d) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (const auto& n : d.not_applied) out.emplace_back(n.rule_id.value, std::string(n.code()));
  return out;
}

using Reasons = std::vector<std::pair<std::int64_t, std::string>>;

PricingDecision PriceAt(const std::vector<domain::PricingRule>& rules,
                        const std::vector<PricingLine>& lines, PricingOptions options) {
  return PriceOrder(PricingSnapshot(rules, CombinationStrategy::kBestPrice), lines, At(kMonday1430),
                    options);
}

TEST(PricingIndex, RuleOnAnotherCoffeeIsListedInItsEvaluationPlace) {
  const std::vector<domain::PricingRule> rules = {
      Rule(1).Coffees({1}).Priority(3), Rule(2).Coffees({9}).Priority(2),
      Rule(3).MinQuantity(5).Priority(1), Rule(4).Coffees({8, 9}).Priority(0)};
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  const auto listed = PriceAt(rules, lines, {});
  ASSERT_EQ(listed.applied.size(), 1U);
  EXPECT_EQ(Codes(listed),
            (Reasons{{2, "no_target_lines"}, {3, "below_min_quantity"}, {4, "no_target_lines"}}));
  EXPECT_EQ(listed.not_applied_count, 3U);

  const auto quick = PriceAt(rules, lines, {.list_not_applied = false});
  EXPECT_EQ(Codes(quick), (Reasons{{3, "below_min_quantity"}}));
  EXPECT_EQ(quick.not_applied_count, 3U);
  EXPECT_EQ(quick.final_price, listed.final_price);
}

TEST(PricingIndex, DatesAndPromoCodesOutrankNoTargetLinesForRulesOfOtherCoffees) {
  const std::vector<domain::PricingRule> rules = {
      Rule(1).Coffees({9}).ValidUntil("2026-03-01T00:00:00Z"),
      Rule(2).Coffees({9}).ValidFrom("2026-03-03T00:00:00Z"),
      Rule(3).Coffees({9}).PromoCode("SPRING"),
      Rule(4).Coffees({9}).Percent(0),
      Rule(5).Coffees({9}),
      Rule(6).Coffees({9}).PromoCode("SPRING").ValidUntil("2026-03-01T00:00:00Z"),
      Rule(7).Coffees({9}).PromoCode("AUTUMN")};
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  EXPECT_EQ(Codes(PriceAt(rules, lines, {})), (Reasons{{1, "expired"},
                                                       {2, "not_yet_valid"},
                                                       {3, "promo_code_required"},
                                                       {4, "invalid_config"},
                                                       {5, "no_target_lines"},
                                                       {6, "expired"},
                                                       {7, "promo_code_required"}}));
  // With the code "spring", rule 3 is evaluated (it needs that code) and finds no target line;
  // rule 7 needs another code.
  EXPECT_EQ(Codes(PriceAt(rules, lines, {.promo_code = "spring"})),
            (Reasons{{1, "expired"},
                     {2, "not_yet_valid"},
                     {3, "no_target_lines"},
                     {4, "invalid_config"},
                     {5, "no_target_lines"},
                     {6, "expired"},
                     {7, "promo_code_mismatch"}}));
}

TEST(PricingIndex, RulesOfTheGivenPromoCodeApplyToTheirCoffees) {
  const std::vector<domain::PricingRule> rules = {Rule(1).Coffees({1}).PromoCode("SPRING"),
                                                  Rule(2).PromoCode("Spring").FixedCents(50),
                                                  Rule(3).Coffees({1}).PromoCode("autumn")};
  const std::vector<PricingLine> lines = {Line(1, 1, 1000), Line(2, 1, 500)};
  const auto d = PriceAt(rules, lines, {.promo_code = "spring", .list_not_applied = false});
  ASSERT_EQ(d.applied.size(), 2U);
  EXPECT_EQ(d.applied[0].rule_id.value, 1);
  EXPECT_EQ(d.applied[1].rule_id.value, 2);
  EXPECT_EQ(testing::Cents(d.discount_total), 150);
  EXPECT_TRUE(d.not_applied.empty());  // rule 3 needs another code: not a candidate
  EXPECT_EQ(d.not_applied_count, 1U);
}

TEST(PricingIndex, NotAppliedCountCountsEveryActiveRuleInBothModes) {
  const std::vector<domain::PricingRule> rules = {
      Rule(1).Coffees({1}),
      Rule(2).Coffees({1}).MaxUses(10),
      Rule(3).Coffees({7}),
      Rule(4).Coffees({7}).ValidUntil("2026-03-01T00:00:00Z"),
      Rule(5).Coffees({1}).Inactive(),
      Rule(6).Window("08:00", "09:00")};
  const std::vector<PricingLine> lines = {Line(1, 2, 400)};
  PricingOptions options{.exclusions = {{domain::RuleId{2}, NotAppliedReason::kUsageLimitReached}}};
  const auto listed = PriceAt(rules, lines, options);
  EXPECT_EQ(Codes(listed), (Reasons{{2, "usage_limit_reached"},
                                    {3, "no_target_lines"},
                                    {4, "expired"},
                                    {6, "outside_time_window"}}));
  EXPECT_EQ(listed.not_applied_count, 4U);
  options.list_not_applied = false;
  const auto quick = PriceAt(rules, lines, options);
  EXPECT_EQ(Codes(quick), (Reasons{{2, "usage_limit_reached"}, {6, "outside_time_window"}}));
  EXPECT_EQ(quick.not_applied_count, 4U);
  ASSERT_EQ(quick.applied.size(), 1U);
  EXPECT_EQ(quick.applied[0].rule_id.value, 1);
}

TEST(PricingIndex, AnEmptyOrderStillCountsEveryRule) {
  const std::vector<domain::PricingRule> rules = {Rule(1), Rule(2).Coffees({3})};
  const auto quick = PriceAt(rules, {}, {.list_not_applied = false});
  EXPECT_EQ(Codes(quick), (Reasons{{1, "no_target_lines"}}));
  EXPECT_EQ(quick.not_applied_count, 2U);
}

}  // namespace
}  // namespace coffee::rules
