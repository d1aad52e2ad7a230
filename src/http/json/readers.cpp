#include "http/json/readers.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <map>

#include "app/coffee_service.hpp"
#include "http/json/codec.hpp"
#include "http/json/field_reader.hpp"

namespace coffee::http::json {

namespace bj = boost::json;

namespace {

constexpr std::int64_t kIntFieldLimit = 1'000'000'000;

/// An integer field that fits an int; the rules validation then checks its business range.
std::optional<int> ReadInt(FieldReader& r, std::string_view key, bool required) {
  auto v = r.Int(key, required);
  if (!v) return std::nullopt;
  if (*v < -kIntFieldLimit || *v > kIntFieldLimit) {
    r.Fail(std::string(key), "is out of range");
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

/// An enumeration given as text; unknown text names the field and the allowed values.
template <typename Parse>
auto ReadEnum(FieldReader& r, std::string_view key, bool required, Parse parse,
              std::string_view allowed) -> decltype(parse(std::string_view{})) {
  auto text = r.String(key, required);
  if (!text) return std::nullopt;
  auto value = parse(*text);
  if (!value) r.Fail(std::string(key), "must be one of " + std::string(allowed));
  return value;
}

/// A JSON integer element of an array (an integral double is accepted, as FieldReader does).
std::optional<std::int64_t> IntElement(const bj::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

/// null or absent = every coffee; otherwise an array of coffee ids.
std::optional<std::vector<domain::CoffeeId>> ReadCoffeeIds(const bj::object& body, FieldReader& r) {
  const auto* v = body.if_contains("coffee_ids");
  if (v == nullptr || v->is_null()) return std::nullopt;
  std::vector<domain::CoffeeId> ids;
  if (v->is_array()) {
    for (const auto& e : v->get_array()) {
      auto id = IntElement(e);
      if (!id) break;
      ids.emplace_back(*id);
    }
    if (ids.size() == v->get_array().size()) return ids;
  }
  r.Fail("coffee_ids", "must be null or an array of coffee ids");
  return std::nullopt;
}

/// [{"start":"HH:MM","end":"HH:MM"}, …]; absent or null = none.
std::vector<domain::TimeRange> ReadTimeRanges(const bj::object& body, FieldReader& r) {
  std::vector<domain::TimeRange> ranges;
  const auto* v = body.if_contains("time_ranges");
  if (v == nullptr || v->is_null()) return ranges;
  if (!v->is_array()) {
    r.Fail("time_ranges", "must be an array of {start, end} objects");
    return ranges;
  }
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const auto& e = v->get_array()[i];
    const std::string where = "entry " + std::to_string(i + 1) + ": ";
    if (!e.is_object()) {
      r.Fail("time_ranges", where + "must be an object {start, end}");
      return ranges;
    }
    FieldReader item(e.get_object());
    auto start = item.TimeOfDay("start", true);
    auto end = item.TimeOfDay("end", true);
    if (!item.ok()) {
      r.Fail("time_ranges", where + item.Error().details);
      return ranges;
    }
    ranges.push_back({*start, *end});
  }
  return ranges;
}

/// [1, …, 7]; absent or null = every day. The range is the rules validation's check.
std::vector<int> ReadDaysOfWeek(const bj::object& body, FieldReader& r) {
  std::vector<int> days;
  const auto* v = body.if_contains("days_of_week");
  if (v == nullptr || v->is_null()) return days;
  if (v->is_array()) {
    for (const auto& e : v->get_array()) {
      auto day = IntElement(e);
      if (!day || *day < -kIntFieldLimit || *day > kIntFieldLimit) break;
      days.push_back(static_cast<int>(*day));
    }
    if (days.size() == v->get_array().size()) return days;
  }
  r.Fail("days_of_week", "must be an array of ISO weekdays 1 (Monday) to 7 (Sunday)");
  return {};
}

/// A settings body must set at least one of `keys`.
/// A settings body must set at least one of `keys` to a value: one whose fields are all null is
/// refused like {} (and each null is named as well, when the fields are read). `nullable` are keys
/// for which null is a value (it clears something).
void RequireAny(FieldReader& r, std::initializer_list<std::string_view> keys,
                std::initializer_list<std::string_view> nullable = {}) {
  std::string names;
  for (const auto key : keys) {
    const bool null_is_value = std::find(nullable.begin(), nullable.end(), key) != nullable.end();
    if (r.Has(key) && (null_is_value || !r.IsNull(key))) return;
    if (!names.empty()) names += ", ";
    names += key;
  }
  r.Fail("body", "must set at least one of " + names);
}

/// {"<coffee_id>": multiplier, …}; null clears the map.
std::optional<std::map<domain::CoffeeId, domain::Fixed4>> ReadMultipliers(const bj::object& body,
                                                                          FieldReader& r) {
  const auto* v = body.if_contains("bonus_multipliers");
  if (v == nullptr) return std::nullopt;
  std::map<domain::CoffeeId, domain::Fixed4> out;
  if (v->is_null()) return out;
  if (!v->is_object()) {
    r.Fail("bonus_multipliers", "must be an object {\"<coffee_id>\": multiplier}");
    return std::nullopt;
  }
  FieldReader values(v->get_object());
  for (const auto& kv : v->get_object()) {
    const std::string key(kv.key());
    const std::string field = "bonus_multipliers." + key;
    std::int64_t id = 0;
    const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc{} || ptr != key.data() + key.size() || id <= 0) {
      r.Fail(field, "key must be a positive coffee id");
      continue;
    }
    auto m = values.Fixed<4>(key, true);
    if (!m) {
      r.Fail(field, "must be a number with at most 4 decimals");
      continue;
    }
    out.emplace(domain::CoffeeId{id}, *m);
  }
  return out;
}

/// Free text that accepts null: null or absent → nullopt; anything else is read as text.
std::optional<std::string> OptionalText(FieldReader& r, std::string_view key) {
  if (r.IsNull(key)) return std::nullopt;
  return r.Text(key, false);
}

/// A time of day that accepts null (null or absent → nullopt).
std::optional<domain::TimeOfDay> OptionalTime(FieldReader& r, std::string_view key) {
  if (r.IsNull(key)) return std::nullopt;
  return r.TimeOfDay(key, false);
}

}  // namespace

app::Outcome<std::int64_t> PathId(const Request& req, std::string_view name) {
  auto it = req.params.find(name);
  std::int64_t v = 0;
  if (it != req.params.end()) {
    const auto& s = it->second;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && ptr == s.data() + s.size() && v > 0) return v;
  }
  return app::AppError::Validation(std::string(name), "must be a positive integer");
}

app::Outcome<Credentials> ReadCredentials(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto email = r.String("email", true);
  auto password = r.String("password", true);
  if (!r.ok()) return r.Error();
  return Credentials{*email, *password};
}

app::Outcome<std::string> ReadRefreshToken(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto token = r.String("refresh_token", true);
  if (!r.ok()) return r.Error();
  return *token;
}

app::Outcome<PasswordChange> ReadPasswordChange(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto current = r.String("current_password", true);
  auto next = r.String("new_password", true);
  if (!r.ok()) return r.Error();
  return PasswordChange{*current, *next};
}

app::Outcome<domain::Role> ReadRole(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto role = ReadEnum(r, "role", true, domain::ParseRole, "user, staff, admin");
  if (!r.ok()) return r.Error();
  return *role;
}

app::Outcome<domain::CoffeePatch> ReadCoffee(const Request& req, bool required) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  domain::CoffeePatch p;
  p.name = r.String("name", required);
  p.coffee_type = r.String("coffee_type", required);
  p.price = r.Money("price", required);
  p.rating = r.Number("rating", required);
  p.image_url = r.String("image_url", required);
  if (!r.ok()) {
    // Report the fields that parsed but are out of range too, so one answer names them all.
    if (auto checked = app::ValidateCoffeePatch(p); !checked) {
      for (const auto& [field, message] : checked.error().fields) r.Fail(field, message);
    }
    return r.Error();
  }
  return p;
}

namespace {

app::Outcome<std::vector<app::RequestedItem>> ReadItemsOf(const bj::object& body) {
  const auto* items = body.if_contains("items");
  if (items == nullptr || !items->is_array()) {
    return app::AppError::Validation("items", "is required and must be an array");
  }
  std::vector<app::RequestedItem> out;
  app::ValidationErrors errors;
  std::size_t i = 0;
  for (const auto& v : items->as_array()) {
    const std::string prefix = "items[" + std::to_string(i++) + "]";
    if (!v.is_object()) {
      errors.Add(prefix, "must be an object");
      continue;
    }
    FieldReader r(v.as_object());
    auto id = r.Int("coffee_item_id", true);
    auto quantity = r.Int("quantity", true);
    if (!r.ok()) {
      for (const auto& [f, m] : r.Error().fields)
        errors.Add(std::string(prefix).append(".").append(f), m);
      continue;
    }
    out.push_back({*id, *quantity});
    if (out.size() > 1000) break;  // far beyond the 50-line limit; stop reading
  }
  if (!errors.empty()) return errors.ToError();
  return out;
}

}  // namespace

app::Outcome<std::vector<app::RequestedItem>> ReadItems(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  return ReadItemsOf(*body);
}

app::Outcome<OrderRequest> ReadOrderRequest(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  auto items = ReadItemsOf(*body);
  if (!items) return items.error();
  OrderRequest out{std::move(*items), std::nullopt};
  if (const auto* code = body->if_contains("promo_code"); code != nullptr && !code->is_null()) {
    if (!code->is_string()) return app::AppError::Validation("promo_code", "must be a string");
    out.promo_code = std::string(code->get_string());
  }
  return out;
}

app::Outcome<domain::OrderStatus> ReadOrderStatus(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto status = ReadEnum(r, "status", true, domain::ParseOrderStatus,
                         "pending, confirmed, preparing, ready, completed, cancelled");
  if (!r.ok()) return r.Error();
  return *status;
}

app::Outcome<domain::PaymentStatus> ReadPaymentStatus(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto status =
      ReadEnum(r, "payment_status", true, domain::ParsePaymentStatus, "unpaid, paid, refunded");
  if (!r.ok()) return r.Error();
  return *status;
}

app::Outcome<domain::Availability> ReadAvailability(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto coffee_id = r.Int("coffee_id", true);
  auto status = ReadEnum(r, "status", true, domain::ParseAvailabilityStatus,
                         "available, out_of_stock, seasonal, discontinued");
  domain::Availability a;
  a.reason = OptionalText(r, "reason");
  a.available_from = OptionalTime(r, "available_from");
  a.available_until = OptionalTime(r, "available_until");
  if (!r.ok()) return r.Error();
  a.coffee_id = domain::CoffeeId{*coffee_id};
  a.status = *status;
  return a;
}

namespace {

/// The fields of one pricing rule in `body` (a request body, or an element of a draft).
app::Outcome<app::PricingRuleInput> ReadRuleObject(const bj::object& body) {
  const bj::object* const object = &body;
  FieldReader r(*object);
  app::PricingRuleInput input;
  auto& rule = input.rule;
  auto rule_type = ReadEnum(r, "rule_type", true, domain::ParseRuleType,
                            "time_based, quantity_based, promotional");
  rule.description = r.Text("description", false).value_or("");
  auto discount_type =
      ReadEnum(r, "discount_type", true, domain::ParseDiscountType, "percentage, fixed_amount");
  auto discount_value = r.Fixed<2>("discount_value", true);
  rule.priority = ReadInt(r, "priority", false).value_or(0);
  rule.is_active = r.Bool("is_active", false).value_or(true);
  input.valid_from = r.Timestamp("valid_from", false);
  if (!r.IsNull("valid_until")) rule.valid_until = r.Timestamp("valid_until", false);
  rule.coffee_ids = ReadCoffeeIds(*object, r);
  rule.time_ranges = ReadTimeRanges(*object, r);
  rule.days_of_week = ReadDaysOfWeek(*object, r);
  if (!r.IsNull("min_quantity")) rule.min_quantity = ReadInt(r, "min_quantity", false);
  if (auto code = OptionalText(r, "promo_code")) {
    // Stored trimmed, as the manager spelled it; the rules validation checks its characters.
    const auto first = code->find_first_not_of(" \t\r\n");
    const auto last = code->find_last_not_of(" \t\r\n");
    rule.promo_code = first == std::string::npos ? "" : code->substr(first, last - first + 1);
  }
  for (const auto& [key, target] :
       {std::pair{"max_uses", &rule.max_uses},
        std::pair{"max_uses_per_customer", &rule.max_uses_per_customer}}) {
    if (!r.IsNull(key)) {
      if (auto v = ReadInt(r, key, false)) *target = *v;
    }
  }
  if (!r.ok()) return r.Error();
  rule.rule_type = *rule_type;
  rule.discount_type = *discount_type;
  rule.discount_value = *discount_value;
  return input;
}

}  // namespace

app::Outcome<app::PricingRuleInput> ReadRule(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  return ReadRuleObject(*body);
}

app::Outcome<app::SimulationRequest> ReadSimulation(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  app::SimulationRequest out;
  for (const char* name : {"start_date", "end_date"}) {
    if (!r.IsNull(name)) {
      if (auto value = r.String(name, false)) out.dates.emplace(name, *value);
    }
  }
  if (!r.IsNull("largest")) out.largest = r.Int("largest", false).value_or(out.largest);
  if (const auto* settings = body->if_contains("pricing_settings");
      settings != nullptr && !settings->is_null()) {
    if (!settings->is_object()) {
      r.Fail("pricing_settings", "must be an object");
    } else {
      FieldReader s(settings->get_object());
      app::PricingSettingsUpdate u;
      u.combination_strategy =
          ReadEnum(s, "combination_strategy", false, domain::ParseCombinationStrategy,
                   "additive, multiplicative, best_price");
      u.max_discount_percent = s.Fixed<2>("max_discount_percent", false);
      if (s.ok()) {
        out.pricing_settings = u;
      } else {
        for (const auto& [field, message] : s.Error().fields) {
          r.Fail("pricing_settings." + field, message);
        }
      }
    }
  }
  if (const auto* rules = body->if_contains("pricing_rules");
      rules != nullptr && !rules->is_null()) {
    if (!rules->is_array()) {
      r.Fail("pricing_rules", "must be an array of pricing rules");
    } else {
      out.pricing_rules.emplace();
      const auto& items = rules->get_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string element = "pricing_rules[" + std::to_string(i) + "]";
        const std::string prefix = element + ".";
        if (!items[i].is_object()) {
          r.Fail(element, "must be an object");
          continue;
        }
        app::DraftRule draft;
        FieldReader id_reader(items[i].get_object());
        if (!id_reader.IsNull("id")) {
          if (auto id = id_reader.Int("id", false)) {
            if (*id < 1) {
              r.Fail(prefix + "id", "must be a positive integer");
            } else {
              draft.id = domain::RuleId{*id};
            }
          }
        }
        for (const auto& [field, message] : id_reader.Error().fields)
          r.Fail(prefix + field, message);
        auto input = ReadRuleObject(items[i].get_object());
        if (!input) {
          for (const auto& [field, message] : input.error().fields) r.Fail(prefix + field, message);
          continue;
        }
        draft.input = std::move(*input);
        out.pricing_rules->push_back(std::move(draft));
      }
    }
  }
  if (!r.ok()) return r.Error();
  return out;
}

app::Outcome<app::PricingSettingsUpdate> ReadPricingSettings(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  RequireAny(r, {"combination_strategy", "max_discount_percent"});
  app::PricingSettingsUpdate u;
  u.combination_strategy =
      ReadEnum(r, "combination_strategy", false, domain::ParseCombinationStrategy,
               "additive, multiplicative, best_price");
  u.max_discount_percent = r.Fixed<2>("max_discount_percent", false);
  if (!r.ok()) return r.Error();
  return u;
}

app::Outcome<app::PrepTimeSettingsUpdate> ReadPrepTimeSettings(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  RequireAny(r, {"default_base_minutes", "default_per_additional_item", "baristas"});
  app::PrepTimeSettingsUpdate u;
  u.default_base_minutes = ReadInt(r, "default_base_minutes", false);
  u.default_per_additional_item = ReadInt(r, "default_per_additional_item", false);
  u.baristas = ReadInt(r, "baristas", false);
  if (!r.ok()) return r.Error();
  return u;
}

app::Outcome<app::PrepTimeUpdate> ReadPrepTime(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  RequireAny(r, {"base_minutes", "per_additional_item"});
  app::PrepTimeUpdate u;
  u.base_minutes = ReadInt(r, "base_minutes", false);
  u.per_additional_item = ReadInt(r, "per_additional_item", false);
  if (!r.ok()) return r.Error();
  return u;
}

app::Outcome<app::LoyaltyConfigUpdate> ReadLoyalty(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  RequireAny(r, {"points_per_dollar", "bonus_multipliers"}, {"bonus_multipliers"});
  app::LoyaltyConfigUpdate u;
  u.points_per_dollar = r.Fixed<4>("points_per_dollar", false);
  u.bonus_multipliers = ReadMultipliers(*body, r);
  if (!r.ok()) return r.Error();
  return u;
}

app::Outcome<NewReview> ReadNewReview(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto coffee_id = r.Int("coffee_id", true);
  auto rating = r.Int("rating", true);
  auto comment = OptionalText(r, "comment");
  if (!r.ok()) return r.Error();
  return NewReview{*coffee_id, *rating, comment};
}

app::Outcome<app::ReviewPatch> ReadReviewPatch(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  app::ReviewPatch patch;
  patch.rating = r.Int("rating", false);
  patch.has_comment = r.Has("comment");
  patch.comment = OptionalText(r, "comment");
  if (!r.ok()) return r.Error();
  return patch;
}

app::Outcome<Moderation> ReadModeration(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto hidden = r.Bool("hidden", true);
  auto reason = OptionalText(r, "reason");
  if (!r.ok()) return r.Error();
  return Moderation{*hidden, reason};
}

}  // namespace coffee::http::json
