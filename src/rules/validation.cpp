#include "rules/validation.hpp"

#include <array>

#include "rules/promo_code.hpp"

namespace coffee::rules {

namespace {

constexpr std::int64_t kPercentScale = 10000;           // 100.00 % in hundredths
constexpr std::int64_t kMaxFixedAmountCents = 1000000;  // 10000.00
constexpr std::int64_t kMaxPointsPerDollarUnits = std::int64_t{1000} * 10000;
constexpr std::int64_t kMinMultiplierUnits = 10000;
constexpr std::int64_t kMaxMultiplierUnits = std::int64_t{100} * 10000;

void CheckMinutes(FieldErrors& errors, const char* field, int value, int min) {
  if (value < min || value > kMaxPrepMinutes) {
    errors[field] =
        "must be between " + std::to_string(min) + " and " + std::to_string(kMaxPrepMinutes);
  }
}

}  // namespace

FieldErrors ValidateAvailability(const domain::Availability& row) {
  FieldErrors errors;
  const bool has_from = row.available_from.has_value();
  const bool has_until = row.available_until.has_value();
  if (has_from != has_until) {
    errors[has_from ? "available_until" : "available_from"] =
        "available_from and available_until must be given together";
  } else if (has_from && *row.available_from == *row.available_until) {
    errors["available_until"] = "must differ from available_from";
  }
  if (row.status == domain::AvailabilityStatus::kSeasonal && !has_from && !has_until) {
    errors["available_from"] = "is required for seasonal coffees";
    errors["available_until"] = "is required for seasonal coffees";
  }
  if (row.reason && row.reason->size() > kMaxReasonLength) {
    errors["reason"] = "must be at most " + std::to_string(kMaxReasonLength) + " characters";
  }
  if (row.coffee_id.value <= 0) errors["coffee_id"] = "must be a positive integer";
  return errors;
}

FieldErrors ValidatePricingRule(const domain::PricingRule& rule) {
  using domain::DiscountType;
  using domain::RuleType;
  FieldErrors errors;
  if (rule.description.size() > kMaxDescriptionLength) {
    errors["description"] =
        "must be at most " + std::to_string(kMaxDescriptionLength) + " characters";
  }
  switch (rule.rule_type) {
    case RuleType::kTimeBased:
      if (rule.time_ranges.empty()) {
        errors["time_ranges"] = "must contain at least one range for time_based rules";
      } else {
        for (const auto& range : rule.time_ranges) {
          if (range.start == range.end) {
            errors["time_ranges"] = "start and end must differ";
            break;
          }
        }
      }
      break;
    case RuleType::kQuantityBased:
      if (!rule.min_quantity) {
        errors["min_quantity"] = "is required for quantity_based rules";
      } else if (*rule.min_quantity < 1) {
        errors["min_quantity"] = "must be at least 1";
      }
      break;
    case RuleType::kPromotional:
      break;
  }
  const std::int64_t v = rule.discount_value.units;
  if (rule.discount_type == DiscountType::kPercentage) {
    if (v <= 0 || v > kPercentScale) errors["discount_value"] = "must be between 0 and 100";
  } else if (v <= 0 || v > kMaxFixedAmountCents) {
    errors["discount_value"] = "must be between 0 and 10000";
  }
  std::array<bool, 8> seen{};
  for (const int day : rule.days_of_week) {
    if (day < 1 || day > 7) {
      errors["days_of_week"] = "values must be between 1 and 7";
      break;
    }
    if (seen[static_cast<std::size_t>(day)]) {
      errors["days_of_week"] = "values must be unique";
      break;
    }
    seen[static_cast<std::size_t>(day)] = true;
  }
  if (rule.valid_until && *rule.valid_until < rule.valid_from) {
    errors["valid_until"] = "must not be before valid_from";
  }
  if (rule.promo_code && !IsValidPromoCode(*rule.promo_code)) {
    errors["promo_code"] = "must be 1 to " + std::to_string(kMaxPromoCodeLength) +
                           " letters, digits, '-' or '_' (or null for no code)";
  }
  if (rule.max_uses && *rule.max_uses < 1) errors["max_uses"] = "must be at least 1 or null";
  if (rule.max_uses_per_customer && *rule.max_uses_per_customer < 1) {
    errors["max_uses_per_customer"] = "must be at least 1 or null";
  }
  if (rule.coffee_ids) {
    if (rule.coffee_ids->empty()) {
      errors["coffee_ids"] = "must not be empty (omit it or use null for every coffee)";
    } else {
      for (const auto id : *rule.coffee_ids) {
        if (id.value <= 0) {
          errors["coffee_ids"] = "must contain positive coffee ids";
          break;
        }
      }
    }
  }
  return errors;
}

FieldErrors ValidatePricingSettings(const domain::PricingSettings& settings) {
  FieldErrors errors;
  const std::int64_t v = settings.max_discount_percent.units;
  if (v < 0 || v > kPercentScale) errors["max_discount_percent"] = "must be between 0 and 100";
  return errors;
}

FieldErrors ValidatePrepTimeConfig(const domain::PrepTimeConfig& config) {
  FieldErrors errors;
  CheckMinutes(errors, "base_minutes", config.base_minutes, 1);
  CheckMinutes(errors, "per_additional_item", config.per_additional_item, 0);
  if (config.coffee_id.value <= 0) errors["coffee_id"] = "must be a positive integer";
  return errors;
}

FieldErrors ValidatePrepTimeSettings(const domain::PrepTimeSettings& settings) {
  FieldErrors errors;
  CheckMinutes(errors, "default_base_minutes", settings.default_base_minutes, 1);
  CheckMinutes(errors, "default_per_additional_item", settings.default_per_additional_item, 0);
  if (settings.baristas < 1 || settings.baristas > kMaxBaristas) {
    errors["baristas"] = "must be between 1 and " + std::to_string(kMaxBaristas);
  }
  return errors;
}

FieldErrors ValidateLoyaltyConfig(const domain::LoyaltyConfig& config) {
  FieldErrors errors;
  const std::int64_t ppd = config.points_per_dollar.units;
  if (ppd < 0 || ppd > kMaxPointsPerDollarUnits) {
    errors["points_per_dollar"] = "must be between 0 and 1000";
  }
  for (const auto& [coffee_id, multiplier] : config.bonus_multipliers) {
    const std::string field = "bonus_multipliers." + std::to_string(coffee_id.value);
    if (coffee_id.value <= 0) {
      errors[field] = "key must be a positive coffee id";
    } else if (multiplier.units < kMinMultiplierUnits) {
      errors[field] = "must be at least 1";
    } else if (multiplier.units > kMaxMultiplierUnits) {
      errors[field] = "must be at most 100";
    }
  }
  return errors;
}

}  // namespace coffee::rules
