#include <algorithm>
#include <array>
#include <string>

#include "storage/json_columns.hpp"
#include "storage/order_columns.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

constexpr Statement kAvailabilityAll{
    "availability_all",
    "SELECT coffee_id, status, reason, available_from, available_until, updated_at "
    "FROM coffee_availability ORDER BY coffee_id"};
constexpr Statement kAvailabilityFind{
    "availability_find",
    "SELECT coffee_id, status, reason, available_from, available_until, updated_at "
    "FROM coffee_availability WHERE coffee_id = $1"};
constexpr Statement kAvailabilityUpsert{
    "availability_upsert",
    "INSERT INTO coffee_availability "
    "(coffee_id, status, reason, available_from, available_until, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (coffee_id) DO UPDATE SET "
    "status = EXCLUDED.status, reason = EXCLUDED.reason, "
    "available_from = EXCLUDED.available_from, available_until = EXCLUDED.available_until, "
    "updated_at = EXCLUDED.updated_at "
    "RETURNING coffee_id, status, reason, available_from, available_until, updated_at"};

constexpr Statement kRuleList{
    "rule_list",
    "SELECT rule_id, rule_type, description, discount_type, discount_value_hundredths, priority, "
    "is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, "
    "min_quantity, created_at, updated_at, promo_code, max_uses, max_uses_per_customer "
    "FROM pricing_rules"
    " WHERE ($1::boolean OR is_active) ORDER BY rule_id"};
constexpr Statement kRuleFind{
    "rule_find",
    "SELECT rule_id, rule_type, description, discount_type, discount_value_hundredths, priority, "
    "is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, "
    "min_quantity, created_at, updated_at, promo_code, max_uses, max_uses_per_customer "
    "FROM pricing_rules WHERE rule_id = $1"};
constexpr Statement kRuleCreate{
    "rule_create",
    "INSERT INTO pricing_rules (rule_type, description, discount_type, "
    "discount_value_hundredths, priority, is_active, valid_from, valid_until, coffee_ids, "
    "time_ranges, days_of_week, min_quantity, promo_code, max_uses, max_uses_per_customer) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, $12, $13, $14, "
    "$15) "
    "RETURNING rule_id, rule_type, description, discount_type, discount_value_hundredths, "
    "priority, "
    "is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, "
    "min_quantity, created_at, updated_at, promo_code, max_uses, max_uses_per_customer"};
constexpr Statement kRuleReplace{
    "rule_replace",
    "UPDATE pricing_rules SET rule_type = $2, description = $3, discount_type = $4, "
    "discount_value_hundredths = $5, priority = $6, is_active = $7, valid_from = $8, "
    "valid_until = $9, coffee_ids = $10::jsonb, time_ranges = $11::jsonb, "
    "days_of_week = $12::jsonb, min_quantity = $13, promo_code = $14, max_uses = $15, "
    "max_uses_per_customer = $16, updated_at = now() "
    "WHERE rule_id = $1 RETURNING rule_id, rule_type, description, discount_type, "
    "discount_value_hundredths, priority, "
    "is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, "
    "min_quantity, created_at, updated_at, promo_code, max_uses, max_uses_per_customer"};
constexpr Statement kRuleDeactivate{
    "rule_deactivate",
    "UPDATE pricing_rules SET is_active = false, updated_at = now() WHERE rule_id = $1"};

constexpr Statement kPricingSettingsGet{
    "pricing_settings_get",
    "SELECT combination_strategy, max_discount_percent_hundredths, updated_at "
    "FROM pricing_settings WHERE id = 1"};
constexpr Statement kPricingSettingsPut{
    "pricing_settings_put",
    "INSERT INTO pricing_settings (id, combination_strategy, max_discount_percent_hundredths, "
    "updated_at) VALUES (1, $1, $2, now()) ON CONFLICT (id) DO UPDATE SET "
    "combination_strategy = EXCLUDED.combination_strategy, "
    "max_discount_percent_hundredths = EXCLUDED.max_discount_percent_hundredths, "
    "updated_at = EXCLUDED.updated_at "
    "RETURNING combination_strategy, max_discount_percent_hundredths, updated_at"};

constexpr Statement kPrepTimeAll{
    "prep_time_all",
    "SELECT coffee_id, base_minutes, per_additional_item, updated_at FROM prep_time_config "
    "ORDER BY coffee_id"};
constexpr Statement kPrepTimeFind{
    "prep_time_find",
    "SELECT coffee_id, base_minutes, per_additional_item, updated_at FROM prep_time_config "
    "WHERE coffee_id = $1"};
constexpr Statement kPrepTimeUpsert{
    "prep_time_upsert",
    "INSERT INTO prep_time_config (coffee_id, base_minutes, per_additional_item, updated_at) "
    "VALUES ($1, $2, $3, now()) ON CONFLICT (coffee_id) DO UPDATE SET "
    "base_minutes = EXCLUDED.base_minutes, per_additional_item = EXCLUDED.per_additional_item, "
    "updated_at = EXCLUDED.updated_at "
    "RETURNING coffee_id, base_minutes, per_additional_item, updated_at"};
constexpr Statement kPrepSettingsGet{
    "prep_settings_get",
    "SELECT default_base_minutes, default_per_additional_item, baristas, updated_at "
    "FROM prep_time_settings WHERE id = 1"};
constexpr Statement kPrepSettingsPut{
    "prep_settings_put",
    "INSERT INTO prep_time_settings (id, default_base_minutes, default_per_additional_item, "
    "baristas, updated_at) VALUES (1, $1, $2, $3, now()) ON CONFLICT (id) DO UPDATE SET "
    "default_base_minutes = EXCLUDED.default_base_minutes, "
    "default_per_additional_item = EXCLUDED.default_per_additional_item, "
    "baristas = EXCLUDED.baristas, updated_at = EXCLUDED.updated_at "
    "RETURNING default_base_minutes, default_per_additional_item, baristas, updated_at"};

constexpr Statement kLoyaltyGet{
    "loyalty_get",
    "SELECT points_per_dollar_ten_thousandths, bonus_multipliers, updated_at "
    "FROM loyalty_config WHERE id = 1"};
constexpr Statement kLoyaltyPut{
    "loyalty_put",
    "INSERT INTO loyalty_config (id, points_per_dollar_ten_thousandths, bonus_multipliers, "
    "updated_at) VALUES (1, $1, $2::jsonb, now()) ON CONFLICT (id) DO UPDATE SET "
    "points_per_dollar_ten_thousandths = EXCLUDED.points_per_dollar_ten_thousandths, "
    "bonus_multipliers = EXCLUDED.bonus_multipliers, updated_at = EXCLUDED.updated_at "
    "RETURNING points_per_dollar_ten_thousandths, bonus_multipliers, updated_at"};

constexpr Statement kChangeInsert{
    "config_change_insert",
    "INSERT INTO config_change_log "
    "(actor_id, entity, entity_id, action, before_json, after_json, created_at, "
    "scheduled_change_id) "
    "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, COALESCE($7::timestamptz, now()), $8)"};
constexpr Statement kChangeList{
    "config_change_list",
    "SELECT id, actor_id, entity, entity_id, action, before_json, after_json, created_at, "
    "scheduled_change_id "
    "FROM config_change_log ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT $2"};
constexpr Statement kChangeCount{"config_change_count", "SELECT count(*) FROM config_change_log"};

constexpr Statement kAvailabilityDelete{"availability_delete",
                                        "DELETE FROM coffee_availability WHERE coffee_id = $1"};
constexpr Statement kPrepTimeDelete{"prep_time_delete",
                                    "DELETE FROM prep_time_config WHERE coffee_id = $1"};
/// Any fixed key: the lock only serializes writers of rule_set_versions.
constexpr Statement kVersionLock{"rule_version_lock", "SELECT pg_advisory_xact_lock(2026051401)"};
constexpr Statement kVersionLatest{"rule_version_latest",
                                   "SELECT COALESCE(MAX(version), 0) FROM rule_set_versions"};
constexpr Statement kVersionInsert{
    "rule_version_insert",
    "INSERT INTO rule_set_versions "
    "(version, actor_id, source, restored_from, summary, document, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, now()))"};
constexpr Statement kVersionFind{
    "rule_version_find",
    "SELECT version, actor_id, source, restored_from, summary, created_at, document "
    "FROM rule_set_versions WHERE version = $1"};
constexpr Statement kVersionList{
    "rule_version_list",
    "SELECT version, actor_id, source, restored_from, summary, created_at "
    "FROM rule_set_versions ORDER BY version DESC OFFSET $1 LIMIT $2"};
constexpr Statement kVersionCount{"rule_version_count", "SELECT count(*) FROM rule_set_versions"};

constexpr Statement kScheduledInsert{
    "scheduled_insert",
    "INSERT INTO scheduled_changes (effective_at, change, note, status, created_by, created_at) "
    "VALUES ($1, $2, $3, 'pending', $4, COALESCE($5::timestamptz, now())) RETURNING id"};
constexpr Statement kScheduledFind{
    "scheduled_find",
    "SELECT id, effective_at, change, note, status, created_by, created_at, settled_by, "
    "settled_at, version, failure FROM scheduled_changes "
    "WHERE id = $1"};
constexpr Statement kScheduledList{
    "scheduled_list",
    "SELECT id, effective_at, change, note, status, created_by, created_at, settled_by, "
    "settled_at, version, failure FROM scheduled_changes "
    "WHERE ($1::text IS NULL OR status = $1) ORDER BY effective_at, id OFFSET $2 LIMIT $3"};
constexpr Statement kScheduledCount{
    "scheduled_count",
    "SELECT count(*) FROM scheduled_changes WHERE ($1::text IS NULL OR status = $1)"};
constexpr Statement kScheduledNext{
    "scheduled_next", "SELECT min(effective_at) FROM scheduled_changes WHERE status = 'pending'"};
// SKIP LOCKED: a change another instance is applying is neither waited for nor taken twice.
constexpr Statement kScheduledClaim{
    "scheduled_claim",
    "SELECT id, effective_at, change, note, status, created_by, created_at, settled_by, "
    "settled_at, version, failure FROM scheduled_changes "
    "WHERE status = 'pending' AND effective_at <= $1 ORDER BY effective_at, id LIMIT 1 "
    "FOR UPDATE SKIP LOCKED"};
constexpr Statement kScheduledSettle{
    "scheduled_settle",
    "UPDATE scheduled_changes SET status = $2, settled_by = $3, version = $4, failure = $5, "
    "settled_at = $6 WHERE id = $1 AND status = 'pending'"};

// The two audit inserts are listed in BatchCache (batch_cache.cpp): they must not change an
// order, a coffee or a review.
constexpr Statement kAuditInsert{
    "audit_insert",
    "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at) "
    "VALUES ($1::uuid, $2, $3, $4::jsonb, $5, COALESCE($6::timestamptz, now()))"};
// Every record of one order in one statement: $1 is a JSON array of records (see
// EncodeAuditRecords); ORDER BY keeps audit ids in the given order.
constexpr Statement kAuditInsertMany{
    "audit_insert_many",
    "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at) "
    "SELECT (a->>'order_id')::uuid, a->>'rule_type', (a->>'rule_id')::bigint, a->'rule_data', "
    "a->>'effect', COALESCE((a->>'created_at')::timestamptz, now()) "
    "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(a, n) ORDER BY n"};
// One statement per filter combination, indexed by [has order id][has rule type], rather than
// `($1 IS NULL OR order_id = $1)`: a generic plan for that cannot use rule_audit_log_order_idx,
// so one order's audit scanned the whole log (3.9 s at 10M rows, bench/results/growth.md).
// Only the filters given are parameters; the offset and limit follow them.
constexpr std::array<std::array<Statement, 2>, 2> kAuditList{{
    {Statement{"audit_list_all",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log ORDER BY audit_id OFFSET $1 LIMIT $2"},
     Statement{"audit_list_type",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log WHERE rule_type = $1::text "
               "ORDER BY audit_id OFFSET $2 LIMIT $3"}},
    {Statement{"audit_list_order",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log WHERE order_id = $1::uuid "
               "ORDER BY audit_id OFFSET $2 LIMIT $3"},
     Statement{"audit_list_order_type",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log WHERE order_id = $1::uuid AND rule_type = $2::text "
               "ORDER BY audit_id OFFSET $3 LIMIT $4"}},
}};
/// kAuditList in the reverse order (AuditQuery::newest_first): the same indexes read backwards.
constexpr std::array<std::array<Statement, 2>, 2> kAuditListNewest{{
    {Statement{"audit_list_all_newest",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log ORDER BY audit_id DESC OFFSET $1 LIMIT $2"},
     Statement{"audit_list_type_newest",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log WHERE rule_type = $1::text "
               "ORDER BY audit_id DESC OFFSET $2 LIMIT $3"}},
    {Statement{"audit_list_order_newest",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log WHERE order_id = $1::uuid "
               "ORDER BY audit_id DESC OFFSET $2 LIMIT $3"},
     Statement{"audit_list_order_type_newest",
               "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at "
               "FROM rule_audit_log WHERE order_id = $1::uuid AND rule_type = $2::text "
               "ORDER BY audit_id DESC OFFSET $3 LIMIT $4"}},
}};
constexpr std::array<std::array<Statement, 2>, 2> kAuditCount{{
    // Without an order the totals come from rule_audit_totals, kept by triggers (migration
    // 0012) in 16 shard rows per rule type: counting those rows would read the whole log.
    {Statement{"audit_count_all",
               "SELECT coalesce(sum(audit_rows), 0)::bigint FROM rule_audit_totals"},
     Statement{"audit_count_type",
               "SELECT coalesce(sum(audit_rows), 0)::bigint FROM rule_audit_totals "
               "WHERE rule_type = $1::text"}},
    {Statement{"audit_count_order",
               "SELECT count(*) FROM rule_audit_log WHERE order_id = $1::uuid"},
     Statement{"audit_count_order_type",
               "SELECT count(*) FROM rule_audit_log WHERE order_id = $1::uuid "
               "AND rule_type = $2::text"}},
}};

std::optional<domain::TimeOfDay> OptTimeOfDay(const std::optional<std::string>& text,
                                              std::string_view column) {
  if (!text) return std::nullopt;
  const auto parsed = domain::TimeOfDay::Parse(*text);
  if (!parsed) throw DecodeError(std::string(column) + ": bad time of day '" + *text + "'");
  return parsed;
}

domain::Availability ReadAvailability(const Result& result, int row) {
  RowReader r(result, row);
  domain::Availability a;
  a.coffee_id = domain::CoffeeId(r.Int64());
  const std::string status = r.String();
  const auto parsed = domain::ParseAvailabilityStatus(status);
  if (!parsed) throw DecodeError("unknown status '" + status + "'");
  a.status = *parsed;
  a.reason = r.OptString();
  a.available_from = OptTimeOfDay(r.OptString(), "available_from");
  a.available_until = OptTimeOfDay(r.OptString(), "available_until");
  a.updated_at = r.Time();
  return a;
}

domain::PricingRule ReadRule(const Result& result, int row) {
  RowReader r(result, row);
  domain::PricingRule rule;
  rule.id = domain::RuleId(r.Int64());
  const std::string rule_type = r.String();
  const auto parsed_type = domain::ParseRuleType(rule_type);
  if (!parsed_type) throw DecodeError("unknown rule_type '" + rule_type + "'");
  rule.rule_type = *parsed_type;
  rule.description = r.String();
  const std::string discount_type = r.String();
  const auto parsed_discount = domain::ParseDiscountType(discount_type);
  if (!parsed_discount) throw DecodeError("unknown discount_type '" + discount_type + "'");
  rule.discount_type = *parsed_discount;
  rule.discount_value = domain::Fixed2{r.Int64()};
  rule.priority = r.Int();
  rule.is_active = r.Bool();
  rule.valid_from = r.Time();
  rule.valid_until = r.OptTime();
  if (auto ids = r.OptString()) rule.coffee_ids = DecodeCoffeeIds(*ids);
  rule.time_ranges = DecodeTimeRanges(r.String());
  rule.days_of_week = DecodeDaysOfWeek(r.String());
  rule.min_quantity = r.OptInt();
  rule.created_at = r.Time();
  rule.updated_at = r.Time();
  rule.promo_code = r.OptString();
  rule.max_uses = r.OptInt64();
  rule.max_uses_per_customer = r.OptInt64();
  return rule;
}

/// The id in the first column, for describing a row that failed to decode.
std::string RowId(const Result& result, int row) { return std::string(result.Text(row, 0)); }

domain::PricingSettings ReadPricingSettings(const Result& result) {
  RowReader r(result, 0);
  domain::PricingSettings s;
  const std::string strategy = r.String();
  const auto parsed = domain::ParseCombinationStrategy(strategy);
  if (!parsed) throw DecodeError("unknown combination_strategy '" + strategy + "'");
  s.combination_strategy = *parsed;
  s.max_discount_percent = domain::Fixed2{r.Int64()};
  s.updated_at = r.Time();
  return s;
}

domain::PrepTimeConfig ReadPrepTime(const Result& result, int row) {
  RowReader r(result, row);
  domain::PrepTimeConfig c;
  c.coffee_id = domain::CoffeeId(r.Int64());
  c.base_minutes = r.Int();
  c.per_additional_item = r.Int();
  c.updated_at = r.Time();
  return c;
}

domain::PrepTimeSettings ReadPrepSettings(const Result& result) {
  RowReader r(result, 0);
  domain::PrepTimeSettings s;
  s.default_base_minutes = r.Int();
  s.default_per_additional_item = r.Int();
  s.baristas = r.Int();
  s.updated_at = r.Time();
  return s;
}

domain::LoyaltyConfig ReadLoyalty(const Result& result) {
  RowReader r(result, 0);
  domain::LoyaltyConfig c;
  c.points_per_dollar = domain::Fixed4{r.Int64()};
  c.bonus_multipliers = DecodeMultipliers(r.String());
  c.updated_at = r.Time();
  return c;
}

app::ConfigChange ReadChange(const Result& result, int row) {
  RowReader r(result, row);
  app::ConfigChange c;
  c.id = r.Int64();
  if (auto actor = r.OptInt64()) c.actor_id = domain::UserId(*actor);
  c.entity = r.String();
  c.entity_id = r.String();
  c.action = r.String();
  c.before_json = r.OptString();
  c.after_json = r.OptString();
  c.created_at = r.Time();
  c.scheduled_change_id = r.OptInt64();
  return c;
}

app::AuditRecord ReadAudit(const Result& result, int row) {
  RowReader r(result, row);
  app::AuditRecord a;
  a.audit_id = r.Int64();
  a.order_id = ReadOptOrderId(r.OptString(), "rule_audit_log.order_id");
  a.rule_type = r.String();
  a.rule_id = r.OptInt64();
  a.rule_data_json = r.String();
  a.effect = r.String();
  a.created_at = r.Time();
  return a;
}

/// A caller-supplied time, or NULL (the server's now()) when left at its default.
std::optional<domain::Instant> TimeOrNow(domain::Instant t) {
  if (t == domain::Instant{}) return std::nullopt;
  return t;
}

/// The parameters of the filters given, in the order kAuditList and kAuditCount number them.
Params AuditFilter(const app::AuditQuery& query) {
  Params params;
  if (query.order_id) params.Text(query.order_id->str());
  if (query.rule_type) params.Text(*query.rule_type);
  return params;
}

const Statement& AuditStatement(const std::array<std::array<Statement, 2>, 2>& variants,
                                const app::AuditQuery& query) {
  return variants.at(query.order_id ? 1 : 0).at(query.rule_type ? 1 : 0);
}

/// Appends the stored fields of a rule (every column but the id and timestamps).
void AddRuleParams(Params& params, const domain::PricingRule& rule) {
  params.Text(ToString(rule.rule_type))
      .Text(rule.description)
      .Text(ToString(rule.discount_type))
      .Int(rule.discount_value.units)
      .Int(rule.priority)
      .Bool(rule.is_active)
      .Time(rule.valid_from)
      .OptTime(rule.valid_until)
      .OptText(EncodeCoffeeIds(rule.coffee_ids))
      .Text(EncodeTimeRanges(rule.time_ranges))
      .Text(EncodeDaysOfWeek(rule.days_of_week))
      .OptInt(rule.min_quantity ? std::optional<std::int64_t>(*rule.min_quantity) : std::nullopt)
      .OptText(rule.promo_code)
      .OptInt(rule.max_uses)
      .OptInt(rule.max_uses_per_customer);
}

std::int64_t CountOf(const Result& result) { return RowReader(result, 0).Int64(); }

}  // namespace

app::RulesData RulesRepository::LoadAll() {
  app::RulesData data;
  {
    const Result result = conn_.Run(kAvailabilityAll, Params());
    for (int i = 0; i < result.Rows(); ++i) {
      try {
        data.availability.push_back(ReadAvailability(result, i));
      } catch (const DecodeError& e) {
        data.malformed.push_back("coffee_availability coffee_id=" + RowId(result, i) + ": " +
                                 e.what());
      }
    }
  }
  {
    const Result result = conn_.Run(kRuleList, Params().Bool(true));
    for (int i = 0; i < result.Rows(); ++i) {
      try {
        data.pricing_rules.push_back(ReadRule(result, i));
      } catch (const DecodeError& e) {
        data.malformed.push_back("pricing_rules rule_id=" + RowId(result, i) + ": " + e.what());
      }
    }
  }
  try {
    data.pricing_settings = GetPricingSettings();
  } catch (const DecodeError& e) {
    data.malformed.push_back(std::string("pricing_settings id=1: ") + e.what());
  }
  {
    const Result result = conn_.Run(kPrepTimeAll, Params());
    for (int i = 0; i < result.Rows(); ++i) {
      try {
        data.prep_times.push_back(ReadPrepTime(result, i));
      } catch (const DecodeError& e) {
        data.malformed.push_back("prep_time_config coffee_id=" + RowId(result, i) + ": " +
                                 e.what());
      }
    }
  }
  try {
    data.prep_time_settings = GetPrepTimeSettings();
  } catch (const DecodeError& e) {
    data.malformed.push_back(std::string("prep_time_settings id=1: ") + e.what());
  }
  try {
    data.loyalty = GetLoyaltyConfig();
  } catch (const DecodeError& e) {
    data.malformed.push_back(std::string("loyalty_config id=1: ") + e.what());
    // Keep the points rate when only the multipliers are unreadable.
    const Result result = conn_.Run(kLoyaltyGet, Params());
    if (result.Rows() > 0) {
      RowReader r(result, 0);
      data.loyalty.points_per_dollar = domain::Fixed4{r.Int64()};
    }
  }
  data.version = LatestVersion();
  return data;
}

std::optional<domain::Availability> RulesRepository::FindAvailability(domain::CoffeeId id) {
  const Result result = conn_.Run(kAvailabilityFind, Params().Int(id.value));
  if (result.Rows() == 0) return std::nullopt;
  try {
    return ReadAvailability(result, 0);
  } catch (const DecodeError&) {
    return std::nullopt;  // an unreadable row counts as absent, as in the snapshot
  }
}

domain::Availability RulesRepository::UpsertAvailability(const domain::Availability& a) {
  const auto from = a.available_from ? std::optional(a.available_from->ToString()) : std::nullopt;
  const auto until =
      a.available_until ? std::optional(a.available_until->ToString()) : std::nullopt;
  const Result result = conn_.Run(kAvailabilityUpsert, Params()
                                                           .Int(a.coffee_id.value)
                                                           .Text(ToString(a.status))
                                                           .OptText(a.reason)
                                                           .OptText(from)
                                                           .OptText(until));
  return ReadAvailability(result, 0);
}

std::vector<domain::PricingRule> RulesRepository::ListRules(bool include_inactive) {
  const Result result = conn_.Run(kRuleList, Params().Bool(include_inactive));
  std::vector<domain::PricingRule> rules;
  for (int i = 0; i < result.Rows(); ++i) {
    try {
      rules.push_back(ReadRule(result, i));
    } catch (const DecodeError&) {
      continue;  // skipped here as in the snapshot; LoadAll reports it
    }
  }
  return rules;
}

std::optional<domain::PricingRule> RulesRepository::FindRule(domain::RuleId id) {
  const Result result = conn_.Run(kRuleFind, Params().Int(id.value));
  if (result.Rows() == 0) return std::nullopt;
  try {
    return ReadRule(result, 0);
  } catch (const DecodeError&) {
    return std::nullopt;  // an unreadable row counts as absent, as in the snapshot
  }
}

domain::PricingRule RulesRepository::CreateRule(const domain::PricingRule& rule) {
  Params params;
  AddRuleParams(params, rule);
  return ReadRule(conn_.Run(kRuleCreate, params), 0);
}

std::optional<domain::PricingRule> RulesRepository::ReplaceRule(const domain::PricingRule& rule) {
  Params params;
  params.Int(rule.id.value);
  AddRuleParams(params, rule);
  const Result result = conn_.Run(kRuleReplace, params);
  if (result.Rows() == 0) return std::nullopt;
  return ReadRule(result, 0);
}

bool RulesRepository::DeactivateRule(domain::RuleId id) {
  return conn_.Run(kRuleDeactivate, Params().Int(id.value)).Affected() > 0;
}

domain::PricingSettings RulesRepository::GetPricingSettings() {
  const Result result = conn_.Run(kPricingSettingsGet, Params());
  if (result.Rows() == 0) return {};
  return ReadPricingSettings(result);
}

domain::PricingSettings RulesRepository::PutPricingSettings(const domain::PricingSettings& s) {
  return ReadPricingSettings(
      conn_.Run(kPricingSettingsPut,
                Params().Text(ToString(s.combination_strategy)).Int(s.max_discount_percent.units)));
}

std::optional<domain::PrepTimeConfig> RulesRepository::FindPrepTime(domain::CoffeeId id) {
  const Result result = conn_.Run(kPrepTimeFind, Params().Int(id.value));
  if (result.Rows() == 0) return std::nullopt;
  return ReadPrepTime(result, 0);
}

domain::PrepTimeConfig RulesRepository::UpsertPrepTime(const domain::PrepTimeConfig& c) {
  return ReadPrepTime(
      conn_.Run(kPrepTimeUpsert,
                Params().Int(c.coffee_id.value).Int(c.base_minutes).Int(c.per_additional_item)),
      0);
}

domain::PrepTimeSettings RulesRepository::GetPrepTimeSettings() {
  const Result result = conn_.Run(kPrepSettingsGet, Params());
  if (result.Rows() == 0) return {};
  return ReadPrepSettings(result);
}

domain::PrepTimeSettings RulesRepository::PutPrepTimeSettings(const domain::PrepTimeSettings& s) {
  return ReadPrepSettings(conn_.Run(
      kPrepSettingsPut,
      Params().Int(s.default_base_minutes).Int(s.default_per_additional_item).Int(s.baristas)));
}

domain::LoyaltyConfig RulesRepository::GetLoyaltyConfig() {
  const Result result = conn_.Run(kLoyaltyGet, Params());
  if (result.Rows() == 0) return {};
  return ReadLoyalty(result);
}

domain::LoyaltyConfig RulesRepository::PutLoyaltyConfig(const domain::LoyaltyConfig& c) {
  return ReadLoyalty(conn_.Run(
      kLoyaltyPut,
      Params().Int(c.points_per_dollar.units).Text(EncodeMultipliers(c.bonus_multipliers))));
}

void AuditLog::InsertConfigChange(const app::ConfigChange& change) {
  conn_.Run(kChangeInsert,
            Params()
                .OptInt(change.actor_id ? std::optional(change.actor_id->value) : std::nullopt)
                .Text(change.entity)
                .Text(change.entity_id)
                .Text(change.action)
                .OptText(change.before_json)
                .OptText(change.after_json)
                .OptTime(TimeOrNow(change.created_at))
                .OptInt(change.scheduled_change_id));
}

std::vector<app::ConfigChange> AuditLog::ListConfigChanges(std::int64_t offset,
                                                           std::int64_t limit) {
  const Result result = conn_.Run(
      kChangeList,
      Params().Int(std::max<std::int64_t>(offset, 0)).Int(std::max<std::int64_t>(limit, 0)));
  std::vector<app::ConfigChange> changes;
  changes.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) changes.push_back(ReadChange(result, i));
  return changes;
}

std::int64_t AuditLog::CountConfigChanges() { return CountOf(conn_.Run(kChangeCount, Params())); }

void AuditLog::InsertAudit(const app::AuditRecord& record) {
  conn_.Run(kAuditInsert, Params()
                              .OptText(OrderIdText(record.order_id))
                              .Text(record.rule_type)
                              .OptInt(record.rule_id)
                              .Text(record.rule_data_json.empty() ? "{}" : record.rule_data_json)
                              .Text(record.effect)
                              .OptTime(TimeOrNow(record.created_at)));
}

void AuditLog::InsertAudits(const std::vector<app::AuditRecord>& records) {
  if (records.empty()) return;
  if (records.size() == 1) {
    InsertAudit(records.front());
    return;
  }
  conn_.Run(kAuditInsertMany, Params().Text(EncodeAuditRecords(records)));
}

std::vector<app::AuditRecord> AuditLog::ListAudit(const app::AuditQuery& query) {
  Params params = AuditFilter(query);
  params.Int(std::max<std::int64_t>(query.offset, 0)).Int(std::max<std::int64_t>(query.limit, 0));
  const Result result =
      conn_.Run(AuditStatement(query.newest_first ? kAuditListNewest : kAuditList, query), params);
  std::vector<app::AuditRecord> records;
  records.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) records.push_back(ReadAudit(result, i));
  return records;
}

std::int64_t AuditLog::CountAudit(const app::AuditQuery& query) {
  return CountOf(conn_.Run(AuditStatement(kAuditCount, query), AuditFilter(query)));
}

namespace {

/// The columns version … created_at of a rule_set_versions row.
app::RuleSetVersion ReadVersion(RowReader& r) {
  app::RuleSetVersion v;
  v.version = r.Int64();
  if (auto actor = r.OptInt64()) v.actor_id = domain::UserId(*actor);
  v.source = r.String();
  v.restored_from = r.OptInt64();
  v.summary = r.String();
  v.created_at = r.Time();
  return v;
}

}  // namespace

bool RulesRepository::DeleteAvailability(domain::CoffeeId id) {
  return conn_.Run(kAvailabilityDelete, Params().Int(id.value)).Affected() > 0;
}

bool RulesRepository::DeletePrepTime(domain::CoffeeId id) {
  return conn_.Run(kPrepTimeDelete, Params().Int(id.value)).Affected() > 0;
}

void RulesRepository::LockVersions() { conn_.Run(kVersionLock, Params()); }

std::int64_t RulesRepository::LatestVersion() {
  return CountOf(conn_.Run(kVersionLatest, Params()));
}

void RulesRepository::InsertVersion(const app::RuleSetVersion& version) {
  conn_.Run(kVersionInsert,
            Params()
                .Int(version.version)
                .OptInt(version.actor_id ? std::optional(version.actor_id->value) : std::nullopt)
                .Text(version.source)
                .OptInt(version.restored_from)
                .Text(version.summary)
                .Text(version.document)
                .OptTime(TimeOrNow(version.created_at)));
}

std::optional<app::RuleSetVersion> RulesRepository::FindVersion(std::int64_t version) {
  const Result result = conn_.Run(kVersionFind, Params().Int(version));
  if (result.Rows() == 0) return std::nullopt;
  RowReader r(result, 0);
  auto v = ReadVersion(r);
  v.document = r.String();
  return v;
}

std::vector<app::RuleSetVersion> RulesRepository::ListVersions(std::int64_t offset,
                                                               std::int64_t limit) {
  const Result result = conn_.Run(
      kVersionList,
      Params().Int(std::max<std::int64_t>(offset, 0)).Int(std::max<std::int64_t>(limit, 0)));
  std::vector<app::RuleSetVersion> versions;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    versions.push_back(ReadVersion(r));
  }
  return versions;
}

std::int64_t RulesRepository::CountVersions() {
  return CountOf(conn_.Run(kVersionCount, Params()));
}

namespace {

app::ScheduledChange ReadScheduled(const Result& result, int row) {
  RowReader r(result, row);
  app::ScheduledChange c;
  c.id = r.Int64();
  c.effective_at = r.Time();
  c.change = r.String();
  c.note = r.OptString();
  c.status = r.String();
  if (auto by = r.OptInt64()) c.created_by = domain::UserId(*by);
  c.created_at = r.Time();
  if (auto by = r.OptInt64()) c.settled_by = domain::UserId(*by);
  c.settled_at = r.OptTime();
  c.version = r.OptInt64();
  c.failure = r.OptString();
  return c;
}

std::optional<std::int64_t> OptUserId(const std::optional<domain::UserId>& id) {
  return id ? std::optional(id->value) : std::nullopt;
}

}  // namespace

app::ScheduledChange RulesRepository::InsertScheduledChange(const app::ScheduledChange& change) {
  const Result result = conn_.Run(kScheduledInsert, Params()
                                                        .Time(change.effective_at)
                                                        .Text(change.change)
                                                        .OptText(change.note)
                                                        .OptInt(OptUserId(change.created_by))
                                                        .OptTime(TimeOrNow(change.created_at)));
  RowReader r(result, 0);
  return *FindScheduledChange(r.Int64());
}

std::optional<app::ScheduledChange> RulesRepository::FindScheduledChange(std::int64_t id) {
  const Result result = conn_.Run(kScheduledFind, Params().Int(id));
  if (result.Rows() == 0) return std::nullopt;
  return ReadScheduled(result, 0);
}

std::vector<app::ScheduledChange> RulesRepository::ListScheduledChanges(
    const std::optional<std::string>& status, std::int64_t offset, std::int64_t limit) {
  const Result result = conn_.Run(kScheduledList, Params()
                                                      .OptText(status)
                                                      .Int(std::max<std::int64_t>(offset, 0))
                                                      .Int(std::max<std::int64_t>(limit, 0)));
  std::vector<app::ScheduledChange> changes;
  changes.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) changes.push_back(ReadScheduled(result, i));
  return changes;
}

std::int64_t RulesRepository::CountScheduledChanges(const std::optional<std::string>& status) {
  return CountOf(conn_.Run(kScheduledCount, Params().OptText(status)));
}

std::optional<domain::Instant> RulesRepository::NextScheduledChange() {
  const Result result = conn_.Run(kScheduledNext, Params());
  if (result.Rows() == 0) return std::nullopt;
  RowReader r(result, 0);
  return r.OptTime();
}

std::optional<app::ScheduledChange> RulesRepository::ClaimDueScheduledChange(domain::Instant now) {
  const Result result = conn_.Run(kScheduledClaim, Params().Time(now));
  if (result.Rows() == 0) return std::nullopt;
  return ReadScheduled(result, 0);
}

bool RulesRepository::SettleScheduledChange(std::int64_t id, std::string_view status,
                                            std::optional<domain::UserId> by,
                                            std::optional<std::int64_t> version,
                                            const std::optional<std::string>& failure,
                                            domain::Instant at) {
  return conn_
             .Run(kScheduledSettle, Params()
                                        .Int(id)
                                        .Text(status)
                                        .OptInt(OptUserId(by))
                                        .OptInt(version)
                                        .OptText(failure)
                                        .Time(at))
             .Affected() > 0;
}

}  // namespace coffee::storage::postgres
