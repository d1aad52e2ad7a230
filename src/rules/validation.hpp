#pragma once

#include <map>
#include <string>

#include "domain/business_rules.hpp"

namespace coffee::rules {

/// Field name (JSON spelling) → what is wrong with it; empty when valid.
using FieldErrors = std::map<std::string, std::string>;

inline constexpr int kMaxPrepMinutes = 240;
inline constexpr int kMaxBaristas = 100;
inline constexpr std::size_t kMaxReasonLength = 255;
inline constexpr std::size_t kMaxDescriptionLength = 500;

/// SPEC §5.1: seasonal needs a window; from/until both or neither; reason ≤ 255 characters.
FieldErrors ValidateAvailability(const domain::Availability& row);

/// SPEC §5.2: condition fields per rule type, discount bounds, days, dates, coffee_ids; the
/// promo code's spelling and the usage limits (≥ 1 when set).
/// Whether the coffee ids exist is the caller's check.
FieldErrors ValidatePricingRule(const domain::PricingRule& rule);

/// max_discount_percent within 0–100.
FieldErrors ValidatePricingSettings(const domain::PricingSettings& settings);

/// base_minutes 1–240, per_additional_item 0–240.
FieldErrors ValidatePrepTimeConfig(const domain::PrepTimeConfig& config);

/// Defaults as for a coffee row; baristas 1–100.
FieldErrors ValidatePrepTimeSettings(const domain::PrepTimeSettings& settings);

/// points_per_dollar ≥ 0; every multiplier ≥ 1, keyed "bonus_multipliers.<coffee_id>".
FieldErrors ValidateLoyaltyConfig(const domain::LoyaltyConfig& config);

}  // namespace coffee::rules
