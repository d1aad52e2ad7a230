#include "rules/warnings.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "rules/shop_clock.hpp"

namespace coffee::rules {

namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::int64_t kPercentScale = 10000;

/// A daily window [start, end) as at most two intervals of minutes that do not cross midnight.
std::vector<std::pair<int, int>> Intervals(domain::TimeOfDay start, domain::TimeOfDay end) {
  if (start.minutes < end.minutes) return {{start.minutes, end.minutes}};
  if (start.minutes == end.minutes) return {};
  return {{start.minutes, kMinutesPerDay}, {0, end.minutes}};
}

/// True if some minute of the day lies in both daily windows.
bool WindowsOverlap(domain::TimeRange range, domain::TimeOfDay from, domain::TimeOfDay until) {
  for (const auto& [s1, e1] : Intervals(range.start, range.end)) {
    for (const auto& [s2, e2] : Intervals(from, until)) {
      if (std::max(s1, s2) < std::min(e1, e2)) return true;
    }
  }
  return false;
}

bool Contains(const std::vector<int>& days, int day) {
  return std::find(days.begin(), days.end(), day) != days.end();
}

/// Whether a window of `rule` that started on one of its days holds at `shop` (as pricing reads
/// it: a window crossing midnight belongs to the day it started on).
bool InWindow(const domain::PricingRule& rule, ShopTime shop) {
  for (const auto& range : rule.time_ranges) {
    if (!domain::InDailyWindow(shop.time, range.start, range.end)) continue;
    const bool started_today = range.start < range.end || shop.time >= range.start;
    const int start_day =
        started_today ? shop.iso_weekday : (shop.iso_weekday == 1 ? 7 : shop.iso_weekday - 1);
    if (rule.days_of_week.empty() || Contains(rule.days_of_week, start_day)) return true;
  }
  return false;
}

/// Whether some instant of [valid_from, valid_until] is in one of the rule's windows. Windows
/// change only at whole minutes, so the ends and every whole minute between are enough.
bool MeetsAWindow(const domain::PricingRule& rule, domain::Instant until,
                  const date::time_zone* zone) {
  if (InWindow(rule, ToShopTime(rule.valid_from, zone))) return true;
  auto t = std::chrono::ceil<std::chrono::minutes>(rule.valid_from);
  for (; t < until; t += std::chrono::minutes(1)) {
    if (InWindow(rule, ToShopTime(t, zone))) return true;
  }
  return InWindow(rule, ToShopTime(until, zone));
}

std::vector<domain::CoffeeId> SortedTargets(const domain::PricingRule& rule) {
  std::vector<domain::CoffeeId> ids = rule.coffee_ids.value_or(std::vector<domain::CoffeeId>{});
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

/// Applies to every order of its coffees while valid: no window, no minimum above 1, no code,
/// no usage limit.
bool Unconditional(const domain::PricingRule& rule) {
  if (rule.rule_type == domain::RuleType::kTimeBased) return false;
  if (rule.rule_type == domain::RuleType::kQuantityBased && rule.min_quantity.value_or(1) > 1) {
    return false;
  }
  return !rule.promo_code && !rule.max_uses && !rule.max_uses_per_customer;
}

bool Expired(const domain::PricingRule& rule, domain::Instant now) {
  return rule.valid_until && *rule.valid_until < now;
}

/// Whether the two rules' validity periods share an instant.
bool ValidTogether(const domain::PricingRule& a, const domain::PricingRule& b) {
  const auto from = std::max(a.valid_from, b.valid_from);
  return (!a.valid_until || from <= *a.valid_until) && (!b.valid_until || from <= *b.valid_until);
}

/// The combined percentage (hundredths) of two percentage rules under the strategy.
std::int64_t Combined(std::int64_t a, std::int64_t b, domain::CombinationStrategy strategy) {
  if (strategy == domain::CombinationStrategy::kMultiplicative) {
    return a + b - a * b / kPercentScale;
  }
  return a + b;  // additive, and best_price, which takes additive (never smaller)
}

std::string Percent(std::int64_t hundredths) {
  return domain::Fixed2{hundredths}.ToString() + " %";
}

bool Stackable(const domain::PricingRule& rule, domain::Instant now) {
  return rule.is_active && rule.discount_type == domain::DiscountType::kPercentage &&
         Unconditional(rule) && !Expired(rule, now);
}

}  // namespace

std::string_view ToString(WarningCode code) {
  switch (code) {
    case WarningCode::kExpired:
      return "expired";
    case WarningCode::kQuantityUnreachable:
      return "quantity_unreachable";
    case WarningCode::kDaysNeverMeetWindow:
      return "days_never_meet_window";
    case WarningCode::kOutsideAvailability:
      return "outside_availability";
    case WarningCode::kStacksToCap:
      return "stacks_to_cap";
  }
  return "unknown";
}

std::vector<RuleWarning> RuleWarnings(const domain::PricingRule& rule,
                                      const WarningContext& context) {
  std::vector<RuleWarning> out;
  if (!rule.is_active) return out;
  const auto warn = [&](WarningCode code, std::string message) {
    out.push_back({code, rule.id, std::nullopt, std::nullopt, std::move(message)});
  };

  if (Expired(rule, context.now)) {
    warn(WarningCode::kExpired, "valid_until " + domain::FormatTimestamp(*rule.valid_until) +
                                    " has passed: the rule never applies again");
  }

  const auto targets = SortedTargets(rule);
  if (rule.rule_type == domain::RuleType::kQuantityBased && rule.min_quantity) {
    const auto lines =
        rule.coffee_ids
            ? std::min<std::int64_t>(kMaxOrderLines, static_cast<std::int64_t>(targets.size()))
            : kMaxOrderLines;
    const std::int64_t reachable = kMaxQuantityPerCoffee * lines;
    if (*rule.min_quantity > reachable) {
      warn(WarningCode::kQuantityUnreachable,
           "min_quantity " + std::to_string(*rule.min_quantity) + " is above the " +
               std::to_string(reachable) + " items an order of the rule's coffees can hold (" +
               std::to_string(lines) + " line(s) of at most 99): the rule never applies");
    }
  }

  if (rule.rule_type == domain::RuleType::kTimeBased && !rule.days_of_week.empty() &&
      !rule.time_ranges.empty() && rule.valid_until && *rule.valid_until >= rule.valid_from &&
      *rule.valid_until - rule.valid_from < std::chrono::days(7) &&
      !MeetsAWindow(rule, *rule.valid_until, context.zone)) {
    warn(WarningCode::kDaysNeverMeetWindow,
         "no time range runs on one of days_of_week between valid_from and valid_until: the "
         "rule never applies");
  }

  if (rule.rule_type == domain::RuleType::kTimeBased && rule.coffee_ids &&
      !rule.time_ranges.empty()) {
    for (const auto& row : context.availability) {
      if (!row.available_from || !row.available_until ||
          !std::binary_search(targets.begin(), targets.end(), row.coffee_id)) {
        continue;
      }
      const bool meets = std::any_of(
          rule.time_ranges.begin(), rule.time_ranges.end(), [&](const domain::TimeRange& range) {
            return WindowsOverlap(range, *row.available_from, *row.available_until);
          });
      if (!meets) {
        out.push_back({WarningCode::kOutsideAvailability, rule.id, std::nullopt, row.coffee_id,
                       "no time range meets coffee " + std::to_string(row.coffee_id.value) +
                           "'s availability window " + row.available_from->ToString() + "-" +
                           row.available_until->ToString() + ": the rule never applies to it"});
      }
    }
  }

  const std::int64_t cap = context.settings.max_discount_percent.units;
  if (Stackable(rule, context.now)) {
    for (const auto& other : context.other_rules) {
      if (other.id == rule.id || !Stackable(other, context.now) ||
          SortedTargets(other) != targets ||
          other.coffee_ids.has_value() != rule.coffee_ids.has_value() ||
          !ValidTogether(rule, other)) {
        continue;
      }
      const auto combined = Combined(rule.discount_value.units, other.discount_value.units,
                                     context.settings.combination_strategy);
      if (combined >= cap) {
        out.push_back({WarningCode::kStacksToCap, rule.id, other.id, std::nullopt,
                       "with rule " + std::to_string(other.id.value) + " it always gives " +
                           Percent(combined) + ", at or above max_discount_percent " +
                           Percent(cap)});
      }
    }
  }
  return out;
}

std::vector<RuleWarning> SnapshotWarnings(const Snapshot& snapshot,
                                          std::span<const domain::CoffeeId> coffees,
                                          domain::Instant now) {
  const WarningContext context{snapshot.pricing_rules(), snapshot.availability(),
                               snapshot.pricing_settings(), now, snapshot.zone()};
  std::vector<RuleWarning> out;
  for (const auto& rule : snapshot.pricing_rules()) {
    if (!rule.is_active) continue;
    if (!coffees.empty() && rule.coffee_ids) {
      const bool targets_one = std::any_of(coffees.begin(), coffees.end(), [&](auto id) {
        return std::find(rule.coffee_ids->begin(), rule.coffee_ids->end(), id) !=
               rule.coffee_ids->end();
      });
      if (!targets_one) continue;
    }
    auto warnings = RuleWarnings(rule, context);
    std::move(warnings.begin(), warnings.end(), std::back_inserter(out));
  }
  return out;
}

}  // namespace coffee::rules
