#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "app/ports/store.hpp"
#include "domain/business_rules.hpp"

namespace coffee::app {

/// One coffee's availability as the API shows it: the stored row (or the no-row default) and
/// whether it can be ordered at the moment it was read.
struct AvailabilityView {
  domain::Availability row;
  bool has_row = false;
  bool available_now = true;
};

/// One coffee's prep time: its own row, or the settings' defaults when it has none.
struct PrepTimeView {
  domain::PrepTimeConfig config;
  bool is_default = false;
};

// The JSON bodies of SPEC §5 (snake_case) are shared by the API responses and the change log, so
// that a change record's before/after is exactly what the API returned.

/// {coffee_id, status, reason, available_from, available_until, available_now, updated_at}.
boost::json::object AvailabilityJson(const AvailabilityView& view);
/// Every rule field; discount_value as a number (15, 2.5); coffee_ids null for every coffee;
/// promo_code, max_uses and max_uses_per_customer null when unset; requires_promo_code. (`uses`
/// is not a field: it is usage, not configuration.)
boost::json::object PricingRuleJson(const domain::PricingRule& rule);
/// {combination_strategy, max_discount_percent, updated_at}.
boost::json::object PricingSettingsJson(const domain::PricingSettings& settings);
/// {default_base_minutes, default_per_additional_item, baristas, updated_at}.
boost::json::object PrepTimeSettingsJson(const domain::PrepTimeSettings& settings);
/// {coffee_id, base_minutes, per_additional_item, is_default, updated_at}.
boost::json::object PrepTimeJson(const PrepTimeView& view);
/// {points_per_dollar, bonus_multipliers: {"<coffee_id>": m}, updated_at}.
boost::json::object LoyaltyConfigJson(const domain::LoyaltyConfig& config);

/// Compact JSON text of a value, as stored in the change log.
std::string JsonText(const boost::json::value& value);

}  // namespace coffee::app
