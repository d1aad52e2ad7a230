#include "app/rules_admin_service.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <string>
#include <type_traits>
#include <utility>

#include "app/paging.hpp"
#include "rules/availability.hpp"
#include "rules/shop_clock.hpp"
#include "rules/validation.hpp"

namespace coffee::app {

namespace {

std::string CoffeeNotFound(domain::CoffeeId id) {
  return "Coffee with id " + std::to_string(id.value) + " not found";
}

std::string RuleNotFound(domain::RuleId id) {
  return "Pricing rule with id " + std::to_string(id.value) + " not found";
}

/// One 400 naming every field of `errors`.
AppError ToError(const rules::FieldErrors& errors) {
  ValidationErrors e;
  for (const auto& [field, message] : errors) e.Add(field, message);
  return e.ToError();
}

std::string VersionNotFound(std::int64_t version) {
  return "Rule-set version " + std::to_string(version) + " not found";
}

/// Records a configuration change and the rule-set version it produced, and announces it to
/// every instance (at commit): each one reloads its rules snapshot.
void RecordRulesChange(Tx& tx, const ConfigChange& change) {
  tx.Audit().InsertConfigChange(change);
  std::string summary = change.entity;
  if (!change.entity_id.empty()) summary += " " + change.entity_id;
  summary += " " + change.action;
  if (change.scheduled_change_id) {
    summary += " (scheduled change " + std::to_string(*change.scheduled_change_id) + ")";
  }
  RecordRuleSetVersion(tx, change.actor_id, "change", std::nullopt, std::move(summary),
                       change.created_at);
  tx.Announce(kRulesChannel, change.entity);
}

/// The object of a JSON document text (an empty object when it is not one).
boost::json::object DocumentObject(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.get_object());
}

/// The JSON of a value with its timestamps, compared without them.
template <typename T, typename ToJson>
bool SameRow(const T& a, const T& b, ToJson to_json) {
  auto ja = to_json(a);
  auto jb = to_json(b);
  for (auto* o : {&ja, &jb}) {
    o->erase("created_at");
    o->erase("updated_at");
  }
  return ja == jb;
}

/// Writes `target` over the live configuration, touching only rows that differ.
void ApplyRuleSet(Tx& tx, const RulesData& current, const RulesData& target) {
  auto& repo = tx.Rules();
  std::vector<domain::CoffeeId> wanted;
  for (const auto& row : target.availability) wanted.push_back(row.coffee_id);
  for (const auto& row : target.prep_times) wanted.push_back(row.coffee_id);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  const auto existing = tx.Coffees().ExistingIds(wanted);
  const auto exists = [&](domain::CoffeeId id) {
    return std::binary_search(existing.begin(), existing.end(), id);
  };
  const auto availability_json = [](const domain::Availability& a) {
    return AvailabilityJson(AvailabilityView{a, true, true});
  };
  for (const auto& row : current.availability) {
    const bool kept = std::any_of(target.availability.begin(), target.availability.end(),
                                  [&](const auto& t) { return t.coffee_id == row.coffee_id; });
    if (!kept) repo.DeleteAvailability(row.coffee_id);
  }
  for (const auto& row : target.availability) {
    if (!exists(row.coffee_id)) continue;  // the coffee was deleted since
    const auto it = std::find_if(current.availability.begin(), current.availability.end(),
                                 [&](const auto& c) { return c.coffee_id == row.coffee_id; });
    if (it == current.availability.end() || !SameRow(*it, row, availability_json)) {
      repo.UpsertAvailability(row);
    }
  }
  for (const auto& rule : current.pricing_rules) {
    const bool kept = std::any_of(target.pricing_rules.begin(), target.pricing_rules.end(),
                                  [&](const auto& t) { return t.id == rule.id; });
    if (!kept && rule.is_active) repo.DeactivateRule(rule.id);
  }
  for (const auto& rule : target.pricing_rules) {
    const auto it = std::find_if(current.pricing_rules.begin(), current.pricing_rules.end(),
                                 [&](const auto& c) { return c.id == rule.id; });
    if (it != current.pricing_rules.end() && !SameRow(*it, rule, PricingRuleJson)) {
      repo.ReplaceRule(rule);
    }
  }
  const auto prep_json = [](const domain::PrepTimeConfig& c) {
    return PrepTimeJson(PrepTimeView{c, false});
  };
  for (const auto& row : current.prep_times) {
    const bool kept = std::any_of(target.prep_times.begin(), target.prep_times.end(),
                                  [&](const auto& t) { return t.coffee_id == row.coffee_id; });
    if (!kept) repo.DeletePrepTime(row.coffee_id);
  }
  for (const auto& row : target.prep_times) {
    if (!exists(row.coffee_id)) continue;
    const auto it = std::find_if(current.prep_times.begin(), current.prep_times.end(),
                                 [&](const auto& c) { return c.coffee_id == row.coffee_id; });
    if (it == current.prep_times.end() || !SameRow(*it, row, prep_json)) {
      repo.UpsertPrepTime(row);
    }
  }
  if (!SameRow(current.pricing_settings, target.pricing_settings, PricingSettingsJson)) {
    repo.PutPricingSettings(target.pricing_settings);
  }
  if (!SameRow(current.prep_time_settings, target.prep_time_settings, PrepTimeSettingsJson)) {
    repo.PutPrepTimeSettings(target.prep_time_settings);
  }
  if (!SameRow(current.loyalty, target.loyalty, LoyaltyConfigJson)) {
    repo.PutLoyaltyConfig(target.loyalty);
  }
}

/// Adds one error per id of `wanted` that the catalog does not hold.
template <typename FieldName>
void RequireCoffees(Tx& tx, const std::vector<domain::CoffeeId>& wanted, rules::FieldErrors& errors,
                    FieldName field_name) {
  if (wanted.empty()) return;
  const auto existing = tx.Coffees().ExistingIds(wanted);
  for (const auto id : wanted) {
    if (!std::binary_search(existing.begin(), existing.end(), id)) {
      errors.emplace(field_name(id), "no coffee with id " + std::to_string(id.value));
    }
  }
}

}  // namespace

RuleSetVersion RecordRuleSetVersion(Tx& tx, std::optional<domain::UserId> actor, std::string source,
                                    std::optional<std::int64_t> restored_from, std::string summary,
                                    domain::Instant at) {
  tx.Rules().LockVersions();
  const RulesData data = tx.Rules().LoadAll();
  RuleSetVersion version;
  version.version = data.version + 1;
  version.actor_id = actor;
  version.source = std::move(source);
  version.restored_from = restored_from;
  version.summary = std::move(summary);
  version.document = JsonText(RuleSetJson(data));
  version.created_at = at;
  tx.Rules().InsertVersion(version);
  return version;
}

AvailabilityView RulesAdminService::View(const std::optional<domain::Availability>& row,
                                         domain::CoffeeId coffee_id) const {
  AvailabilityView view;
  if (row) {
    view.row = *row;
    view.has_row = true;
  } else {
    view.row.coffee_id = coffee_id;
  }
  const auto shop = rules::ToShopTime(clock_.Now(), cache_.zone());
  view.available_now =
      rules::EvaluateAvailability(row ? &view.row : nullptr, shop.time).available_now;
  return view;
}

ConfigChange RulesAdminService::Change(const ChangeContext& context, std::string entity,
                                       std::string entity_id, std::string action) const {
  ConfigChange change;
  change.actor_id = context.actor;
  change.scheduled_change_id = context.scheduled_change_id;
  change.entity = std::move(entity);
  change.entity_id = std::move(entity_id);
  change.action = std::move(action);
  change.created_at = clock_.Now();
  return change;
}

template <typename T, typename Fn>
Outcome<T> RulesAdminService::Commit(Fn&& fn) {
  std::optional<Outcome<T>> result;
  store_.Write([&](Tx& tx) {
    result.emplace(fn(tx));
    return result->ok();
  });
  if (result->ok()) cache_.ReloadNow();
  return std::move(*result);
}

Status RulesAdminService::ApplyChange(Tx& tx, const ChangeContext& context,
                                      const RulesChange& change) {
  const auto status = [](const auto& outcome) -> Status {
    if (!outcome) return outcome.error();
    return Ok{};
  };
  return std::visit(
      [&](const auto& c) -> Status {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, AvailabilityChange>) {
          return status(UpsertAvailabilityIn(tx, context, c.availability));
        } else if constexpr (std::is_same_v<C, RuleCreate>) {
          return status(SaveRuleIn(tx, context, std::nullopt, c.input));
        } else if constexpr (std::is_same_v<C, RuleReplace>) {
          return status(SaveRuleIn(tx, context, c.id, c.input));
        } else if constexpr (std::is_same_v<C, RuleDelete>) {
          return status(DeactivateRuleIn(tx, context, c.id));
        } else if constexpr (std::is_same_v<C, PricingSettingsUpdate>) {
          return status(PutPricingSettingsIn(tx, context, c));
        } else if constexpr (std::is_same_v<C, PrepTimeSettingsUpdate>) {
          return status(PutPrepTimeSettingsIn(tx, context, c));
        } else if constexpr (std::is_same_v<C, PrepTimeChange>) {
          return status(PutPrepTimeIn(tx, context, c.coffee_id, c.update));
        } else if constexpr (std::is_same_v<C, LoyaltyConfigUpdate>) {
          return status(PutLoyaltyConfigIn(tx, context, c));
        } else {
          static_assert(std::is_same_v<C, RuleSetRestore>);
          return status(RestoreVersionIn(tx, context, c.version));
        }
      },
      change);
}

Outcome<AvailabilityView> RulesAdminService::GetAvailability(domain::CoffeeId coffee_id) {
  bool found = false;
  std::optional<domain::Availability> row;
  store_.Read([&](Tx& tx) {
    found = tx.Coffees().Find(coffee_id).has_value();
    if (found) row = tx.Rules().FindAvailability(coffee_id);
  });
  if (!found) return AppError::NotFound(CoffeeNotFound(coffee_id));
  return View(row, coffee_id);
}

Outcome<std::vector<AvailabilityView>> RulesAdminService::ListAvailability() {
  std::vector<domain::Coffee> coffees;
  std::vector<domain::Availability> rows;
  store_.Read([&](Tx& tx) {
    CoffeeQuery query;
    query.limit = tx.Coffees().Count(query);
    if (query.limit > 0) coffees = tx.Coffees().List(query);
    rows = tx.Rules().LoadAll().availability;
  });
  std::vector<AvailabilityView> views;
  views.reserve(coffees.size());
  for (const auto& coffee : coffees) {
    const auto it = std::find_if(rows.begin(), rows.end(),
                                 [&](const auto& r) { return r.coffee_id == coffee.id; });
    views.push_back(View(it == rows.end() ? std::nullopt : std::optional(*it), coffee.id));
  }
  return views;
}

Outcome<AvailabilityView> RulesAdminService::UpsertAvailability(
    domain::UserId actor, const domain::Availability& availability) {
  return Commit<AvailabilityView>([&](Tx& tx) {
    return UpsertAvailabilityIn(tx, ChangeContext{actor, {}}, availability);
  });
}

Outcome<AvailabilityView> RulesAdminService::UpsertAvailabilityIn(
    Tx& tx, const ChangeContext& context, const domain::Availability& availability) {
  domain::Availability row = availability;
  if (row.reason && row.reason->find_first_not_of(" \t") == std::string::npos) row.reason.reset();
  rules::FieldErrors errors = rules::ValidateAvailability(row);
  if (!errors.contains("coffee_id")) {
    RequireCoffees(tx, {row.coffee_id}, errors, [](auto) { return std::string("coffee_id"); });
  }
  if (!errors.empty()) return ToError(errors);
  const auto before = tx.Rules().FindAvailability(row.coffee_id);
  auto stored = View(tx.Rules().UpsertAvailability(row), row.coffee_id);
  auto change = Change(context, "availability", std::to_string(row.coffee_id.value),
                       before ? "update" : "create");
  if (before) change.before_json = JsonText(AvailabilityJson(View(before, row.coffee_id)));
  change.after_json = JsonText(AvailabilityJson(stored));
  RecordRulesChange(tx, change);
  return stored;
}

std::pair<std::vector<domain::PricingRule>, std::uint64_t> RulesAdminService::SnapshotRules(
    bool include_inactive) const {
  // Generation first: a reload in between makes the snapshot newer than the generation, which
  // only costs the caller one extra rebuild, never a stale cache entry.
  const std::uint64_t generation = cache_.Generation();
  const auto snapshot = cache_.Peek();
  std::vector<domain::PricingRule> rules;
  if (snapshot) {
    for (const auto& rule : snapshot->pricing_rules()) {
      if (include_inactive || rule.is_active) rules.push_back(rule);
    }
  }
  return {std::move(rules), generation};
}

Outcome<domain::PricingRule> RulesAdminService::GetRule(domain::RuleId id, bool include_inactive) {
  std::optional<domain::PricingRule> rule;
  store_.Read([&](Tx& tx) { rule = tx.Rules().FindRule(id); });
  if (!rule || (!rule->is_active && !include_inactive)) {
    return AppError::NotFound(RuleNotFound(id));
  }
  return std::move(*rule);
}

std::int64_t RulesAdminService::RuleUses(domain::RuleId id) {
  std::int64_t uses = 0;
  store_.Read([&](Tx& tx) {
    const auto usage = tx.Usage().Usage({id}, std::nullopt);
    if (!usage.empty()) uses = usage.front().uses;
  });
  return uses;
}

std::vector<rules::RuleWarning> RulesAdminService::RuleWarnings(const domain::PricingRule& rule) {
  const auto snapshot = cache_.Acquire();
  if (!snapshot) return {};
  const rules::WarningContext context{snapshot->pricing_rules(), snapshot->availability(),
                                      snapshot->pricing_settings(), clock_.Now(), snapshot->zone()};
  return rules::RuleWarnings(rule, context);
}

Outcome<domain::PricingRule> RulesAdminService::CreateRule(domain::UserId actor,
                                                           const PricingRuleInput& input) {
  return Commit<domain::PricingRule>([&](Tx& tx) {
    return SaveRuleIn(tx, ChangeContext{actor, {}}, std::nullopt, input);
  });
}

Outcome<domain::PricingRule> RulesAdminService::ReplaceRule(domain::UserId actor, domain::RuleId id,
                                                            const PricingRuleInput& input) {
  return Commit<domain::PricingRule>([&](Tx& tx) {
    return SaveRuleIn(tx, ChangeContext{actor, {}}, id, input);
  });
}

Outcome<domain::PricingRule> RulesAdminService::SaveRuleIn(Tx& tx, const ChangeContext& context,
                                                           std::optional<domain::RuleId> id,
                                                           const PricingRuleInput& input) {
  domain::PricingRule rule = input.rule;
  rule.valid_from = input.valid_from.value_or(clock_.Now());
  // A replacement without valid_from keeps the stored one, so its date check waits for the
  // stored rule.
  rules::FieldErrors errors = rules::ValidatePricingRule(rule);
  if (id && !input.valid_from) errors.erase("valid_until");
  std::optional<domain::PricingRule> before;
  if (id) {
    before = tx.Rules().FindRule(*id);
    if (!before) return AppError::NotFound(RuleNotFound(*id));
    rule.id = *id;
    if (!input.valid_from) {
      rule.valid_from = before->valid_from;
      if (auto dates = rules::ValidatePricingRule(rule); dates.contains("valid_until")) {
        errors.emplace("valid_until", dates.at("valid_until"));
      }
    }
  }
  if (rule.coffee_ids && !errors.contains("coffee_ids")) {
    RequireCoffees(tx, *rule.coffee_ids, errors, [](auto) { return std::string("coffee_ids"); });
  }
  if (!errors.empty()) return ToError(errors);
  auto saved = id ? tx.Rules().ReplaceRule(rule) : tx.Rules().CreateRule(rule);
  if (!saved) return AppError::NotFound(RuleNotFound(*id));
  auto change = Change(context, "pricing_rule", std::to_string(saved->id.value),
                       before ? "update" : "create");
  if (before) change.before_json = JsonText(PricingRuleJson(*before));
  change.after_json = JsonText(PricingRuleJson(*saved));
  RecordRulesChange(tx, change);
  return std::move(*saved);
}

Status RulesAdminService::DeactivateRule(domain::UserId actor, domain::RuleId id) {
  auto result = Commit<bool>([&](Tx& tx) {
    return DeactivateRuleIn(tx, ChangeContext{actor, {}}, id);
  });
  if (!result) return result.error();
  return Ok{};
}

Outcome<bool> RulesAdminService::DeactivateRuleIn(Tx& tx, const ChangeContext& context,
                                                  domain::RuleId id) {
  const auto before = tx.Rules().FindRule(id);
  if (!before) return AppError::NotFound(RuleNotFound(id));
  if (!before->is_active || !tx.Rules().DeactivateRule(id)) return false;
  const auto after = tx.Rules().FindRule(id);
  auto change = Change(context, "pricing_rule", std::to_string(id.value), "delete");
  change.before_json = JsonText(PricingRuleJson(*before));
  if (after) change.after_json = JsonText(PricingRuleJson(*after));
  RecordRulesChange(tx, change);
  return true;
}

Outcome<domain::PricingSettings> RulesAdminService::GetPricingSettings() {
  domain::PricingSettings settings;
  store_.Read([&](Tx& tx) { settings = tx.Rules().GetPricingSettings(); });
  return settings;
}

Outcome<domain::PricingSettings> RulesAdminService::PutPricingSettings(
    domain::UserId actor, const PricingSettingsUpdate& update) {
  return Commit<domain::PricingSettings>([&](Tx& tx) {
    return PutPricingSettingsIn(tx, ChangeContext{actor, {}}, update);
  });
}

Outcome<domain::PricingSettings> RulesAdminService::PutPricingSettingsIn(
    Tx& tx, const ChangeContext& context, const PricingSettingsUpdate& update) {
  const auto before = tx.Rules().GetPricingSettings();
  domain::PricingSettings next = before;
  if (update.combination_strategy) next.combination_strategy = *update.combination_strategy;
  if (update.max_discount_percent) next.max_discount_percent = *update.max_discount_percent;
  if (auto errors = rules::ValidatePricingSettings(next); !errors.empty()) return ToError(errors);
  auto saved = tx.Rules().PutPricingSettings(next);
  auto change = Change(context, "pricing_settings", "", "update");
  change.before_json = JsonText(PricingSettingsJson(before));
  change.after_json = JsonText(PricingSettingsJson(saved));
  RecordRulesChange(tx, change);
  return saved;
}

Outcome<domain::PrepTimeSettings> RulesAdminService::GetPrepTimeSettings() {
  domain::PrepTimeSettings settings;
  store_.Read([&](Tx& tx) { settings = tx.Rules().GetPrepTimeSettings(); });
  return settings;
}

Outcome<domain::PrepTimeSettings> RulesAdminService::PutPrepTimeSettings(
    domain::UserId actor, const PrepTimeSettingsUpdate& update) {
  return Commit<domain::PrepTimeSettings>([&](Tx& tx) {
    return PutPrepTimeSettingsIn(tx, ChangeContext{actor, {}}, update);
  });
}

Outcome<domain::PrepTimeSettings> RulesAdminService::PutPrepTimeSettingsIn(
    Tx& tx, const ChangeContext& context, const PrepTimeSettingsUpdate& update) {
  const auto before = tx.Rules().GetPrepTimeSettings();
  domain::PrepTimeSettings next = before;
  if (update.default_base_minutes) next.default_base_minutes = *update.default_base_minutes;
  if (update.default_per_additional_item) {
    next.default_per_additional_item = *update.default_per_additional_item;
  }
  if (update.baristas) next.baristas = *update.baristas;
  if (auto errors = rules::ValidatePrepTimeSettings(next); !errors.empty()) {
    return ToError(errors);
  }
  auto saved = tx.Rules().PutPrepTimeSettings(next);
  auto change = Change(context, "prep_time_settings", "", "update");
  change.before_json = JsonText(PrepTimeSettingsJson(before));
  change.after_json = JsonText(PrepTimeSettingsJson(saved));
  RecordRulesChange(tx, change);
  return saved;
}

Outcome<PrepTimeView> RulesAdminService::GetPrepTime(domain::CoffeeId coffee_id) {
  bool found = false;
  std::optional<domain::PrepTimeConfig> row;
  domain::PrepTimeSettings settings;
  store_.Read([&](Tx& tx) {
    found = tx.Coffees().Find(coffee_id).has_value();
    if (!found) return;
    row = tx.Rules().FindPrepTime(coffee_id);
    if (!row) settings = tx.Rules().GetPrepTimeSettings();
  });
  if (!found) return AppError::NotFound(CoffeeNotFound(coffee_id));
  if (row) return PrepTimeView{*row, false};
  domain::PrepTimeConfig defaults;
  defaults.coffee_id = coffee_id;
  defaults.base_minutes = settings.default_base_minutes;
  defaults.per_additional_item = settings.default_per_additional_item;
  return PrepTimeView{defaults, true};
}

Outcome<PrepTimeView> RulesAdminService::PutPrepTime(domain::UserId actor,
                                                     domain::CoffeeId coffee_id,
                                                     const PrepTimeUpdate& update) {
  return Commit<PrepTimeView>([&](Tx& tx) {
    return PutPrepTimeIn(tx, ChangeContext{actor, {}}, coffee_id, update);
  });
}

Outcome<PrepTimeView> RulesAdminService::PutPrepTimeIn(Tx& tx, const ChangeContext& context,
                                                       domain::CoffeeId coffee_id,
                                                       const PrepTimeUpdate& update) {
  if (!tx.Coffees().Find(coffee_id)) return AppError::NotFound(CoffeeNotFound(coffee_id));
  const auto before = tx.Rules().FindPrepTime(coffee_id);
  domain::PrepTimeConfig next;
  if (before) {
    next = *before;
  } else {
    const auto settings = tx.Rules().GetPrepTimeSettings();
    next.coffee_id = coffee_id;
    next.base_minutes = settings.default_base_minutes;
    next.per_additional_item = settings.default_per_additional_item;
  }
  if (update.base_minutes) next.base_minutes = *update.base_minutes;
  if (update.per_additional_item) next.per_additional_item = *update.per_additional_item;
  if (auto errors = rules::ValidatePrepTimeConfig(next); !errors.empty()) return ToError(errors);
  PrepTimeView saved{tx.Rules().UpsertPrepTime(next), false};
  auto change =
      Change(context, "prep_time", std::to_string(coffee_id.value), before ? "update" : "create");
  if (before) change.before_json = JsonText(PrepTimeJson(PrepTimeView{*before, false}));
  change.after_json = JsonText(PrepTimeJson(saved));
  RecordRulesChange(tx, change);
  return saved;
}

Outcome<domain::LoyaltyConfig> RulesAdminService::GetLoyaltyConfig() {
  domain::LoyaltyConfig config;
  store_.Read([&](Tx& tx) { config = tx.Rules().GetLoyaltyConfig(); });
  return config;
}

Outcome<domain::LoyaltyConfig> RulesAdminService::PutLoyaltyConfig(
    domain::UserId actor, const LoyaltyConfigUpdate& update) {
  return Commit<domain::LoyaltyConfig>([&](Tx& tx) {
    return PutLoyaltyConfigIn(tx, ChangeContext{actor, {}}, update);
  });
}

Outcome<domain::LoyaltyConfig> RulesAdminService::PutLoyaltyConfigIn(
    Tx& tx, const ChangeContext& context, const LoyaltyConfigUpdate& update) {
  const auto before = tx.Rules().GetLoyaltyConfig();
  domain::LoyaltyConfig next = before;
  if (update.points_per_dollar) next.points_per_dollar = *update.points_per_dollar;
  if (update.bonus_multipliers) next.bonus_multipliers = *update.bonus_multipliers;
  rules::FieldErrors errors = rules::ValidateLoyaltyConfig(next);
  std::vector<domain::CoffeeId> ids;
  for (const auto& [coffee_id, multiplier] : next.bonus_multipliers) {
    if (coffee_id.value > 0) ids.push_back(coffee_id);
  }
  RequireCoffees(tx, ids, errors, [](domain::CoffeeId id) {
    return "bonus_multipliers." + std::to_string(id.value);
  });
  if (!errors.empty()) return ToError(errors);
  auto saved = tx.Rules().PutLoyaltyConfig(next);
  auto change = Change(context, "loyalty_config", "", "update");
  change.before_json = JsonText(LoyaltyConfigJson(before));
  change.after_json = JsonText(LoyaltyConfigJson(saved));
  RecordRulesChange(tx, change);
  return saved;
}

Outcome<AuditPage> RulesAdminService::QueryAudit(const std::optional<std::string>& order_id,
                                                 AuditQuery q) {
  if (order_id) {
    q.order_id = domain::OrderId::Parse(*order_id);
    if (!q.order_id) return AppError::Validation("order_id", "must be a UUID");
  }
  AuditPage page;
  store_.Read([&](Tx& tx) {
    page.total = tx.Audit().CountAudit(q);
    page.records =
        ReadPage<AuditRecord>(page.total, q.offset, q.limit, [&](const PageSlice& slice) {
          AuditQuery read = q;
          read.newest_first = slice.from_end;
          read.offset = slice.offset;
          read.limit = slice.limit;
          return tx.Audit().ListAudit(read);
        });
  });
  return page;
}

Outcome<ChangePage> RulesAdminService::ListChanges(std::int64_t offset, std::int64_t limit) {
  ChangePage page;
  store_.Read([&](Tx& tx) {
    page.changes = tx.Audit().ListConfigChanges(offset, limit);
    page.total = tx.Audit().CountConfigChanges();
  });
  return page;
}

std::int64_t RulesAdminService::RecordCurrentVersion() {
  std::int64_t newest = 0;
  store_.Write([&](Tx& tx) {
    tx.Rules().LockVersions();
    const RulesData data = tx.Rules().LoadAll();
    newest = data.version;
    if (newest > 0) {
      const auto stored = tx.Rules().FindVersion(newest);
      if (stored && SameRuleSet(DocumentObject(stored->document), RuleSetJson(data))) {
        return false;
      }
    }
    newest = RecordRuleSetVersion(tx, std::nullopt, "initial", std::nullopt,
                                  "configuration found at start-up", clock_.Now())
                 .version;
    tx.Announce(kRulesChannel, "rule_set");
    return true;
  });
  return newest;
}

Outcome<VersionPage> RulesAdminService::ListVersions(std::int64_t offset, std::int64_t limit) {
  VersionPage page;
  store_.Read([&](Tx& tx) {
    page.versions = tx.Rules().ListVersions(offset, limit);
    page.total = tx.Rules().CountVersions();
  });
  return page;
}

Outcome<RuleSetVersion> RulesAdminService::GetVersion(std::int64_t version) {
  std::optional<RuleSetVersion> found;
  store_.Read([&](Tx& tx) { found = tx.Rules().FindVersion(version); });
  if (!found) return AppError::NotFound(VersionNotFound(version));
  return std::move(*found);
}

Outcome<VersionDiff> RulesAdminService::DiffVersions(std::int64_t from, std::int64_t to) {
  std::optional<RuleSetVersion> a;
  std::optional<RuleSetVersion> b;
  store_.Read([&](Tx& tx) {
    a = tx.Rules().FindVersion(from);
    b = tx.Rules().FindVersion(to);
  });
  if (!a) return AppError::NotFound(VersionNotFound(from));
  if (!b) return AppError::NotFound(VersionNotFound(to));
  return VersionDiff{from, to,
                     DiffRuleSets(DocumentObject(a->document), DocumentObject(b->document))};
}

Outcome<RuleSetVersion> RulesAdminService::RestoreVersion(domain::UserId actor,
                                                          std::int64_t version) {
  return Commit<RuleSetVersion>([&](Tx& tx) {
    return RestoreVersionIn(tx, ChangeContext{actor, {}}, version);
  });
}

Outcome<RuleSetVersion> RulesAdminService::RestoreVersionIn(Tx& tx, const ChangeContext& context,
                                                            std::int64_t version) {
  tx.Rules().LockVersions();
  const auto source = tx.Rules().FindVersion(version);
  if (!source) return AppError::NotFound(VersionNotFound(version));
  const auto target = ParseRuleSet(source->document);
  if (!target) {
    throw StorageError("rule-set version " + std::to_string(version) + " is not readable");
  }
  const RulesData current = tx.Rules().LoadAll();
  ApplyRuleSet(tx, current, *target);
  auto change = Change(context, "rule_set", std::to_string(version), "restore");
  change.before_json = JsonText(boost::json::object{{"version", current.version}});
  change.after_json =
      JsonText(boost::json::object{{"version", current.version + 1}, {"restored_from", version}});
  tx.Audit().InsertConfigChange(change);
  std::string summary = "restore of version " + std::to_string(version);
  if (context.scheduled_change_id) {
    summary += " (scheduled change " + std::to_string(*context.scheduled_change_id) + ")";
  }
  auto created = RecordRuleSetVersion(tx, context.actor, "restore", version, std::move(summary),
                                      change.created_at);
  tx.Announce(kRulesChannel, "rule_set");
  return created;
}

}  // namespace coffee::app
