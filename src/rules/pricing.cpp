#include "rules/pricing.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace coffee::rules {

namespace {

__extension__ using Int128 = __int128;

using domain::CombinationStrategy;
using domain::Money;

constexpr std::int64_t kPercentScale = 10000;  // 100.00 % in hundredths

std::int64_t RoundHalfAway(Int128 numerator, Int128 denominator) {
  Int128 q = numerator / denominator;
  const Int128 r = numerator % denominator;
  if ((r < 0 ? -r : r) * 2 >= denominator) q += numerator < 0 ? -1 : 1;
  return static_cast<std::int64_t>(q);
}

bool Targets(const EvaluationRule& rule, domain::CoffeeId coffee) {
  return rule.all_coffees ||
         std::binary_search(rule.coffee_ids.begin(), rule.coffee_ids.end(), coffee);
}

int PreviousIsoDay(int day) { return day == 1 ? 7 : day - 1; }

std::optional<NotAppliedReason> CheckTimeWindow(const EvaluationRule& rule, ShopTime shop) {
  bool wrong_day = false;
  for (const auto& range : rule.time_ranges) {
    if (!domain::InDailyWindow(shop.time, range.start, range.end)) continue;
    // A window crossing midnight that we are in before `end` started the previous day.
    const bool started_today = range.start < range.end || shop.time >= range.start;
    const int start_day = started_today ? shop.iso_weekday : PreviousIsoDay(shop.iso_weekday);
    if (rule.days_mask == 0 || (rule.days_mask & (1U << start_day)) != 0) return std::nullopt;
    wrong_day = true;
  }
  return wrong_day ? NotAppliedReason::kWrongDay : NotAppliedReason::kOutsideTimeWindow;
}

/// Why `rule` cannot apply whatever the order's lines: it is invalid, outside its dates, or
/// needs another promo code (in that precedence). Checked first for every rule.
std::optional<NotAppliedReason> CheckUpFront(const EvaluationRule& rule, domain::Instant at,
                                             const std::string& promo_code) {
  if (!rule.valid) return NotAppliedReason::kInvalidConfig;
  if (at < rule.valid_from) return NotAppliedReason::kNotYetValid;
  if (rule.valid_until && at > *rule.valid_until) return NotAppliedReason::kExpired;
  if (!rule.promo_code.empty() && rule.promo_code != promo_code) {
    return promo_code.empty() ? NotAppliedReason::kPromoCodeRequired
                              : NotAppliedReason::kPromoCodeMismatch;
  }
  return std::nullopt;
}

/// The rules that may apply to an order with these lines and promo code, as ascending indexes
/// into evaluation_rules(): the union of the snapshot's index lists for them. Any other active
/// rule is invalid, needs another promo code, or targets none of the lines.
std::vector<std::size_t> Candidates(const Snapshot& snapshot, std::span<const PricingLine> lines,
                                    const std::string& promo_code) {
  std::vector<std::size_t> out;
  std::vector<std::size_t> merged;
  const auto add = [&](std::span<const std::size_t> more) {
    if (more.empty()) return;
    merged.clear();
    std::set_union(out.begin(), out.end(), more.begin(), more.end(), std::back_inserter(merged));
    out.swap(merged);
  };
  add(snapshot.RulesForAllCoffees());
  if (!promo_code.empty()) add(snapshot.RulesForPromoCode(promo_code));
  for (const auto& line : lines) add(snapshot.RulesForCoffee(line.coffee_id));
  return out;
}

/// Work buffers of one evaluation; matrices are row-major [rule][canonical line].
struct Workspace {
  std::size_t lines = 0;
  std::vector<std::int64_t> subtotal;
  std::vector<const EvaluationRule*> applying;
  std::vector<std::uint8_t> target;
  std::vector<std::int64_t> additive;
  std::vector<std::int64_t> multiplicative;
  std::vector<std::int64_t> weights;
  std::vector<std::int64_t> shares;

  std::span<std::int64_t> Row(std::vector<std::int64_t>& m, std::size_t r) const {
    return {m.data() + r * lines, lines};
  }
  bool IsTarget(std::size_t r, std::size_t c) const { return target[r * lines + c] != 0; }
};

/// Allocates rule r's discount over its target lines weighted by `basis` into `out`.
void AllocateRule(Workspace& ws, std::size_t r, std::span<const std::int64_t> basis,
                  std::span<std::int64_t> out) {
  std::int64_t total_basis = 0;
  for (std::size_t c = 0; c < ws.lines; ++c) {
    ws.weights[c] = ws.IsTarget(r, c) ? std::max<std::int64_t>(basis[c], 0) : 0;
    total_basis += ws.weights[c];
  }
  AllocateLargestRemainder(RuleDiscountCents(*ws.applying[r], total_basis),
                           std::span(ws.weights).first(ws.lines), out);
}

/// Σ discount granted by `rows` of `m` after the line floor and the cap.
std::int64_t GrantedTotal(const Workspace& ws, const std::vector<std::int64_t>& m,
                          std::int64_t cap) {
  std::int64_t total = 0;
  for (std::size_t c = 0; c < ws.lines; ++c) {
    std::int64_t line = 0;
    for (std::size_t r = 0; r < ws.applying.size(); ++r) line += m[r * ws.lines + c];
    total += std::min(line, std::max<std::int64_t>(ws.subtotal[c], 0));
  }
  return std::min(total, cap);
}

}  // namespace

std::string_view ToString(NotAppliedReason reason) {
  switch (reason) {
    case NotAppliedReason::kNotYetValid:
      return "not_yet_valid";
    case NotAppliedReason::kExpired:
      return "expired";
    case NotAppliedReason::kNoTargetLines:
      return "no_target_lines";
    case NotAppliedReason::kOutsideTimeWindow:
      return "outside_time_window";
    case NotAppliedReason::kWrongDay:
      return "wrong_day";
    case NotAppliedReason::kBelowMinQuantity:
      return "below_min_quantity";
    case NotAppliedReason::kLostInBestPrice:
      return "lost_in_best_price";
    case NotAppliedReason::kInvalidConfig:
      return "invalid_config";
    case NotAppliedReason::kPromoCodeRequired:
      return "promo_code_required";
    case NotAppliedReason::kPromoCodeMismatch:
      return "promo_code_mismatch";
    case NotAppliedReason::kUsageLimitReached:
      return "usage_limit_reached";
    case NotAppliedReason::kCustomerLimitReached:
      return "customer_limit_reached";
  }
  return "unknown";
}

std::string_view Describe(NotAppliedReason reason) {
  switch (reason) {
    case NotAppliedReason::kNotYetValid:
      return "The rule is not valid yet (valid_from is in the future)";
    case NotAppliedReason::kExpired:
      return "The rule has expired (valid_until has passed)";
    case NotAppliedReason::kNoTargetLines:
      return "The order contains none of the rule's coffees";
    case NotAppliedReason::kOutsideTimeWindow:
      return "Outside the rule's time window";
    case NotAppliedReason::kWrongDay:
      return "The rule's time window does not run on this day";
    case NotAppliedReason::kBelowMinQuantity:
      return "Fewer items of the rule's coffees than its minimum quantity";
    case NotAppliedReason::kLostInBestPrice:
      return "The rule applies, but best_price chose another rule alone";
    case NotAppliedReason::kInvalidConfig:
      return "The stored rule is invalid and is ignored";
    case NotAppliedReason::kPromoCodeRequired:
      return "The rule needs a promo code";
    case NotAppliedReason::kPromoCodeMismatch:
      return "The rule needs a different promo code";
    case NotAppliedReason::kUsageLimitReached:
      return "The rule has been used as many times as it may be";
    case NotAppliedReason::kCustomerLimitReached:
      return "This customer has used the rule as many times as they may";
  }
  return "Unknown reason";
}

std::string PricingDecision::Chosen() const {
  switch (combination) {
    case PricingCombination::kNone:
      return "none";
    case PricingCombination::kAdditive:
      return "additive";
    case PricingCombination::kMultiplicative:
      return "multiplicative";
    case PricingCombination::kSingleRule: {
      // Appending, rather than "rule:" + …, sidesteps a g++ 12 -Wrestrict false positive at -O3.
      std::string chosen = "rule:";
      chosen += std::to_string(single_rule ? single_rule->value : 0);
      return chosen;
    }
  }
  return "none";
}

std::string PricingDecision::StrategyLabel() const {
  std::string label(domain::ToString(strategy));
  if (strategy == CombinationStrategy::kBestPrice) {
    label += ':';
    label += Chosen();
  }
  return label;
}

std::int64_t RuleDiscountCents(const EvaluationRule& rule, std::int64_t basis_cents) {
  if (basis_cents <= 0 || rule.discount_units <= 0) return 0;
  const std::int64_t discount =
      rule.discount_type == domain::DiscountType::kPercentage
          ? RoundHalfAway(Int128{basis_cents} * rule.discount_units, kPercentScale)
          : rule.discount_units;
  return std::min(discount, basis_cents);
}

void AllocateLargestRemainder(std::int64_t total, std::span<const std::int64_t> weights,
                              std::span<std::int64_t> out) {
  const std::size_t n = weights.size();
  Int128 weight_sum = 0;
  for (const auto w : weights) weight_sum += w;
  if (total == 0 || weight_sum <= 0) {
    std::fill(out.begin(), out.end(), 0);
    return;
  }
  std::int64_t assigned = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::int64_t>(Int128{total} * weights[i] / weight_sum);
    assigned += out[i];
  }
  const auto left = static_cast<std::size_t>(total - assigned);
  if (left == 0) return;
  // Fewer cents are left than lines with a non-zero remainder, so each line gets at most one:
  // the `left` lines with the largest remainders (ties: lower index). A partial sort keeps
  // this O(n log n) — with thousands of rules sharing one line's discount, picking them one
  // by one was quadratic.
  std::vector<std::pair<Int128, std::size_t>> remainders(n);
  for (std::size_t i = 0; i < n; ++i) {
    remainders[i] = {Int128{total} * weights[i] % weight_sum, i};
  }
  const auto first = remainders.begin();
  std::partial_sort(first, first + static_cast<std::ptrdiff_t>(left), remainders.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  for (std::size_t j = 0; j < left; ++j) ++out[remainders[j].second];
}

PricingDecision PriceOrder(const Snapshot& snapshot, std::span<const PricingLine> lines,
                           domain::Instant at, ShopTime shop, const PricingOptions& options) {
  const std::size_t n = lines.size();
  const auto& rules = snapshot.evaluation_rules();
  PricingDecision decision;
  decision.strategy = snapshot.pricing_settings().combination_strategy;

  // Lines are evaluated in coffee-id order so that "earlier line" tie-breaks do not depend on
  // how the client ordered its items; results are reported in input order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return lines[a].coffee_id < lines[b].coffee_id;
  });

  Workspace ws;
  ws.lines = n;
  ws.subtotal.resize(n);
  std::int64_t base = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const auto& line = lines[order[c]];
    ws.subtotal[c] = line.unit_price.cents() * line.quantity;
    base += ws.subtotal[c];
  }

  // Conditions, in SPEC order: dates, target lines, then the rule type's own condition; for the
  // candidates only (outcome[i] is that of rules[candidates[i]]).
  const std::vector<std::size_t> candidates = Candidates(snapshot, lines, options.promo_code);
  std::vector<std::optional<NotAppliedReason>> outcome(candidates.size());
  std::vector<std::size_t> applying_at;  // the candidate position of each ws.applying rule
  ws.applying.reserve(candidates.size());
  applying_at.reserve(candidates.size());
  ws.target.reserve(candidates.size() * n);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& rule = rules[candidates[i]];
    outcome[i] = CheckUpFront(rule, at, options.promo_code);
    if (outcome[i]) continue;
    const std::size_t row = ws.target.size();
    std::int64_t target_quantity = 0;
    bool any_target = false;
    for (std::size_t c = 0; c < n; ++c) {
      const bool is_target = Targets(rule, lines[order[c]].coffee_id);
      ws.target.push_back(is_target ? 1 : 0);
      if (is_target) {
        any_target = true;
        target_quantity += lines[order[c]].quantity;
      }
    }
    if (!any_target) {
      outcome[i] = NotAppliedReason::kNoTargetLines;
    } else if (rule.rule_type == domain::RuleType::kTimeBased) {
      outcome[i] = CheckTimeWindow(rule, shop);
    } else if (rule.rule_type == domain::RuleType::kQuantityBased &&
               target_quantity < rule.min_quantity) {
      outcome[i] = NotAppliedReason::kBelowMinQuantity;
    }
    if (!outcome[i]) {
      for (const auto& exclusion : options.exclusions) {
        if (exclusion.rule_id == rule.id) outcome[i] = exclusion.reason;
      }
    }
    if (outcome[i]) {
      ws.target.resize(row);
    } else {
      ws.applying.push_back(&rule);
      applying_at.push_back(i);
    }
  }

  const std::size_t k = ws.applying.size();
  ws.weights.resize(std::max(n, k));
  ws.shares.resize(std::max(n, k));
  const std::int64_t max_percent = std::clamp<std::int64_t>(
      snapshot.pricing_settings().max_discount_percent.units, 0, kPercentScale);
  const std::int64_t cap = std::min(base, RoundHalfAway(Int128{base} * max_percent, kPercentScale));

  // Combinations. Additive: each rule on the original subtotals (a row alone is also that rule's
  // "alone" allocation). Multiplicative: each rule on what earlier rules left.
  ws.additive.assign(k * n, 0);
  ws.multiplicative.assign(k * n, 0);
  std::vector<std::int64_t> remaining = ws.subtotal;
  for (std::size_t r = 0; r < k; ++r) {
    AllocateRule(ws, r, ws.subtotal, ws.Row(ws.additive, r));
    auto row = ws.Row(ws.multiplicative, r);
    AllocateRule(ws, r, remaining, row);
    for (std::size_t c = 0; c < n; ++c) remaining[c] -= row[c];
  }

  // Choose: the configured strategy, or for best_price the largest granted discount (lowest
  // final), first in the order additive, multiplicative, each rule alone winning ties.
  auto combination = PricingCombination::kNone;
  std::size_t single = 0;
  if (k > 0) {
    switch (decision.strategy) {
      case CombinationStrategy::kAdditive:
        combination = PricingCombination::kAdditive;
        break;
      case CombinationStrategy::kMultiplicative:
        combination = PricingCombination::kMultiplicative;
        break;
      case CombinationStrategy::kBestPrice: {
        combination = PricingCombination::kAdditive;
        std::int64_t best = GrantedTotal(ws, ws.additive, cap);
        if (const auto m = GrantedTotal(ws, ws.multiplicative, cap); m > best) {
          combination = PricingCombination::kMultiplicative;
          best = m;
        }
        for (std::size_t r = 0; r < k; ++r) {
          const auto row = ws.Row(ws.additive, r);
          const auto alone =
              std::min(std::accumulate(row.begin(), row.end(), std::int64_t{0}), cap);
          if (alone > best) {
            combination = PricingCombination::kSingleRule;
            single = r;
            best = alone;
          }
        }
        break;
      }
    }
  }

  // The chosen contributions, one row per participating rule.
  std::vector<std::size_t> chosen_rules;
  std::vector<std::int64_t> contrib;
  if (combination == PricingCombination::kSingleRule) {
    chosen_rules = {single};
    const auto row = ws.Row(ws.additive, single);
    contrib.assign(row.begin(), row.end());
  } else if (combination != PricingCombination::kNone) {
    chosen_rules.resize(k);
    std::iota(chosen_rules.begin(), chosen_rules.end(), std::size_t{0});
    contrib = combination == PricingCombination::kAdditive ? ws.additive : ws.multiplicative;
  }
  const std::size_t rows = chosen_rules.size();

  // Floors and cap: a line's discount never exceeds its subtotal; if the order's discount then
  // exceeds the cap, the cap is split over the lines in proportion to their discounts; a line
  // whose discount shrank splits its new discount over its rules in proportion to their
  // contributions. Largest remainder at both levels keeps every sum exact.
  std::vector<std::int64_t> line_raw(n, 0);
  std::vector<std::int64_t> line_discount(n, 0);
  std::int64_t floored_total = 0;
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t r = 0; r < rows; ++r) line_raw[c] += contrib[r * n + c];
    line_discount[c] = std::min(line_raw[c], std::max<std::int64_t>(ws.subtotal[c], 0));
    floored_total += line_discount[c];
  }
  if (floored_total > cap) {
    decision.max_discount_capped = true;
    std::copy(line_discount.begin(), line_discount.end(), ws.weights.begin());
    AllocateLargestRemainder(cap, std::span(ws.weights).first(n), line_discount);
  }
  for (std::size_t c = 0; c < n; ++c) {
    if (line_discount[c] == line_raw[c]) continue;
    decision.capped = true;
    for (std::size_t r = 0; r < rows; ++r) ws.weights[r] = contrib[r * n + c];
    const auto shares = std::span(ws.shares).first(rows);
    AllocateLargestRemainder(line_discount[c], std::span(ws.weights).first(rows), shares);
    for (std::size_t r = 0; r < rows; ++r) contrib[r * n + c] = shares[r];
  }

  decision.lines.resize(n);
  std::int64_t discount_total = 0;
  for (std::size_t c = 0; c < n; ++c) {
    auto& out = decision.lines[order[c]];
    out.coffee_id = lines[order[c]].coffee_id;
    out.subtotal = Money::FromCents(ws.subtotal[c]);
    out.discount = Money::FromCents(line_discount[c]);
    out.final_price = Money::FromCents(ws.subtotal[c] - line_discount[c]);
    discount_total += line_discount[c];
  }
  decision.base_price = Money::FromCents(base);
  decision.discount_total = Money::FromCents(discount_total);
  decision.final_price = Money::FromCents(base - discount_total);
  decision.combination = combination;

  decision.applied.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& rule = *ws.applying[chosen_rules[i]];
    std::int64_t granted = 0;
    for (std::size_t c = 0; c < n; ++c) granted += contrib[i * n + c];
    decision.applied.push_back(
        {rule.id, snapshot.Source(rule).description, Money::FromCents(granted)});
  }
  if (combination == PricingCombination::kSingleRule) {
    decision.single_rule = ws.applying[single]->id;
    for (std::size_t r = 0; r < k; ++r) {
      if (r != single) outcome[applying_at[r]] = NotAppliedReason::kLostInBestPrice;
    }
  }
  decision.not_applied_count = rules.size() - decision.applied.size();
  if (!options.list_not_applied) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (outcome[i]) decision.not_applied.push_back({rules[candidates[i]].id, *outcome[i]});
    }
    return decision;
  }
  // Every active rule in evaluation order: a candidate with its outcome, any other with the
  // reason that precedes target lines if it has one (as it would when evaluated), else
  // no_target_lines. Linear in the active rules, but a comparison or two each.
  decision.not_applied.reserve(decision.not_applied_count);
  for (std::size_t r = 0, i = 0; r < rules.size(); ++r) {
    if (i < candidates.size() && candidates[i] == r) {
      if (outcome[i]) decision.not_applied.push_back({rules[r].id, *outcome[i]});
      ++i;
    } else {
      decision.not_applied.push_back(
          {rules[r].id, CheckUpFront(rules[r], at, options.promo_code)
                            .value_or(NotAppliedReason::kNoTargetLines)});
    }
  }
  return decision;
}

PricingDecision PriceOrder(const Snapshot& snapshot, std::span<const PricingLine> lines,
                           domain::Instant at, const PricingOptions& options) {
  return PriceOrder(snapshot, lines, at, ToShopTime(at, snapshot.zone()), options);
}

}  // namespace coffee::rules
