#include <benchmark/benchmark.h>

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

domain::Instant At(const char* text) { return *domain::ParseTimestamp(text); }

/// 12 coffees with availability and prep rows, `rule_count` active rules of every type.
rules::Snapshot MakeSnapshot(int rule_count = kRules) {
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
    if (i % 3 != 0) {
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

/// Availability + pricing + prep for a 5-line order against `rule_count` active rules.
void RunDecision(benchmark::State& state, int rule_count) {
  const rules::Snapshot snapshot = MakeSnapshot(rule_count);
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
  for (auto _ : state) {
    const rules::ShopTime shop = rules::ToShopTime(at, snapshot.zone());
    auto unavailable = rules::FindUnavailable(snapshot, coffees, shop);
    auto pricing = rules::PriceOrder(snapshot, lines, at, shop);
    auto prep = rules::EstimatePrepTime(snapshot, prep_lines, 17);
    applied += pricing.applied.size();
    benchmark::DoNotOptimize(unavailable);
    benchmark::DoNotOptimize(pricing);
    benchmark::DoNotOptimize(prep);
    at += std::chrono::minutes{7};  // walk through the day so time windows open and close
  }
  state.counters["applied_rules_per_order"] =
      benchmark::Counter(static_cast<double>(applied), benchmark::Counter::kAvgIterations);
}

void BM_FullDecision(benchmark::State& state) { RunDecision(state, kRules); }
BENCHMARK(BM_FullDecision);

/// Cost growth (BENCHMARKS.md): the same decision at 50, 500 and 5000 active rules.
void BM_DecisionGrowth(benchmark::State& state) {
  RunDecision(state, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_DecisionGrowth)->Arg(50)->Arg(500)->Arg(5000);

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
