#include "http/handlers/rules_handlers.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <map>

#include "app/rules_json.hpp"
#include "http/handlers/per_thread.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/mappers.hpp"
#include "http/json/readers.hpp"

namespace coffee::http {

namespace bj = boost::json;

namespace {

bool IsAdmin(const Request& req) {
  return req.auth && domain::RoleAtLeast(req.auth->role, domain::Role::kAdmin);
}

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

/// The rules lists are returned whole (SPEC §2: the guide exports them with one GET), so a
/// `page` or `limit` is refused rather than silently ignored.
std::optional<app::AppError> RefusePaging(const Request& req) {
  for (const std::string_view name : {"page", "limit"}) {
    if (req.query.contains(std::string(name))) {
      return app::AppError::Validation(
          std::string(name), "is not accepted: this list is returned whole, not paginated");
    }
  }
  return std::nullopt;
}

/// A rule as the API shows it: its promo_code to admins only (anyone else sees null, so a code
/// handed to some customers is not published), and `uses` where it is read (GET by id; the
/// lists are served from the in-memory snapshot, which holds no usage).
bj::object RuleJson(const domain::PricingRule& rule, bool admin,
                    std::optional<std::int64_t> uses = std::nullopt) {
  bj::object out = app::PricingRuleJson(rule);
  if (!admin) out["promo_code"] = nullptr;
  if (uses) out["uses"] = *uses;
  return out;
}

bj::object PublicRuleJson(const domain::PricingRule& rule) { return RuleJson(rule, false); }
bj::object AdminRuleJson(const domain::PricingRule& rule) { return RuleJson(rule, true); }

/// A saved rule with the warnings about it (never a refusal). The change log records the rule
/// without them: they describe the configuration, not the change.
Response SavedRuleResponse(app::RulesAdminService& rules,
                           const app::Outcome<domain::PricingRule>& rule, int status) {
  if (!rule) return json::ErrorResponse(rule.error());
  bj::object out = AdminRuleJson(*rule);
  out["warnings"] = json::WarningsJson(rules.RuleWarnings(*rule));
  return json::JsonResponse(status, out);
}

/// A JSON array body with X-Total-Count.
template <typename Items, typename F>
Response ListResponse(const Items& items, std::int64_t total, F&& to_json) {
  bj::array out;
  for (const auto& item : items) out.push_back(to_json(item));
  Response res = json::JsonResponse(200, out);
  res.headers.emplace_back("X-Total-Count", std::to_string(total));
  return res;
}

void AddAvailabilityRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/availability", Access::kPublic, Exec::kWorker,
             [&rules](Request& req) {
               if (auto refused = RefusePaging(req)) return json::ErrorResponse(*refused);
               auto list = rules.ListAvailability();
               if (!list) return json::ErrorResponse(list.error());
               return ListResponse(*list, static_cast<std::int64_t>(list->size()),
                                   app::AvailabilityJson);
             });
  router.Add(Method::kGet, "/api/business-rules/availability/:coffee_id", Access::kPublic,
             Exec::kWorker, [&rules](Request& req) {
               auto id = json::PathId(req, "coffee_id");
               if (!id) return json::ErrorResponse(id.error());
               return json::Respond(rules.GetAvailability(domain::CoffeeId{*id}), 200,
                                    app::AvailabilityJson);
             });
  router.Add(Method::kPost, "/api/business-rules/availability", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto a = json::ReadAvailability(req);
               if (!a) return json::ErrorResponse(a.error());
               return json::Respond(rules.UpsertAvailability(req.auth->user_id, *a), 201,
                                    app::AvailabilityJson);
             });
}

void AddPricingRoutes(Router& router, app::RulesAdminService& rules) {
  // Served on the I/O thread from the rules snapshot; the public list's bytes are built once per
  // snapshot version (the guide's configuration export and the hottest public read), and each
  // I/O thread answers from its own copy of them.
  struct CachedList {
    std::uint64_t version = 0;
    Response response;
  };
  struct ThreadCopy {
    std::shared_ptr<const CachedList> list;  // held by this thread only
  };
  auto cached = std::make_shared<std::shared_ptr<const CachedList>>();
  auto copies = std::make_shared<PerThread<ThreadCopy>>();
  router.Add(Method::kGet, "/api/business-rules/pricing", Access::kOptionalAuth, Exec::kInline,
             [&rules, cached, copies](Request& req) {
               if (auto refused = RefusePaging(req)) return json::ErrorResponse(*refused);
               auto include_inactive = ReadIncludeInactive(req);
               if (!include_inactive) return json::ErrorResponse(include_inactive.error());
               if (*include_inactive && IsAdmin(req)) {
                 auto [all, version] = rules.SnapshotRules(true);
                 return ListResponse(all, static_cast<std::int64_t>(all.size()), AdminRuleJson);
               }
               const std::uint64_t generation = rules.SnapshotGeneration();
               auto& mine = copies->Mine();
               if (mine.list && mine.list->version == generation) return mine.list->response;
               auto current = std::atomic_load(cached.get());
               if (!current || current->version != generation) {
                 auto [active, version] = rules.SnapshotRules(false);
                 auto fresh = std::make_shared<CachedList>();
                 fresh->version = version;
                 fresh->response =
                     ListResponse(active, static_cast<std::int64_t>(active.size()), PublicRuleJson);
                 current = fresh;
                 std::atomic_store(cached.get(), current);
               }
               // A copy of its own, so that its reference count is this thread's alone.
               mine.list = std::make_shared<const CachedList>(*current);
               return current->response;
             });
  router.Add(Method::kGet, "/api/business-rules/pricing/:id", Access::kOptionalAuth, Exec::kWorker,
             [&rules](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto rule = rules.GetRule(domain::RuleId{*id}, IsAdmin(req));
               if (!rule) return json::ErrorResponse(rule.error());
               return json::JsonResponse(200,
                                         RuleJson(*rule, IsAdmin(req), rules.RuleUses(rule->id)));
             });
  router.Add(Method::kPost, "/api/business-rules/pricing", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto input = json::ReadRule(req);
               if (!input) return json::ErrorResponse(input.error());
               return SavedRuleResponse(rules, rules.CreateRule(req.auth->user_id, *input), 201);
             });
  router.Add(Method::kPut, "/api/business-rules/pricing/:id", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto input = json::ReadRule(req);
               if (!input) return json::ErrorResponse(input.error());
               return SavedRuleResponse(
                   rules, rules.ReplaceRule(req.auth->user_id, domain::RuleId{*id}, *input), 200);
             });
  router.Add(Method::kDelete, "/api/business-rules/pricing/:id", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto result = rules.DeactivateRule(req.auth->user_id, domain::RuleId{*id});
               if (!result) return json::ErrorResponse(result.error());
               return json::NoContent();
             });
  router.Add(Method::kGet, "/api/business-rules/pricing-settings", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               return json::Respond(rules.GetPricingSettings(), 200, app::PricingSettingsJson);
             });
  router.Add(Method::kPut, "/api/business-rules/pricing-settings", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto update = json::ReadPricingSettings(req);
               if (!update) return json::ErrorResponse(update.error());
               return json::Respond(rules.PutPricingSettings(req.auth->user_id, *update), 200,
                                    app::PricingSettingsJson);
             });
}

void AddPrepTimeAndLoyaltyRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/prep-time", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               return json::Respond(rules.GetPrepTimeSettings(), 200, app::PrepTimeSettingsJson);
             });
  router.Add(Method::kPut, "/api/business-rules/prep-time", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto update = json::ReadPrepTimeSettings(req);
               if (!update) return json::ErrorResponse(update.error());
               return json::Respond(rules.PutPrepTimeSettings(req.auth->user_id, *update), 200,
                                    app::PrepTimeSettingsJson);
             });
  router.Add(Method::kGet, "/api/business-rules/prep-time/:coffee_id", Access::kPublic,
             Exec::kWorker, [&rules](Request& req) {
               auto id = json::PathId(req, "coffee_id");
               if (!id) return json::ErrorResponse(id.error());
               return json::Respond(rules.GetPrepTime(domain::CoffeeId{*id}), 200,
                                    app::PrepTimeJson);
             });
  router.Add(Method::kPut, "/api/business-rules/prep-time/:coffee_id", Access::kAdmin,
             Exec::kWorker, [&rules](Request& req) {
               auto id = json::PathId(req, "coffee_id");
               if (!id) return json::ErrorResponse(id.error());
               auto update = json::ReadPrepTime(req);
               if (!update) return json::ErrorResponse(update.error());
               auto result = rules.PutPrepTime(req.auth->user_id, domain::CoffeeId{*id}, *update);
               if (!result) return json::ErrorResponse(result.error());
               return json::NoContent();
             });
  router.Add(Method::kGet, "/api/business-rules/loyalty-config", Access::kPublic, Exec::kWorker,
             [&rules](Request&) {
               return json::Respond(rules.GetLoyaltyConfig(), 200, app::LoyaltyConfigJson);
             });
  router.Add(Method::kPut, "/api/business-rules/loyalty-config", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto update = json::ReadLoyalty(req);
               if (!update) return json::ErrorResponse(update.error());
               return json::Respond(rules.PutLoyaltyConfig(req.auth->user_id, *update), 200,
                                    app::LoyaltyConfigJson);
             });
}

void AddAuditRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/audit", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return json::ErrorResponse(page.error());
               app::AuditQuery query{std::nullopt, NonEmptyParam(req, "rule_type"), page->offset(),
                                     page->limit};
               auto result = rules.QueryAudit(NonEmptyParam(req, "order_id"), query);
               if (!result) return json::ErrorResponse(result.error());
               return ListResponse(result->records, result->total, json::AuditRecordJson);
             });
  router.Add(Method::kGet, "/api/business-rules/changes", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return json::ErrorResponse(page.error());
               auto result = rules.ListChanges(page->offset(), page->limit);
               if (!result) return json::ErrorResponse(result.error());
               return ListResponse(result->changes, result->total, json::ConfigChangeJson);
             });
}

void AddVersionRoutes(Router& router, app::RulesAdminService& rules) {
  router.Add(Method::kGet, "/api/business-rules/versions", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return json::ErrorResponse(page.error());
               auto result = rules.ListVersions(page->offset(), page->limit);
               if (!result) return json::ErrorResponse(result.error());
               return ListResponse(result->versions, result->total, [](const auto& v) {
                 return json::RuleSetVersionJson(v, false);
               });
             });
  router.Add(Method::kGet, "/api/business-rules/versions/:version", Access::kAdmin, Exec::kWorker,
             [&rules](Request& req) {
               auto version = json::PathId(req, "version");
               if (!version) return json::ErrorResponse(version.error());
               return json::Respond(rules.GetVersion(*version), 200, [](const auto& v) {
                 return json::RuleSetVersionJson(v, true);
               });
             });
  router.Add(Method::kGet, "/api/business-rules/versions/:version/diff/:other", Access::kAdmin,
             Exec::kWorker, [&rules](Request& req) {
               auto from = json::PathId(req, "version");
               if (!from) return json::ErrorResponse(from.error());
               auto to = json::PathId(req, "other");
               if (!to) return json::ErrorResponse(to.error());
               return json::Respond(rules.DiffVersions(*from, *to), 200, json::VersionDiffJson);
             });
  router.Add(Method::kPost, "/api/business-rules/versions/:version/restore", Access::kAdmin,
             Exec::kWorker, [&rules](Request& req) {
               auto version = json::PathId(req, "version");
               if (!version) return json::ErrorResponse(version.error());
               return json::Respond(
                   rules.RestoreVersion(req.auth->user_id, *version), 201,
                   [](const auto& v) { return json::RuleSetVersionJson(v, true); });
             });
}

/// A simulated rule's id: null for a new rule of the draft, which has draft_index instead.
void PutRuleId(bj::object& o, domain::RuleId id) {
  if (id.value >= app::kDraftRuleIds) {
    o["rule_id"] = nullptr;
    o["draft_index"] = id.value - app::kDraftRuleIds;
  } else {
    o["rule_id"] = id.value;
    o["draft_index"] = nullptr;
  }
}

bj::object SimulationJson(const app::SimulationReport& report) {
  const auto& r = report.result;
  bj::object totals{{"orders", r.orders},
                    {"orders_affected", r.changed_orders},
                    {"base_revenue", r.base_revenue.ToString()},
                    {"recorded_revenue", r.recorded_revenue.ToString()},
                    {"baseline_revenue", r.baseline_revenue.ToString()},
                    {"draft_revenue", r.draft_revenue.ToString()},
                    {"revenue_delta", r.revenue_delta().ToString()},
                    {"baseline_discount_cost", r.baseline_discount.ToString()},
                    {"draft_discount_cost", r.draft_discount.ToString()},
                    {"recorded_mismatches", r.recorded_mismatches}};
  bj::array rules;
  bj::array never;
  for (const auto& rule : r.rules) {
    bj::object o;
    PutRuleId(o, rule.rule_id);
    o["description"] = rule.description;
    o["in_draft"] = rule.in_draft;
    o["orders_affected"] = rule.draft_orders;
    o["discount_cost"] = rule.draft_discount.ToString();
    o["baseline_orders"] = rule.baseline_orders;
    o["baseline_discount_cost"] = rule.baseline_discount.ToString();
    o["orders_changed"] = rule.changed_orders;
    o["revenue_delta"] = rule.revenue_delta().ToString();
    rules.push_back(std::move(o));
    if (rule.in_draft && rule.draft_orders == 0) {
      bj::object n;
      PutRuleId(n, rule.rule_id);
      n["description"] = rule.description;
      if (rule.usual_reason) {
        n["usual_reason"] = rules::ToString(*rule.usual_reason);
        n["message"] = rules::Describe(*rule.usual_reason);
      } else {
        n["usual_reason"] = nullptr;
        n["message"] = "no order was replayed";
      }
      never.push_back(std::move(n));
    }
  }
  bj::array changes;
  for (const auto& c : r.largest_changes) {
    changes.push_back(bj::object{{"order_id", c.id},
                                 {"created_at", domain::FormatTimestamp(c.created_at)},
                                 {"baseline_total", c.baseline_total.ToString()},
                                 {"draft_total", c.draft_total.ToString()},
                                 {"delta", c.delta().ToString()}});
  }
  bj::array versions;
  for (const auto v : report.versions) versions.push_back(v);
  return bj::object{{"start_date", report.range.start_label},
                    {"end_date", report.range.end_label},
                    {"current_version", report.current_version},
                    {"versions_replayed", std::move(versions)},
                    {"totals", std::move(totals)},
                    {"rules", std::move(rules)},
                    {"largest_changes", std::move(changes)},
                    {"never_applied", std::move(never)},
                    {"elapsed_ms", std::round(report.elapsed_ms * 10) / 10}};
}

}  // namespace

void AddBusinessRulesRoutes(Router& router, app::RulesAdminService& rules) {
  AddAvailabilityRoutes(router, rules);
  AddPricingRoutes(router, rules);
  AddPrepTimeAndLoyaltyRoutes(router, rules);
  AddAuditRoutes(router, rules);
  AddVersionRoutes(router, rules);
}

void AddSimulationRoutes(Router& router, app::SimulationService& simulation) {
  router.Add(Method::kPost, "/api/business-rules/simulate", Access::kAdmin, Exec::kWorker,
             [&simulation](Request& req) {
               auto request = json::ReadSimulation(req);
               if (!request) return json::ErrorResponse(request.error());
               return json::Respond(simulation.Simulate(*request), 200, SimulationJson);
             });
}

}  // namespace coffee::http
