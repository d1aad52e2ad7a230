#include "app/rules_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace coffee::app {

namespace json = boost::json;

namespace {

/// A fixed-point decimal as a JSON number: an integer when whole (15, not 15.0), else a double.
template <int kDecimals>
json::value DecimalJson(domain::Fixed<kDecimals> value) {
  using F = domain::Fixed<kDecimals>;
  if (value.units % F::kScale == 0) return json::value(value.units / F::kScale);
  return json::value(value.ToDouble());
}

/// Singletons never written have no meaningful updated_at.
json::value TimestampOrNull(domain::Instant t) {
  if (t == domain::Instant{}) return nullptr;
  return json::value(domain::FormatTimestamp(t));
}

json::value TimeOrNull(const std::optional<domain::TimeOfDay>& t) {
  if (!t) return nullptr;
  return json::value(t->ToString());
}

}  // namespace

json::object AvailabilityJson(const AvailabilityView& view) {
  const auto& row = view.row;
  json::value reason = nullptr;
  if (row.reason) reason = *row.reason;
  return json::object{
      {"coffee_id", row.coffee_id.value},
      {"status", domain::ToString(row.status)},
      {"reason", std::move(reason)},
      {"available_from", TimeOrNull(row.available_from)},
      {"available_until", TimeOrNull(row.available_until)},
      {"available_now", view.available_now},
      {"updated_at", view.has_row ? TimestampOrNull(row.updated_at) : json::value(nullptr)}};
}

json::object PricingRuleJson(const domain::PricingRule& rule) {
  json::value coffee_ids = nullptr;
  if (rule.coffee_ids) {
    json::array ids;
    for (const auto id : *rule.coffee_ids) ids.push_back(json::value(id.value));
    coffee_ids = std::move(ids);
  }
  json::array ranges;
  for (const auto& r : rule.time_ranges) {
    ranges.push_back(json::object{{"start", r.start.ToString()}, {"end", r.end.ToString()}});
  }
  json::array days;
  for (const int d : rule.days_of_week) days.push_back(json::value(d));
  json::value min_quantity = nullptr;
  if (rule.min_quantity) min_quantity = *rule.min_quantity;
  json::value valid_until = nullptr;
  if (rule.valid_until) valid_until = domain::FormatTimestamp(*rule.valid_until);
  json::value promo_code = nullptr;
  if (rule.promo_code) promo_code = *rule.promo_code;
  json::value max_uses = nullptr;
  if (rule.max_uses) max_uses = *rule.max_uses;
  json::value max_uses_per_customer = nullptr;
  if (rule.max_uses_per_customer) max_uses_per_customer = *rule.max_uses_per_customer;
  return json::object{{"id", rule.id.value},
                      {"rule_type", domain::ToString(rule.rule_type)},
                      {"description", rule.description},
                      {"discount_type", domain::ToString(rule.discount_type)},
                      {"discount_value", DecimalJson(rule.discount_value)},
                      {"priority", rule.priority},
                      {"is_active", rule.is_active},
                      {"valid_from", domain::FormatTimestamp(rule.valid_from)},
                      {"valid_until", std::move(valid_until)},
                      {"coffee_ids", std::move(coffee_ids)},
                      {"time_ranges", std::move(ranges)},
                      {"days_of_week", std::move(days)},
                      {"min_quantity", std::move(min_quantity)},
                      {"promo_code", std::move(promo_code)},
                      {"max_uses", std::move(max_uses)},
                      {"max_uses_per_customer", std::move(max_uses_per_customer)},
                      {"created_at", TimestampOrNull(rule.created_at)},
                      {"updated_at", TimestampOrNull(rule.updated_at)},
                      {"requires_promo_code", rule.promo_code.has_value()}};
}

json::object PricingSettingsJson(const domain::PricingSettings& settings) {
  return json::object{{"combination_strategy", domain::ToString(settings.combination_strategy)},
                      {"max_discount_percent", DecimalJson(settings.max_discount_percent)},
                      {"updated_at", TimestampOrNull(settings.updated_at)}};
}

json::object PrepTimeSettingsJson(const domain::PrepTimeSettings& settings) {
  return json::object{{"default_base_minutes", settings.default_base_minutes},
                      {"default_per_additional_item", settings.default_per_additional_item},
                      {"baristas", settings.baristas},
                      {"updated_at", TimestampOrNull(settings.updated_at)}};
}

json::object PrepTimeJson(const PrepTimeView& view) {
  return json::object{{"coffee_id", view.config.coffee_id.value},
                      {"base_minutes", view.config.base_minutes},
                      {"per_additional_item", view.config.per_additional_item},
                      {"is_default", view.is_default},
                      {"updated_at", view.is_default ? json::value(nullptr)
                                                     : TimestampOrNull(view.config.updated_at)}};
}

json::object LoyaltyConfigJson(const domain::LoyaltyConfig& config) {
  json::object multipliers;
  for (const auto& [coffee_id, m] : config.bonus_multipliers) {
    multipliers[std::to_string(coffee_id.value)] = DecimalJson(m);
  }
  return json::object{{"points_per_dollar", DecimalJson(config.points_per_dollar)},
                      {"bonus_multipliers", std::move(multipliers)},
                      {"updated_at", TimestampOrNull(config.updated_at)}};
}

std::string JsonText(const json::value& value) { return json::serialize(value); }

}  // namespace coffee::app
