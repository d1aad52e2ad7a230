#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/money.hpp"
#include "domain/strong_id.hpp"
#include "domain/time.hpp"
#include "rules/pricing.hpp"
#include "rules/snapshot.hpp"

namespace coffee::rules {

/// A recorded order to replay: its merged lines (with the unit prices it was charged) and the
/// instant it was placed.
struct ReplayOrder {
  std::string id;
  domain::Instant created_at;
  domain::Money recorded_total;  // what the order was charged
  std::vector<PricingLine> lines;
  std::string promo_code;  // the code it presented (normalized); empty: none
};

/// What one pricing rule did over the replayed orders, under the baseline (each order's own
/// rule-set version) and under the draft. Discounts are what the rule was granted after caps,
/// so Σ over rules of revenue_delta() is the total revenue delta exactly.
struct RuleSimulation {
  domain::RuleId rule_id;
  std::string description;           // the draft's, else the latest baseline's
  bool in_draft = false;             // active in the draft
  std::int64_t baseline_orders = 0;  // orders it granted a discount > 0 under the baseline
  std::int64_t draft_orders = 0;     // orders it granted a discount > 0 under the draft
  domain::Money baseline_discount;
  domain::Money draft_discount;     // its discount cost under the draft
  std::int64_t changed_orders = 0;  // orders where its discount differs between the two
  /// Under the draft, for an active rule that never granted a discount: the reason it most
  /// often did not apply (ties: the earlier reason in NotAppliedReason's order).
  std::optional<NotAppliedReason> usual_reason;

  /// baseline_discount − draft_discount: what the change of this rule adds to revenue.
  [[nodiscard]] domain::Money revenue_delta() const { return baseline_discount - draft_discount; }
};

/// An order whose total the draft changes, with both totals.
struct OrderChange {
  std::string id;
  domain::Instant created_at;
  domain::Money baseline_total;
  domain::Money draft_total;
  [[nodiscard]] domain::Money delta() const { return draft_total - baseline_total; }
};

/// The whole replay.
struct SimulationResult {
  std::int64_t orders = 0;
  std::int64_t changed_orders = 0;  // orders whose total differs between baseline and draft
  domain::Money base_revenue;       // Σ subtotals before discounts (the same under both)
  domain::Money recorded_revenue;   // Σ recorded totals
  domain::Money baseline_revenue;
  domain::Money draft_revenue;
  domain::Money baseline_discount;
  domain::Money draft_discount;
  /// Orders whose baseline replay differs from what they were charged (for instance priced
  /// before their version was recorded): the baseline is exact when this is 0.
  std::int64_t recorded_mismatches = 0;
  std::vector<RuleSimulation> rules;          // by rule id
  std::vector<OrderChange> largest_changes;   // |delta| descending, then id ascending
  std::vector<domain::RuleId> never_applied;  // active in the draft, no discount on any order

  [[nodiscard]] domain::Money revenue_delta() const { return draft_revenue - baseline_revenue; }
};

/// Replays recorded orders under a draft rule set and under the rule set each was priced with,
/// accumulating per rule and in total. Pure: snapshots and orders in, figures out; the caller
/// reads history in pages and keeps the snapshots alive while it adds orders.
class Simulation {
 public:
  /// `draft` prices every order; the `largest` greatest changes are kept.
  explicit Simulation(const Snapshot& draft, std::size_t largest = 10);

  /// Replays one order; `baseline` is the rule set it was priced with.
  void Add(const ReplayOrder& order, const Snapshot& baseline);

  /// The figures so far (the simulation can go on afterwards).
  [[nodiscard]] SimulationResult Result() const;

 private:
  struct RuleTally {
    RuleSimulation figures;
    std::vector<std::int64_t> reasons;  // draft not-applied counts by NotAppliedReason
  };
  RuleTally& Tally(domain::RuleId id, const Snapshot& source);

  const Snapshot& draft_;
  std::size_t largest_;
  SimulationResult totals_;
  std::unordered_map<std::int64_t, RuleTally> rules_;
  std::vector<OrderChange> heap_;  // min-heap of the largest changes so far
  // Per-order scratch, reused: discount by rule under the draft and the baseline.
  std::unordered_map<std::int64_t, std::int64_t> draft_cents_;
  std::unordered_map<std::int64_t, std::int64_t> baseline_cents_;
};

}  // namespace coffee::rules
