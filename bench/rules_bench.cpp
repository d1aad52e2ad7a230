#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <vector>

#include "domain/business_rules.hpp"
#include "rules/availability.hpp"
#include "rules/prep_time.hpp"
#include "rules/pricing.hpp"
#include "rules/shop_clock.hpp"
#include "rules/snapshot.hpp"

namespace {

using namespace coffee;

constexpr int kCoffees = 12;
constexpr int kRules = 50;
constexpr int kAllCoffeeRules = 5;  // of a spread snapshot

/// Which coffees a snapshot's rules target.
enum class Targets {
  kOrderCoffees,  // 2 of the 12 coffees the order draws from, or every coffee (1 rule in 3)
  kSpread,        // kAllCoffeeRules on every coffee, each other on 2 coffees of a catalog of
                  // max(12, rules − 5) coffees, each coffee listed by 2 rules
};

domain::Instant At(const char* text) { return *domain::ParseTimestamp(text); }

/// 12 coffees with availability and prep rows, `rule_count` active rules of every type.
rules::Snapshot MakeSnapshot(int rule_count = kRules, Targets targets = Targets::kOrderCoffees) {
  const int catalog = std::max(kCoffees, rule_count - kAllCoffeeRules);
  rules::SnapshotData data;
  data.zone = rules::FindTimeZone("Europe/Paris");
  for (int c = 1; c <= kCoffees; ++c) {
    domain::Availability row;
    row.coffee_id = domain::CoffeeId{c};
    if (c % 4 == 0) {
      row.available_from = domain::TimeOfDay{6 * 60};
      row.available_until = domain::TimeOfDay{22 * 60};
    }
    data.availability.push_back(row);
    data.prep_times.push_back({domain::CoffeeId{c}, 2 + c % 4, 1, {}});
  }
  for (int i = 1; i <= rule_count; ++i) {
    domain::PricingRule rule;
    rule.id = domain::RuleId{i};
    rule.description = "Rule number " + std::to_string(i);
    rule.priority = i % 7;
    rule.valid_from = At("2026-01-01T00:00:00Z");
    if (i % 5 == 0) rule.valid_until = At("2026-12-31T00:00:00Z");
    if (i % 2 == 0) {
      rule.discount_type = domain::DiscountType::kPercentage;
      rule.discount_value = domain::Fixed2{100 * (1 + i % 20)};
    } else {
      rule.discount_type = domain::DiscountType::kFixedAmount;
      rule.discount_value = domain::Fixed2{25 * (1 + i % 8)};
    }
    if (targets == Targets::kSpread) {
      const int j = i - kAllCoffeeRules - 1;
      if (j >= 0) {
        rule.coffee_ids = std::vector<domain::CoffeeId>{
            domain::CoffeeId{1 + j % catalog}, domain::CoffeeId{1 + (j + catalog / 2) % catalog}};
      }
    } else if (i % 3 != 0) {
      rule.coffee_ids = std::vector<domain::CoffeeId>{domain::CoffeeId{1 + i % kCoffees},
                                                      domain::CoffeeId{1 + (i * 5) % kCoffees}};
    }
    switch (i % 3) {
      case 0:
        rule.rule_type = domain::RuleType::kTimeBased;
        rule.time_ranges = {
            {domain::TimeOfDay{(i * 37) % 1440}, domain::TimeOfDay{(i * 37 + 240) % 1440}}};
        if (i % 2 == 0) rule.days_of_week = {1, 2, 3, 4, 5};
        break;
      case 1:
        rule.rule_type = domain::RuleType::kQuantityBased;
        rule.min_quantity = 1 + i % 4;
        break;
      default:
        rule.rule_type = domain::RuleType::kPromotional;
        break;
    }
    data.pricing_rules.push_back(std::move(rule));
  }
  data.pricing_settings.combination_strategy = domain::CombinationStrategy::kBestPrice;
  data.pricing_settings.max_discount_percent = domain::Fixed2{5000};
  return rules::Snapshot::Build(std::move(data));
}

/// Availability + pricing + prep for a 5-line order against `snapshot`'s rules.
void RunDecision(benchmark::State& state, const rules::Snapshot& snapshot,
                 const rules::PricingOptions& options = {}) {
  const std::array<rules::PricingLine, 5> lines = {{
      {domain::CoffeeId{2}, 2, domain::Money::FromCents(450)},
      {domain::CoffeeId{5}, 1, domain::Money::FromCents(500)},
      {domain::CoffeeId{7}, 3, domain::Money::FromCents(425)},
      {domain::CoffeeId{8}, 1, domain::Money::FromCents(350)},
      {domain::CoffeeId{11}, 2, domain::Money::FromCents(475)},
  }};
  std::array<domain::CoffeeId, 5> coffees{};
  std::array<rules::PrepLine, 5> prep_lines{};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    coffees[i] = lines[i].coffee_id;
    prep_lines[i] = {lines[i].coffee_id, lines[i].quantity};
  }
  domain::Instant at = At("2026-03-04T13:30:00Z");
  std::size_t applied = 0;
  std::size_t listed = 0;
  for (auto _ : state) {
    const rules::ShopTime shop = rules::ToShopTime(at, snapshot.zone());
    auto unavailable = rules::FindUnavailable(snapshot, coffees, shop);
    auto pricing = rules::PriceOrder(snapshot, lines, at, shop, options);
    auto prep = rules::EstimatePrepTime(snapshot, prep_lines, 17);
    applied += pricing.applied.size();
    listed += pricing.not_applied.size();
    benchmark::DoNotOptimize(unavailable);
    benchmark::DoNotOptimize(pricing);
    benchmark::DoNotOptimize(prep);
    at += std::chrono::minutes{7};  // walk through the day so time windows open and close
  }
  state.counters["applied_rules_per_order"] =
      benchmark::Counter(static_cast<double>(applied), benchmark::Counter::kAvgIterations);
  state.counters["listed_not_applied_per_order"] =
      benchmark::Counter(static_cast<double>(listed), benchmark::Counter::kAvgIterations);
}

void BM_FullDecision(benchmark::State& state) { RunDecision(state, MakeSnapshot()); }
BENCHMARK(BM_FullDecision);

/// Cost growth (BENCHMARKS.md): the same decision at 50, 500 and 5000 active rules, every one
/// of them on the order's coffees.
void BM_DecisionGrowth(benchmark::State& state) {
  RunDecision(state, MakeSnapshot(static_cast<int>(state.range(0))));
}
BENCHMARK(BM_DecisionGrowth)->Arg(50)->Arg(500)->Arg(5000);

/// Cost growth of order placement when the rules are spread over a catalog (Targets::kSpread):
/// the order meets the same ~15 rules at every size, and lists only those it evaluated
/// (list_not_applied false, as OrderService::Place prices).
void BM_DecisionGrowthSpreadOrder(benchmark::State& state) {
  RunDecision(state, MakeSnapshot(static_cast<int>(state.range(0)), Targets::kSpread),
              {.list_not_applied = false});
}
BENCHMARK(BM_DecisionGrowthSpreadOrder)->Arg(50)->Arg(500)->Arg(5000);

/// The same for a quote, which lists every active rule with why it did not apply (SPEC §6):
/// linear in the rules by contract, a comparison or two for each rule the order does not meet.
void BM_DecisionGrowthSpreadQuote(benchmark::State& state) {
  RunDecision(state, MakeSnapshot(static_cast<int>(state.range(0)), Targets::kSpread));
}
BENCHMARK(BM_DecisionGrowthSpreadQuote)->Arg(50)->Arg(500)->Arg(5000);

void BM_PricingOnly(benchmark::State& state) {
  const rules::Snapshot snapshot = MakeSnapshot();
  const std::array<rules::PricingLine, 5> lines = {{
      {domain::CoffeeId{2}, 2, domain::Money::FromCents(450)},
      {domain::CoffeeId{5}, 1, domain::Money::FromCents(500)},
      {domain::CoffeeId{7}, 3, domain::Money::FromCents(425)},
      {domain::CoffeeId{8}, 1, domain::Money::FromCents(350)},
      {domain::CoffeeId{11}, 2, domain::Money::FromCents(475)},
  }};
  const domain::Instant at = At("2026-03-04T13:30:00Z");
  const rules::ShopTime shop = rules::ToShopTime(at, snapshot.zone());
  for (auto _ : state) {
    auto pricing = rules::PriceOrder(snapshot, lines, at, shop);
    benchmark::DoNotOptimize(pricing);
  }
}
BENCHMARK(BM_PricingOnly);

void BM_ShopTime(benchmark::State& state) {
  const auto* zone = rules::FindTimeZone("Europe/Paris");
  domain::Instant at = At("2026-03-04T13:30:00Z");
  for (auto _ : state) {
    benchmark::DoNotOptimize(rules::ToShopTime(at, zone));
    at += std::chrono::minutes{7};
  }
}
BENCHMARK(BM_ShopTime);

}  // namespace

BENCHMARK_MAIN();
