#include "rules/simulation.hpp"

#include <algorithm>
#include <cstdlib>

namespace coffee::rules {
namespace {

/// a ranks before b among the largest changes: greater |delta|, then lower id.
bool Greater(const OrderChange& a, const OrderChange& b) {
  const std::int64_t da = std::llabs(a.delta().cents());
  const std::int64_t db = std::llabs(b.delta().cents());
  if (da != db) return da > db;
  return a.id < b.id;
}

}  // namespace

Simulation::Simulation(const Snapshot& draft, std::size_t largest)
    : draft_(draft), largest_(largest) {
  for (const auto& rule : draft_.evaluation_rules()) {
    Tally(rule.id, draft_).figures.in_draft = rule.valid;
  }
}

Simulation::RuleTally& Simulation::Tally(domain::RuleId id, const Snapshot& source) {
  auto [it, inserted] = rules_.try_emplace(id.value);
  if (inserted) {
    it->second.figures.rule_id = id;
    if (const auto* rule = source.FindPricingRule(id))
      it->second.figures.description = rule->description;
    it->second.reasons.assign(kNotAppliedReasonCount, 0);
  }
  return it->second;
}

void Simulation::Add(const ReplayOrder& order, const Snapshot& baseline) {
  // Usage limits are not replayed: no exclusions. The draft's reasons are tallied for every
  // rule; of the baseline only the price and the applied rules are read.
  const PricingOptions options{order.promo_code, {}};
  const PricingDecision drafted = PriceOrder(draft_, order.lines, order.created_at, options);
  const PricingDecision before =
      PriceOrder(baseline, order.lines, order.created_at,
                 PricingOptions{.promo_code = order.promo_code, .list_not_applied = false});

  ++totals_.orders;
  totals_.base_revenue += before.base_price;
  totals_.recorded_revenue += order.recorded_total;
  totals_.baseline_revenue += before.final_price;
  totals_.draft_revenue += drafted.final_price;
  totals_.baseline_discount += before.discount_total;
  totals_.draft_discount += drafted.discount_total;
  if (before.final_price != order.recorded_total) ++totals_.recorded_mismatches;

  baseline_cents_.clear();
  draft_cents_.clear();
  for (const auto& applied : before.applied) {
    auto& figures = Tally(applied.rule_id, baseline).figures;
    figures.baseline_discount += applied.discount;
    if (applied.discount.cents() > 0) ++figures.baseline_orders;
    baseline_cents_[applied.rule_id.value] += applied.discount.cents();
  }
  for (const auto& applied : drafted.applied) {
    auto& figures = Tally(applied.rule_id, draft_).figures;
    figures.draft_discount += applied.discount;
    if (applied.discount.cents() > 0) ++figures.draft_orders;
    draft_cents_[applied.rule_id.value] += applied.discount.cents();
  }
  for (const auto& missed : drafted.not_applied) {
    ++Tally(missed.rule_id, draft_).reasons.at(static_cast<std::size_t>(missed.reason));
  }
  for (const auto& [id, cents] : baseline_cents_) {
    auto it = draft_cents_.find(id);
    if (it == draft_cents_.end() ? cents != 0 : it->second != cents)
      ++rules_.at(id).figures.changed_orders;
  }
  for (const auto& [id, cents] : draft_cents_) {
    if (cents != 0 && !baseline_cents_.contains(id)) ++rules_.at(id).figures.changed_orders;
  }

  if (drafted.final_price == before.final_price) return;
  ++totals_.changed_orders;
  if (largest_ == 0) return;
  OrderChange change{order.id, order.created_at, before.final_price, drafted.final_price};
  if (heap_.size() < largest_) {
    heap_.push_back(std::move(change));
    std::push_heap(heap_.begin(), heap_.end(), Greater);
  } else if (Greater(change, heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), Greater);
    heap_.back() = std::move(change);
    std::push_heap(heap_.begin(), heap_.end(), Greater);
  }
}

SimulationResult Simulation::Result() const {
  SimulationResult result = totals_;
  result.rules.reserve(rules_.size());
  for (const auto& [id, tally] : rules_) {
    RuleSimulation figures = tally.figures;
    if (figures.in_draft && figures.draft_orders == 0) {
      result.never_applied.push_back(figures.rule_id);
      const auto most = std::max_element(tally.reasons.begin(), tally.reasons.end());
      if (*most > 0)
        figures.usual_reason = static_cast<NotAppliedReason>(most - tally.reasons.begin());
    }
    result.rules.push_back(std::move(figures));
  }
  std::sort(result.rules.begin(), result.rules.end(),
            [](const auto& a, const auto& b) { return a.rule_id.value < b.rule_id.value; });
  std::sort(result.never_applied.begin(), result.never_applied.end(),
            [](auto a, auto b) { return a.value < b.value; });
  result.largest_changes = heap_;
  std::sort(result.largest_changes.begin(), result.largest_changes.end(), Greater);
  return result;
}

}  // namespace coffee::rules
