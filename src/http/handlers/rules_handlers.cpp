#include "http/handlers/rules_handlers.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <map>

#include "app/rules_json.hpp"
#include "http/handlers/request_bodies.hpp"
#include "http/json.hpp"

namespace coffee::http {

namespace json = boost::json;

namespace {

constexpr std::int64_t kIntFieldLimit = 1'000'000'000;

bool IsAdmin(const Request& req) {
  return req.auth && domain::RoleAtLeast(req.auth->role, domain::Role::kAdmin);
}

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
std::optional<std::int64_t> IntElement(const json::value& v) {
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
std::optional<std::vector<domain::CoffeeId>> ReadCoffeeIds(const json::object& body,
                                                           FieldReader& r) {
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
std::vector<domain::TimeRange> ReadTimeRanges(const json::object& body, FieldReader& r) {
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
std::vector<int> ReadDaysOfWeek(const json::object& body, FieldReader& r) {
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

}  // namespace

app::Outcome<domain::Availability> ReadAvailability(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto coffee_id = r.Int("coffee_id", true);
  auto status = ReadEnum(r, "status", true, domain::ParseAvailabilityStatus,
                         "available, out_of_stock, seasonal, discontinued");
  domain::Availability a;
  a.reason = r.String("reason", false);
  a.available_from = r.TimeOfDay("available_from", false);
  a.available_until = r.TimeOfDay("available_until", false);
  if (!r.ok()) return r.Error();
  a.coffee_id = domain::CoffeeId{*coffee_id};
  a.status = *status;
  return a;
}

app::Outcome<app::PricingRuleInput> ReadRule(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  app::PricingRuleInput input;
  auto& rule = input.rule;
  auto rule_type = ReadEnum(r, "rule_type", true, domain::ParseRuleType,
                            "time_based, quantity_based, promotional");
  rule.description = r.String("description", false).value_or("");
  auto discount_type =
      ReadEnum(r, "discount_type", true, domain::ParseDiscountType, "percentage, fixed_amount");
  auto discount_value = r.Fixed<2>("discount_value", true);
  rule.priority = ReadInt(r, "priority", false).value_or(0);
  rule.is_active = r.Bool("is_active", false).value_or(true);
  input.valid_from = r.Timestamp("valid_from", false);
  rule.valid_until = r.Timestamp("valid_until", false);
  rule.coffee_ids = ReadCoffeeIds(*body, r);
  rule.time_ranges = ReadTimeRanges(*body, r);
  rule.days_of_week = ReadDaysOfWeek(*body, r);
  rule.min_quantity = ReadInt(r, "min_quantity", false);
  if (!r.ok()) return r.Error();
  rule.rule_type = *rule_type;
  rule.discount_type = *discount_type;
  rule.discount_value = *discount_value;
  return input;
}

namespace {

/// A settings body must set at least one of `keys`.
void RequireAny(FieldReader& r, std::initializer_list<std::string_view> keys) {
  std::string names;
  for (const auto key : keys) {
    if (r.Has(key)) return;
    if (!names.empty()) names += ", ";
    names += key;
  }
  r.Fail("body", "must set at least one of " + names);
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

/// {"<coffee_id>": multiplier, …}; null clears the map.
std::optional<std::map<domain::CoffeeId, domain::Fixed4>> ReadMultipliers(const json::object& body,
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

}  // namespace

app::Outcome<app::LoyaltyConfigUpdate> ReadLoyalty(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  RequireAny(r, {"points_per_dollar", "bonus_multipliers"});
  app::LoyaltyConfigUpdate u;
  u.points_per_dollar = r.Fixed<4>("points_per_dollar", false);
  u.bonus_multipliers = ReadMultipliers(*body, r);
  if (!r.ok()) return r.Error();
  return u;
}

namespace {

app::Outcome<bool> ReadIncludeInactive(const Request& req) {
  auto it = req.query.find("include_inactive");
  if (it == req.query.end()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0" || it->second.empty()) return false;
  return app::AppError::Validation("include_inactive", "must be true or false");
}

std::optional<std::string> NonEmptyParam(const Request& req, std::string_view name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

/// A JSON array body with X-Total-Count.
template <typename Items, typename F>
Response ListResponse(const Items& items, std::int64_t total, F&& to_json) {
  json::array out;
  for (const auto& item : items) out.push_back(to_json(item));
  Response res = JsonResponse(200, out);
  res.headers.emplace_back("X-Total-Count", std::to_string(total));
  return res;
}

void AddAvailabilityRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/availability", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               auto list = rules.ListAvailability();
               if (!list) return ErrorResponse(list.error());
               return ListResponse(*list, static_cast<std::int64_t>(list->size()),
                                   app::AvailabilityJson);
             });
  router.Add(Method::kGet, "/api/business-rules/availability/:coffee_id", Access::kPublic,
             Exec::kWorker, [&rules](Request& req) {
               auto id = PathId(req, "coffee_id");
               if (!id) return ErrorResponse(id.error());
               return Respond(rules.GetAvailability(domain::CoffeeId{*id}), 200,
                              app::AvailabilityJson);
             });
  router.Add(Method::kPost, "/api/business-rules/availability", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto a = ReadAvailability(req);
               if (!a) return ErrorResponse(a.error());
               return Respond(rules.UpsertAvailability(req.auth->user_id, *a), 201,
                              app::AvailabilityJson);
             });
}

void AddPricingRoutes(Router& router, app::RulesAdminService& rules) {
  // Served on the I/O thread from the rules snapshot; the public list's bytes are built once per
  // snapshot version (the guide's configuration export and the hottest public read).
  struct CachedList {
    std::uint64_t version = 0;
    Response response;
  };
  auto cached = std::make_shared<std::shared_ptr<const CachedList>>();
  router.Add(
      Method::kGet, "/api/business-rules/pricing", Access::kOptionalAuth, Exec::kInline,
      [&rules, cached](Request& req) {
        auto include_inactive = ReadIncludeInactive(req);
        if (!include_inactive) return ErrorResponse(include_inactive.error());
        if (*include_inactive && IsAdmin(req)) {
          auto [all, version] = rules.SnapshotRules(true);
          return ListResponse(all, static_cast<std::int64_t>(all.size()), app::PricingRuleJson);
        }
        auto current = std::atomic_load(cached.get());
        if (!current || current->version != rules.SnapshotGeneration()) {
          auto [active, version] = rules.SnapshotRules(false);
          auto fresh = std::make_shared<CachedList>();
          fresh->version = version;
          fresh->response =
              ListResponse(active, static_cast<std::int64_t>(active.size()), app::PricingRuleJson);
          current = fresh;
          std::atomic_store(cached.get(), current);
        }
        return current->response;
      });
  router.Add(Method::kGet, "/api/business-rules/pricing/:id", Access::kOptionalAuth, Exec::kWorker,
             [&rules](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               return Respond(rules.GetRule(domain::RuleId{*id}, IsAdmin(req)), 200,
                              app::PricingRuleJson);
             });
  router.Add(Method::kPost, "/api/business-rules/pricing", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto input = ReadRule(req);
               if (!input) return ErrorResponse(input.error());
               return Respond(rules.CreateRule(req.auth->user_id, *input), 201,
                              app::PricingRuleJson);
             });
  router.Add(Method::kPut, "/api/business-rules/pricing/:id", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto input = ReadRule(req);
               if (!input) return ErrorResponse(input.error());
               return Respond(rules.ReplaceRule(req.auth->user_id, domain::RuleId{*id}, *input),
                              200, app::PricingRuleJson);
             });
  router.Add(Method::kDelete, "/api/business-rules/pricing/:id", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto result = rules.DeactivateRule(req.auth->user_id, domain::RuleId{*id});
               if (!result) return ErrorResponse(result.error());
               return NoContent();
             });
  router.Add(Method::kGet, "/api/business-rules/pricing-settings", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               return Respond(rules.GetPricingSettings(), 200, app::PricingSettingsJson);
             });
  router.Add(Method::kPut, "/api/business-rules/pricing-settings", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto update = ReadPricingSettings(req);
               if (!update) return ErrorResponse(update.error());
               return Respond(rules.PutPricingSettings(req.auth->user_id, *update), 200,
                              app::PricingSettingsJson);
             });
}

void AddPrepTimeAndLoyaltyRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/prep-time", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               return Respond(rules.GetPrepTimeSettings(), 200, app::PrepTimeSettingsJson);
             });
  router.Add(Method::kPut, "/api/business-rules/prep-time", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto update = ReadPrepTimeSettings(req);
               if (!update) return ErrorResponse(update.error());
               return Respond(rules.PutPrepTimeSettings(req.auth->user_id, *update), 200,
                              app::PrepTimeSettingsJson);
             });
  router.Add(Method::kGet, "/api/business-rules/prep-time/:coffee_id", Access::kPublic,
             Exec::kWorker, [&rules](Request& req) {
               auto id = PathId(req, "coffee_id");
               if (!id) return ErrorResponse(id.error());
               return Respond(rules.GetPrepTime(domain::CoffeeId{*id}), 200, app::PrepTimeJson);
             });
  router.Add(Method::kPut, "/api/business-rules/prep-time/:coffee_id", Access::kAdmin,
             Exec::kWorker, [&rules](Request& req) {
               auto id = PathId(req, "coffee_id");
               if (!id) return ErrorResponse(id.error());
               auto update = ReadPrepTime(req);
               if (!update) return ErrorResponse(update.error());
               auto result = rules.PutPrepTime(req.auth->user_id, domain::CoffeeId{*id}, *update);
               if (!result) return ErrorResponse(result.error());
               return NoContent();
             });
  router.Add(Method::kGet, "/api/business-rules/loyalty-config", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               return Respond(rules.GetLoyaltyConfig(), 200, app::LoyaltyConfigJson);
             });
  router.Add(Method::kPut, "/api/business-rules/loyalty-config", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto update = ReadLoyalty(req);
               if (!update) return ErrorResponse(update.error());
               return Respond(rules.PutLoyaltyConfig(req.auth->user_id, *update), 200,
                              app::LoyaltyConfigJson);
             });
}

void AddAuditRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/audit", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return ErrorResponse(page.error());
               app::AuditQuery query{std::nullopt, NonEmptyParam(req, "rule_type"), page->offset(),
                                     page->limit};
               auto result = rules.QueryAudit(NonEmptyParam(req, "order_id"), query);
               if (!result) return ErrorResponse(result.error());
               return ListResponse(result->records, result->total, app::AuditRecordJson);
             });
  router.Add(Method::kGet, "/api/business-rules/changes", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return ErrorResponse(page.error());
               auto result = rules.ListChanges(page->offset(), page->limit);
               if (!result) return ErrorResponse(result.error());
               return ListResponse(result->changes, result->total, app::ConfigChangeJson);
             });
}

}  // namespace

void AddBusinessRulesRoutes(Router& router, app::RulesAdminService& rules) {
  AddAvailabilityRoutes(router, rules);
  AddPricingRoutes(router, rules);
  AddPrepTimeAndLoyaltyRoutes(router, rules);
  AddAuditRoutes(router, rules);
}

}  // namespace coffee::http
