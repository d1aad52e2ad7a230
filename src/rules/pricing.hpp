#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/money.hpp"
#include "domain/strong_id.hpp"
#include "domain/time.hpp"
#include "rules/shop_clock.hpp"
#include "rules/snapshot.hpp"

namespace coffee::rules {

/// One merged order line: subtotal = unit_price × quantity.
struct PricingLine {
  domain::CoffeeId coffee_id;
  int quantity = 0;
  domain::Money unit_price;
};

/// The priced line: discount + final_price = subtotal, final_price ≥ 0.
struct LinePrice {
  domain::CoffeeId coffee_id;
  domain::Money subtotal;
  domain::Money discount;
  domain::Money final_price;
};

/// A rule of the chosen combination and the discount it actually granted (after caps).
struct AppliedRule {
  domain::RuleId rule_id;
  std::string description;
  domain::Money discount;
};

/// Why an active rule did not contribute to the price.
enum class NotAppliedReason {
  kNotYetValid,           // t < valid_from
  kExpired,               // t > valid_until
  kNoTargetLines,         // none of the rule's coffees is in the order
  kOutsideTimeWindow,     // no time range contains the shop time of day
  kWrongDay,              // a range contains the time, but it started on a day not in days_of_week
  kBelowMinQuantity,      // Σ quantity of target lines < min_quantity
  kLostInBestPrice,       // applies, but best_price chose another rule alone
  kInvalidConfig,         // the stored rule fails validation; never applied
  kPromoCodeRequired,     // the rule needs a promo code and none was given
  kPromoCodeMismatch,     // the rule needs a promo code and another one was given
  kUsageLimitReached,     // the rule's conditions hold, but its max_uses are spent
  kCustomerLimitReached,  // the rule's conditions hold, but this customer's uses are spent
};
/// How many reasons there are: one past the last enumerator (keep it last when adding one).
inline constexpr std::size_t kNotAppliedReasonCount =
    static_cast<std::size_t>(NotAppliedReason::kCustomerLimitReached) + 1;

/// Stable machine code: "not_yet_valid", "expired", "lost_in_best_price", …
std::string_view ToString(NotAppliedReason reason);
/// Human-readable explanation of a reason.
std::string_view Describe(NotAppliedReason reason);

/// An active rule that did not contribute, and why.
struct NotAppliedRule {
  domain::RuleId rule_id;
  NotAppliedReason reason = NotAppliedReason::kNoTargetLines;
  [[nodiscard]] std::string_view code() const { return ToString(reason); }
  [[nodiscard]] std::string_view message() const { return Describe(reason); }
};

/// A rule the caller found at a usage limit: priced as if it did not apply, with this reason
/// (kUsageLimitReached or kCustomerLimitReached) when its conditions hold.
struct RuleExclusion {
  domain::RuleId rule_id;
  NotAppliedReason reason = NotAppliedReason::kUsageLimitReached;
};

/// What an order or quote brings besides its lines.
struct PricingOptions {
  std::string promo_code{};                 // normalized (NormalizePromoCode); empty = none
  std::vector<RuleExclusion> exclusions{};  // rules at a usage limit
  // true: not_applied lists every active rule that did not apply (the quote's contract), which
  // costs a pass over all of them; false: only those the snapshot's index made candidates.
  bool list_not_applied = true;
};

/// Which combination produced the price.
enum class PricingCombination { kNone, kAdditive, kMultiplicative, kSingleRule };

/// The full pricing outcome of an order (SPEC §5.2). (*) With options.list_not_applied false,
/// not_applied holds only the candidate rules that did not apply; not_applied_count counts all.
struct PricingDecision {
  domain::Money base_price;
  domain::Money discount_total;
  domain::Money final_price;
  std::vector<LinePrice> lines;             // input line order
  std::vector<AppliedRule> applied;         // evaluation order (priority desc, id asc)
  std::vector<NotAppliedRule> not_applied;  // every other active rule, evaluation order (*)
  std::size_t not_applied_count = 0;        // how many active rules did not apply, always all
  domain::CombinationStrategy strategy = domain::CombinationStrategy::kBestPrice;  // configured
  PricingCombination combination = PricingCombination::kNone;                      // what was used
  std::optional<domain::RuleId> single_rule;  // set when combination == kSingleRule
  bool capped = false;  // the line floor or max_discount_percent reduced the rules' discounts
  bool max_discount_capped = false;  // max_discount_percent clipped the order's discount

  /// "none", "additive", "multiplicative" or "rule:<id>".
  [[nodiscard]] std::string Chosen() const;
  /// The configured strategy, and for best_price what it chose: "best_price:additive".
  [[nodiscard]] std::string StrategyLabel() const;
};

/// The discount of one rule on basis B (cents): percentage → round-half-away(B × v / 100),
/// fixed_amount → min(v, B); never negative, never above B.
std::int64_t RuleDiscountCents(const EvaluationRule& rule, std::int64_t basis_cents);

/// Splits `total` over `weights` in proportion, by largest remainder (ties: lower index), so
/// that Σ out = total. Requires weights ≥ 0 and, when total > 0, Σ weights > 0.
void AllocateLargestRemainder(std::int64_t total, std::span<const std::int64_t> weights,
                              std::span<std::int64_t> out);

/// Prices merged `lines` at instant `at` whose shop time is `shop` (SPEC §5.2).
///
/// Choices the SPEC leaves open, made here:
/// - Lines are evaluated in coffee-id order, so "earlier line" in largest-remainder ties means
///   the lower coffee id and the result does not depend on the order the client sent; the
///   decision still lists lines in input order.
/// - A line's discount never exceeds its subtotal (two additive rules on one line can ask for
///   more); then, if the order's discount exceeds the cap min(base, round(base × max % / 100)),
///   the cap is split over the lines in proportion to their discounts; then every line whose
///   discount shrank splits its new discount over its rules in proportion to what each asked
///   (ties: earlier rule in evaluation order). Largest remainder at each level keeps
///   Σ lines = Σ applied = discount_total exactly.
/// - best_price compares the discounts actually granted (after floor and cap).
/// - `applied` holds every rule of the chosen combination, even one whose granted discount the
///   cap or earlier rules reduced to 0.00.
/// - lost_in_best_price: the rule's conditions hold, the strategy is best_price and the chosen
///   candidate is another rule alone. As additive always grants at least what any rule alone
///   does and wins ties, no data set produces it today; it stays in the contract for candidates
///   that could.
/// - A rule with a promo code is checked after its dates: without the code it does not apply
///   (promo_code_required, or promo_code_mismatch for another code). A rule listed in
///   options.exclusions whose conditions all hold gets the exclusion's reason.
/// - Only the snapshot's candidates for the order are evaluated (the rules of its lines'
///   coffees, those of every coffee, those of its promo code); any other active rule cannot
///   apply, and its reason (invalid_config, its dates, its promo code, else no_target_lines,
///   in that precedence as for any rule) is listed without evaluating it.
/// Preconditions: quantity ≥ 1 and unit_price ≥ 0 (a non-positive line is never discounted).
PricingDecision PriceOrder(const Snapshot& snapshot, std::span<const PricingLine> lines,
                           domain::Instant at, ShopTime shop, const PricingOptions& options = {});
/// Prices merged `lines` at instant `at`, read in the snapshot's zone.
PricingDecision PriceOrder(const Snapshot& snapshot, std::span<const PricingLine> lines,
                           domain::Instant at, const PricingOptions& options = {});

}  // namespace coffee::rules
