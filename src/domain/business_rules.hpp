#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/money.hpp"
#include "domain/strong_id.hpp"
#include "domain/time.hpp"

namespace coffee::domain {

// ---- Availability (SPEC §5.1) ----

enum class AvailabilityStatus { kAvailable, kOutOfStock, kSeasonal, kDiscontinued };
std::string_view ToString(AvailabilityStatus s);
std::optional<AvailabilityStatus> ParseAvailabilityStatus(std::string_view text);

/// Whether and when one coffee can be ordered. No row means available all day.
struct Availability {
  CoffeeId coffee_id;
  AvailabilityStatus status = AvailabilityStatus::kAvailable;
  std::optional<std::string> reason;
  std::optional<TimeOfDay> available_from;
  std::optional<TimeOfDay> available_until;
  Instant updated_at;
};

// ---- Pricing (SPEC §5.2) ----

enum class RuleType { kTimeBased, kQuantityBased, kPromotional };
std::string_view ToString(RuleType t);
std::optional<RuleType> ParseRuleType(std::string_view text);

enum class DiscountType { kPercentage, kFixedAmount };
std::string_view ToString(DiscountType t);
std::optional<DiscountType> ParseDiscountType(std::string_view text);

enum class CombinationStrategy { kAdditive, kMultiplicative, kBestPrice };
std::string_view ToString(CombinationStrategy s);
std::optional<CombinationStrategy> ParseCombinationStrategy(std::string_view text);

/// A daily window [start, end) in shop time; start > end crosses midnight.
struct TimeRange {
  TimeOfDay start;
  TimeOfDay end;
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

/// A pricing rule as configured by a manager.
/// discount_value is in hundredths: percentage 15 % → 1500, fixed_amount 2.50 → 250 (cents).
struct PricingRule {
  RuleId id;
  RuleType rule_type = RuleType::kPromotional;
  std::string description;
  DiscountType discount_type = DiscountType::kPercentage;
  Fixed2 discount_value;
  int priority = 0;
  bool is_active = true;
  Instant valid_from;
  std::optional<Instant> valid_until;
  std::optional<std::vector<CoffeeId>> coffee_ids;  // nullopt = every coffee
  std::vector<TimeRange> time_ranges;
  std::vector<int> days_of_week;  // ISO 1=Mon … 7=Sun; empty = every day
  std::optional<int> min_quantity;
  /// The code an order or quote must carry for the rule to apply (trimmed; matched without
  /// regard to ASCII case); nullopt = no code needed.
  std::optional<std::string> promo_code;
  std::optional<std::int64_t> max_uses;               // discounted orders in all; nullopt = no cap
  std::optional<std::int64_t> max_uses_per_customer;  // per customer; nullopt = no cap
  Instant created_at;
  Instant updated_at;
};

/// How applying rules combine, and the cap on the total discount.
struct PricingSettings {
  CombinationStrategy combination_strategy = CombinationStrategy::kBestPrice;
  Fixed2 max_discount_percent{10000};  // 100.00 %
  Instant updated_at;
};

// ---- Prep time (SPEC §5.3) ----

struct PrepTimeConfig {
  CoffeeId coffee_id;
  int base_minutes = 3;
  int per_additional_item = 1;
  Instant updated_at;
};

struct PrepTimeSettings {
  int default_base_minutes = 3;
  int default_per_additional_item = 1;
  int baristas = 1;
  Instant updated_at;
};

// ---- Loyalty (SPEC §5.4) ----

/// points_per_dollar and multipliers carry four decimals (1.5 → 15000).
struct LoyaltyConfig {
  Fixed4 points_per_dollar{10000};
  std::map<CoffeeId, Fixed4> bonus_multipliers;
  Instant updated_at;
};

}  // namespace coffee::domain
