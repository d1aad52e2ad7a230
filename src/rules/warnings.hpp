#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/strong_id.hpp"
#include "domain/time.hpp"
#include "rules/snapshot.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace coffee::rules {

/// The most items of one coffee an order can hold (after merging its lines).
inline constexpr std::int64_t kMaxQuantityPerCoffee = 99;
/// The most lines an order can hold.
inline constexpr std::int64_t kMaxOrderLines = 50;

/// A rule configuration that is valid but cannot do what it says (issue 14 item 3). Warnings
/// never refuse a change.
enum class WarningCode {
  kExpired,              // valid_until has passed
  kQuantityUnreachable,  // min_quantity above what an order of the rule's coffees can hold
  kDaysNeverMeetWindow,  // between valid_from and valid_until no window runs on days_of_week
  kOutsideAvailability,  // no time range meets a target coffee's availability window
  kStacksToCap,          // with another rule it always reaches max_discount_percent
};

/// Stable machine code: "expired", "quantity_unreachable", "days_never_meet_window",
/// "outside_availability", "stacks_to_cap".
std::string_view ToString(WarningCode code);

/// One warning about one rule.
struct RuleWarning {
  WarningCode code = WarningCode::kExpired;
  domain::RuleId rule_id;
  std::optional<domain::RuleId> other_rule_id;  // kStacksToCap
  std::optional<domain::CoffeeId> coffee_id;    // kOutsideAvailability
  std::string message;
};

/// The rest of the configuration a rule is checked against.
struct WarningContext {
  std::span<const domain::PricingRule> other_rules;  // the rule itself is skipped by id
  std::span<const domain::Availability> availability;
  domain::PricingSettings settings;
  domain::Instant now;
  const date::time_zone* zone = nullptr;  // windows and days are read in it; nullptr = UTC
};

/// The warnings about `rule` (an inactive rule has none), in the order of WarningCode.
///
/// Choices made here, each so that a warning is never wrong (a rule may still never apply
/// without one):
/// - quantity_unreachable: an order holds at most 99 of a coffee and 50 lines, so a rule
///   reaches at most 99 × min(50, its coffees) items (4950 for every coffee).
/// - days_never_meet_window: only for a time_based rule with days_of_week whose validity is
///   shorter than a week (a week or more meets every day); every minute of the validity is
///   read in the shop's zone, as orders are.
/// - outside_availability: only for the coffees a rule names (a rule on every coffee is meant
///   for whichever is available); one warning per coffee whose window no range meets.
/// - stacks_to_cap: two active percentage rules on the same coffees, neither with a condition
///   (no window, no minimum above 1, no promo code, no usage limit), both valid at some common
///   instant and not expired, whose combination under the strategy reaches the cap (best_price
///   takes additive, which is the larger).
std::vector<RuleWarning> RuleWarnings(const domain::PricingRule& rule,
                                      const WarningContext& context);

/// The warnings about every active rule of `snapshot` that targets one of `coffees` (all of
/// them when `coffees` is empty), rule by rule in id order.
std::vector<RuleWarning> SnapshotWarnings(const Snapshot& snapshot,
                                          std::span<const domain::CoffeeId> coffees,
                                          domain::Instant now);

}  // namespace coffee::rules
