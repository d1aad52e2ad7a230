#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "rules/pricing.hpp"
#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::CombinationStrategy;
using testing::At;
using testing::Cents;
using testing::Line;
using testing::PricingSnapshot;
using testing::RuleBuilder;

constexpr int kWorlds = 2000;
constexpr std::int64_t kCoffees = 8;

struct World {
  std::vector<domain::PricingRule> rules;
  std::vector<PricingLine> lines;
  CombinationStrategy strategy = CombinationStrategy::kBestPrice;
  std::int64_t max_discount = 10000;
  domain::Instant at;
};

int Uniform(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

bool Chance(std::mt19937& rng, int percent) { return Uniform(rng, 1, 100) <= percent; }

domain::PricingRule RandomRule(std::mt19937& rng, std::int64_t id) {
  RuleBuilder rule(id);
  rule.Priority(Uniform(rng, 0, 3));  // few values, so ties are common
  if (Chance(rng, 50)) {
    rule.Percent(Chance(rng, 50) ? Uniform(rng, 1, 20) * 500 : Uniform(rng, 1, 10000));
  } else {
    rule.FixedCents(Uniform(rng, 1, 3000));
  }
  domain::PricingRule built = rule;
  if (Chance(rng, 50)) {
    built.coffee_ids.emplace();
    const int count = Uniform(rng, 1, 4);
    for (int i = 0; i < count; ++i)
      built.coffee_ids->push_back(domain::CoffeeId{Uniform(rng, 1, kCoffees)});
  }
  switch (Uniform(rng, 0, 2)) {
    case 0:
      built.rule_type = domain::RuleType::kTimeBased;
      for (int i = Uniform(rng, 1, 2); i > 0; --i) {
        const int start = Uniform(rng, 0, 1439);
        const int end = (start + Uniform(rng, 1, 1439)) % 1440;
        built.time_ranges.push_back({domain::TimeOfDay{start}, domain::TimeOfDay{end}});
      }
      if (Chance(rng, 40)) {
        for (int day = 1; day <= 7; ++day) {
          if (Chance(rng, 50)) built.days_of_week.push_back(day);
        }
      }
      break;
    case 1:
      built.rule_type = domain::RuleType::kQuantityBased;
      built.min_quantity = Uniform(rng, 1, 8);
      break;
    default:
      built.rule_type = domain::RuleType::kPromotional;
      break;
  }
  if (Chance(rng, 10)) built.valid_from = At("2026-04-01T00:00:00Z");
  if (Chance(rng, 10)) built.valid_until = At("2026-02-01T00:00:00Z");
  if (Chance(rng, 10)) built.is_active = false;
  return built;
}

World RandomWorld(std::mt19937& rng) {
  World w;
  std::vector<std::int64_t> ids(40);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(i) + 1;
  std::shuffle(ids.begin(), ids.end(), rng);
  for (int i = Uniform(rng, 0, 10); i > 0; --i) {
    w.rules.push_back(RandomRule(rng, ids[static_cast<std::size_t>(i)]));
  }
  std::vector<std::int64_t> coffees(kCoffees);
  for (std::size_t i = 0; i < coffees.size(); ++i) coffees[i] = static_cast<std::int64_t>(i) + 1;
  std::shuffle(coffees.begin(), coffees.end(), rng);
  for (int i = Uniform(rng, 1, 6); i > 0; --i) {
    w.lines.push_back(Line(coffees[static_cast<std::size_t>(i)],
                           Chance(rng, 90) ? Uniform(rng, 1, 5) : Uniform(rng, 1, 99),
                           Uniform(rng, 1, 1500)));
  }
  w.strategy = static_cast<CombinationStrategy>(Uniform(rng, 0, 2));
  w.max_discount = Chance(rng, 50) ? 10000 : Uniform(rng, 0, 10000);
  // Any minute of the week starting Monday 2026-03-02.
  w.at = At("2026-03-02T00:00:00Z") + std::chrono::minutes{Uniform(rng, 0, 7 * 1440 - 1)};
  return w;
}

PricingDecision Price(const World& w, CombinationStrategy strategy) {
  return PriceOrder(PricingSnapshot(w.rules, strategy, w.max_discount), w.lines, w.at);
}

std::int64_t Cap(std::int64_t base, std::int64_t max_discount) {
  return std::min(base, domain::DivRoundHalfAwayFromZero(base * max_discount, 10000));
}

class PricingProperties : public ::testing::Test {
 protected:
  std::mt19937 rng_{20260302};
};

TEST_F(PricingProperties, LineAllocationsAlwaysSumToOrderTotals) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    const auto d = Price(w, w.strategy);
    std::int64_t subtotal = 0;
    std::int64_t discount = 0;
    std::int64_t final_price = 0;
    for (const auto& line : d.lines) {
      ASSERT_GE(Cents(line.discount), 0);
      ASSERT_LE(line.discount, line.subtotal);
      ASSERT_EQ(line.discount + line.final_price, line.subtotal);
      subtotal += Cents(line.subtotal);
      discount += Cents(line.discount);
      final_price += Cents(line.final_price);
    }
    ASSERT_EQ(subtotal, Cents(d.base_price));
    ASSERT_EQ(discount, Cents(d.discount_total));
    ASSERT_EQ(final_price, Cents(d.final_price));
    std::int64_t granted = 0;
    for (const auto& a : d.applied) {
      ASSERT_GE(Cents(a.discount), 0);
      granted += Cents(a.discount);
    }
    ASSERT_EQ(granted, Cents(d.discount_total)) << "world " << i;
  }
}

TEST_F(PricingProperties, FinalNeverNegativeNorBelowTheCapFloor) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    const auto d = Price(w, w.strategy);
    const std::int64_t base = Cents(d.base_price);
    ASSERT_GE(Cents(d.final_price), 0);
    ASSERT_GE(Cents(d.final_price), base - Cap(base, w.max_discount)) << "world " << i;
  }
}

TEST_F(PricingProperties, EveryActiveRuleIsReportedExactlyOnce) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    const auto d = Price(w, w.strategy);
    std::map<std::int64_t, int> seen;
    for (const auto& a : d.applied) ++seen[a.rule_id.value];
    for (const auto& n : d.not_applied) ++seen[n.rule_id.value];
    std::map<std::int64_t, int> expected;
    for (const auto& rule : w.rules) {
      if (rule.is_active) expected[rule.id.value] = 1;
    }
    ASSERT_EQ(seen, expected) << "world " << i;
  }
}

TEST_F(PricingProperties, ResultsDoNotDependOnLineOrRuleOrder) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    World shuffled = w;
    std::shuffle(shuffled.lines.begin(), shuffled.lines.end(), rng_);
    std::shuffle(shuffled.rules.begin(), shuffled.rules.end(), rng_);
    const auto a = Price(w, w.strategy);
    const auto b = Price(shuffled, w.strategy);
    const auto per_coffee = [](const PricingDecision& d) {
      std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> out;
      for (const auto& line : d.lines) {
        out[line.coffee_id.value] = {Cents(line.subtotal), Cents(line.discount)};
      }
      return out;
    };
    ASSERT_EQ(per_coffee(a), per_coffee(b)) << "world " << i;
    ASSERT_EQ(a.StrategyLabel(), b.StrategyLabel());
    ASSERT_EQ(a.applied.size(), b.applied.size());
    for (std::size_t r = 0; r < a.applied.size(); ++r) {
      ASSERT_EQ(a.applied[r].rule_id, b.applied[r].rule_id);
      ASSERT_EQ(a.applied[r].discount, b.applied[r].discount);
    }
    ASSERT_EQ(a.not_applied.size(), b.not_applied.size());
    for (std::size_t r = 0; r < a.not_applied.size(); ++r) {
      ASSERT_EQ(a.not_applied[r].rule_id, b.not_applied[r].rule_id);
      ASSERT_EQ(a.not_applied[r].reason, b.not_applied[r].reason);
    }
  }
}

TEST_F(PricingProperties, BestPriceNeverWorseThanAnyCandidate) {
  for (int i = 0; i < kWorlds; ++i) {
    const World w = RandomWorld(rng_);
    const auto best = Price(w, CombinationStrategy::kBestPrice);
    const auto additive = Price(w, CombinationStrategy::kAdditive);
    const auto multiplicative = Price(w, CombinationStrategy::kMultiplicative);
    ASSERT_LE(best.final_price, additive.final_price) << "world " << i;
    ASSERT_LE(best.final_price, multiplicative.final_price) << "world " << i;
    ASSERT_TRUE(best.final_price == additive.final_price ||
                best.final_price == multiplicative.final_price);
    for (const auto& n : best.not_applied) {
      ASSERT_NE(n.reason, NotAppliedReason::kLostInBestPrice);  // additive ≥ any rule alone
    }
    for (const auto& applied : additive.applied) {
      World alone = w;
      std::erase_if(alone.rules, [&](const auto& r) { return r.id != applied.rule_id; });
      ASSERT_LE(best.final_price, Price(alone, CombinationStrategy::kAdditive).final_price);
    }
  }
}

TEST_F(PricingProperties, SingleLineMatchesScalarArithmetic) {
  // With one line and rules that always apply, every strategy reduces to plain arithmetic.
  for (int i = 0; i < kWorlds; ++i) {
    World w;
    w.at = At("2026-03-02T12:00:00Z");
    w.max_discount = Chance(rng_, 50) ? 10000 : Uniform(rng_, 0, 10000);
    w.lines = {Line(1, Uniform(rng_, 1, 9), Uniform(rng_, 1, 2000))};
    for (int r = Uniform(rng_, 1, 5); r > 0; --r) {
      RuleBuilder rule(r);
      rule.Priority(r);  // evaluation order is r = high … 1
      if (Chance(rng_, 50)) {
        rule.Percent(Uniform(rng_, 1, 10000));
      } else {
        rule.FixedCents(Uniform(rng_, 1, 3000));
      }
      w.rules.push_back(rule);
    }
    std::sort(w.rules.begin(), w.rules.end(),
              [](const auto& a, const auto& b) { return a.priority > b.priority; });
    const std::int64_t base = w.lines[0].unit_price.cents() * w.lines[0].quantity;
    const auto discount_on = [](const domain::PricingRule& rule, std::int64_t b) {
      const std::int64_t d =
          rule.discount_type == domain::DiscountType::kPercentage
              ? domain::DivRoundHalfAwayFromZero(b * rule.discount_value.units, 10000)
              : rule.discount_value.units;
      return std::min(d, b);
    };
    std::int64_t additive = 0;
    std::int64_t remaining = base;
    for (const auto& rule : w.rules) {
      additive += discount_on(rule, base);
      remaining -= discount_on(rule, remaining);
    }
    const std::int64_t cap = Cap(base, w.max_discount);
    const std::int64_t expected_additive = std::min({additive, base, cap});
    const std::int64_t expected_multiplicative = std::min(base - remaining, cap);
    ASSERT_EQ(Cents(Price(w, CombinationStrategy::kAdditive).discount_total), expected_additive);
    ASSERT_EQ(Cents(Price(w, CombinationStrategy::kMultiplicative).discount_total),
              expected_multiplicative);
    ASSERT_EQ(Cents(Price(w, CombinationStrategy::kBestPrice).discount_total),
              std::max(expected_additive, expected_multiplicative));
  }
}

}  // namespace
}  // namespace coffee::rules
