#include <algorithm>
#include <array>
#include <limits>

#include "storage/json_columns.hpp"
#include "storage/order_columns.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

constexpr std::string_view kListAvailability =
    "SELECT coffee_id, status, reason, available_from, available_until, updated_at"
    " FROM coffee_availability ORDER BY coffee_id";
constexpr std::string_view kFindAvailability =
    "SELECT coffee_id, status, reason, available_from, available_until, updated_at"
    " FROM coffee_availability WHERE coffee_id = ?1";
constexpr std::string_view kUpsertAvailability =
    "INSERT INTO coffee_availability"
    " (coffee_id, status, reason, available_from, available_until, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (coffee_id) DO UPDATE SET"
    " status = excluded.status, reason = excluded.reason,"
    " available_from = excluded.available_from, available_until = excluded.available_until,"
    " updated_at = excluded.updated_at";

constexpr std::string_view kListAllRules =
    "SELECT rule_id, rule_type, description, discount_type, discount_value_hundredths, priority,"
    " is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, min_quantity,"
    " created_at, updated_at, promo_code, max_uses, max_uses_per_customer FROM pricing_rules ORDER "
    "BY rule_id";
constexpr std::string_view kListActiveRules =
    "SELECT rule_id, rule_type, description, discount_type, discount_value_hundredths, priority,"
    " is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, min_quantity,"
    " created_at, updated_at, promo_code, max_uses, max_uses_per_customer FROM pricing_rules WHERE "
    "is_active = 1 ORDER BY rule_id";
constexpr std::string_view kFindRule =
    "SELECT rule_id, rule_type, description, discount_type, discount_value_hundredths, priority,"
    " is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week, min_quantity,"
    " created_at, updated_at, promo_code, max_uses, max_uses_per_customer FROM pricing_rules WHERE "
    "rule_id = ?1";
constexpr std::string_view kInsertRule =
    "INSERT INTO pricing_rules (rule_type, description, discount_type, discount_value_hundredths,"
    " priority, is_active, valid_from, valid_until, coffee_ids, time_ranges, days_of_week,"
    " min_quantity, created_at, updated_at, promo_code, max_uses, max_uses_per_customer)"
    " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, ?17)"
    " RETURNING rule_id";
constexpr std::string_view kReplaceRule =
    "UPDATE pricing_rules SET rule_type = ?2, description = ?3, discount_type = ?4,"
    " discount_value_hundredths = ?5, priority = ?6, is_active = ?7, valid_from = ?8,"
    " valid_until = ?9, coffee_ids = ?10, time_ranges = ?11, days_of_week = ?12,"
    " min_quantity = ?13, updated_at = ?14, promo_code = ?15, max_uses = ?16,"
    " max_uses_per_customer = ?17 WHERE rule_id = ?1";
constexpr std::string_view kDeactivateRule =
    "UPDATE pricing_rules SET is_active = 0, updated_at = ?2 WHERE rule_id = ?1";

constexpr std::string_view kGetPricingSettings =
    "SELECT combination_strategy, max_discount_percent_hundredths, updated_at"
    " FROM pricing_settings WHERE id = 1";
constexpr std::string_view kPutPricingSettings =
    "INSERT INTO pricing_settings"
    " (id, combination_strategy, max_discount_percent_hundredths, updated_at)"
    " VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET"
    " combination_strategy = excluded.combination_strategy,"
    " max_discount_percent_hundredths = excluded.max_discount_percent_hundredths,"
    " updated_at = excluded.updated_at";

constexpr std::string_view kListPrepTimes =
    "SELECT coffee_id, base_minutes, per_additional_item, updated_at FROM prep_time_config"
    " ORDER BY coffee_id";
constexpr std::string_view kFindPrepTime =
    "SELECT coffee_id, base_minutes, per_additional_item, updated_at FROM prep_time_config"
    " WHERE coffee_id = ?1";
constexpr std::string_view kUpsertPrepTime =
    "INSERT INTO prep_time_config (coffee_id, base_minutes, per_additional_item, updated_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (coffee_id) DO UPDATE SET"
    " base_minutes = excluded.base_minutes,"
    " per_additional_item = excluded.per_additional_item, updated_at = excluded.updated_at";
constexpr std::string_view kGetPrepTimeSettings =
    "SELECT default_base_minutes, default_per_additional_item, baristas, updated_at"
    " FROM prep_time_settings WHERE id = 1";
constexpr std::string_view kPutPrepTimeSettings =
    "INSERT INTO prep_time_settings"
    " (id, default_base_minutes, default_per_additional_item, baristas, updated_at)"
    " VALUES (1, ?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET"
    " default_base_minutes = excluded.default_base_minutes,"
    " default_per_additional_item = excluded.default_per_additional_item,"
    " baristas = excluded.baristas, updated_at = excluded.updated_at";

constexpr std::string_view kGetLoyaltyConfig =
    "SELECT points_per_dollar_ten_thousandths, bonus_multipliers, updated_at"
    " FROM loyalty_config WHERE id = 1";
constexpr std::string_view kPutLoyaltyConfig =
    "INSERT INTO loyalty_config"
    " (id, points_per_dollar_ten_thousandths, bonus_multipliers, updated_at)"
    " VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET"
    " points_per_dollar_ten_thousandths = excluded.points_per_dollar_ten_thousandths,"
    " bonus_multipliers = excluded.bonus_multipliers, updated_at = excluded.updated_at";

constexpr std::string_view kInsertConfigChange =
    "INSERT INTO config_change_log"
    " (actor_id, entity, entity_id, action, before_json, after_json, created_at,"
    " scheduled_change_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kListConfigChanges =
    "SELECT id, actor_id, entity, entity_id, action, before_json, after_json, created_at,"
    " scheduled_change_id"
    " FROM config_change_log ORDER BY created_at DESC, id DESC LIMIT ?1 OFFSET ?2";
constexpr std::string_view kCountConfigChanges = "SELECT count(*) FROM config_change_log";

constexpr std::string_view kInsertAudit =
    "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
// One statement per filter combination, indexed by [has order id][has rule type], rather than
// `(?1 IS NULL OR order_id = ?1)`, which no index serves: one order's audit scanned the whole log
// (3.9 s at 10M rows, bench/results/growth.md). ?1 is the order id, ?2 the rule type (bound only
// when given), ?3 the limit, ?4 the offset. With both filters, `+rule_type` keeps the planner on
// the order's index: without statistics it took rule_audit_log_type_idx, which matches a fifth
// of the log (6.4 s at 10M rows, against under 1 ms).
constexpr std::array<std::array<std::string_view, 2>, 2> kListAudit{{
    {"SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log ORDER BY audit_id LIMIT ?3 OFFSET ?4",
     "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log WHERE rule_type = ?2 ORDER BY audit_id LIMIT ?3 OFFSET ?4"},
    {"SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log WHERE order_id = ?1 ORDER BY audit_id LIMIT ?3 OFFSET ?4",
     "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log WHERE order_id = ?1 AND +rule_type = ?2"
     " ORDER BY audit_id LIMIT ?3 OFFSET ?4"},
}};
/// kListAudit in the reverse order (AuditQuery::newest_first): the same indexes read backwards.
constexpr std::array<std::array<std::string_view, 2>, 2> kListAuditNewest{{
    {"SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log ORDER BY audit_id DESC LIMIT ?3 OFFSET ?4",
     "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log WHERE rule_type = ?2 ORDER BY audit_id DESC LIMIT ?3 OFFSET ?4"},
    {"SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log WHERE order_id = ?1 ORDER BY audit_id DESC LIMIT ?3 OFFSET ?4",
     "SELECT audit_id, order_id, rule_type, rule_id, rule_data, effect, created_at"
     " FROM rule_audit_log WHERE order_id = ?1 AND +rule_type = ?2"
     " ORDER BY audit_id DESC LIMIT ?3 OFFSET ?4"},
}};
// Without an order the totals come from rule_audit_totals, kept by triggers (migration 0012):
// counting those rows would read the whole log.
constexpr std::array<std::array<std::string_view, 2>, 2> kCountAudit{{
    {"SELECT coalesce(sum(audit_rows), 0) FROM rule_audit_totals",
     "SELECT coalesce(sum(audit_rows), 0) FROM rule_audit_totals WHERE rule_type = ?2"},
    {"SELECT count(*) FROM rule_audit_log WHERE order_id = ?1",
     "SELECT count(*) FROM rule_audit_log WHERE order_id = ?1 AND +rule_type = ?2"},
}};

/// A decoded row, or why it could not be decoded.
template <typename T>
struct Decoded {
  std::optional<T> value;
  std::string problem;
  bool missing = false;  // a singleton row that does not exist
};

/// Parses a timestamp column; on failure describes it in `problem` ("updated_at is not a
/// timestamp: 'x'") and returns nullopt, so a malformed row is skipped with a reason.
std::optional<domain::Instant> TimestampColumn(std::string_view column, const std::string& text,
                                               std::string& problem) {
  auto t = domain::ParseTimestamp(text);
  if (!t) problem = std::string(column) + " is not a timestamp: '" + text + "'";
  return t;
}

std::optional<int> ToInt(std::int64_t v) {
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(v);
}

/// Runs `decode`; a DecodeError becomes `problem` (so the row is skipped with its reason).
template <typename F>
bool Decode(F decode, std::string& problem) {
  try {
    decode();
    return true;
  } catch (const DecodeError& e) {
    problem = e.what();
    return false;
  }
}

Decoded<domain::Availability> DecodeAvailability(const Statement& row) {
  Decoded<domain::Availability> out;
  domain::Availability a;
  a.coffee_id = domain::CoffeeId{row.Int(0)};
  const std::string status_text = row.Text(1);
  const auto status = domain::ParseAvailabilityStatus(status_text);
  if (!status) {
    out.problem = "unknown status '" + status_text + "'";
    return out;
  }
  a.status = *status;
  a.reason = row.OptText(2);
  for (const auto& [column, target] :
       {std::pair{3, &a.available_from}, std::pair{4, &a.available_until}}) {
    if (row.IsNull(column)) continue;
    const std::string text = row.Text(column);
    *target = domain::TimeOfDay::Parse(text);
    if (!*target) {
      out.problem = std::string(column == 3 ? "available_from" : "available_until") +
                    " is not HH:MM: '" + text + "'";
      return out;
    }
  }
  const auto updated_at = TimestampColumn("updated_at", row.Text(5), out.problem);
  if (!updated_at) return out;
  a.updated_at = *updated_at;
  out.value = std::move(a);
  return out;
}

Decoded<domain::PricingRule> DecodeRule(const Statement& row) {
  Decoded<domain::PricingRule> out;
  domain::PricingRule r;
  r.id = domain::RuleId{row.Int(0)};
  const std::string rule_type = row.Text(1);
  const auto parsed_type = domain::ParseRuleType(rule_type);
  if (!parsed_type) {
    out.problem = "unknown rule_type '" + rule_type + "'";
    return out;
  }
  r.rule_type = *parsed_type;
  r.description = row.Text(2);
  const std::string discount_type = row.Text(3);
  const auto parsed_discount = domain::ParseDiscountType(discount_type);
  if (!parsed_discount) {
    out.problem = "unknown discount_type '" + discount_type + "'";
    return out;
  }
  r.discount_type = *parsed_discount;
  r.discount_value = domain::Fixed2{row.Int(4)};
  const auto priority = ToInt(row.Int(5));
  if (!priority) {
    out.problem = "priority is out of range";
    return out;
  }
  r.priority = *priority;
  r.is_active = row.Int(6) != 0;
  const auto valid_from = TimestampColumn("valid_from", row.Text(7), out.problem);
  if (!valid_from) return out;
  r.valid_from = *valid_from;
  if (!row.IsNull(8)) {
    r.valid_until = domain::ParseTimestamp(row.Text(8));
    if (!r.valid_until) {
      out.problem = "valid_until is not a timestamp: '" + row.Text(8) + "'";
      return out;
    }
  }
  const bool decoded = Decode(
      [&] {
        if (!row.IsNull(9)) r.coffee_ids = DecodeCoffeeIds(row.Text(9));
        r.time_ranges = DecodeTimeRanges(row.Text(10));
        r.days_of_week = DecodeDaysOfWeek(row.Text(11));
      },
      out.problem);
  if (!decoded) return out;
  if (!row.IsNull(12)) {
    r.min_quantity = ToInt(row.Int(12));
    if (!r.min_quantity) {
      out.problem = "min_quantity is out of range";
      return out;
    }
  }
  const auto created_at = domain::ParseTimestamp(row.Text(13));
  const auto updated_at = domain::ParseTimestamp(row.Text(14));
  if (!created_at || !updated_at) {
    out.problem = "created_at/updated_at is not a timestamp";
    return out;
  }
  r.created_at = *created_at;
  r.updated_at = *updated_at;
  r.promo_code = row.OptText(15);
  if (!row.IsNull(16)) r.max_uses = row.Int(16);
  if (!row.IsNull(17)) r.max_uses_per_customer = row.Int(17);
  out.value = std::move(r);
  return out;
}

Decoded<domain::PrepTimeConfig> DecodePrepTime(const Statement& row) {
  Decoded<domain::PrepTimeConfig> out;
  domain::PrepTimeConfig c;
  c.coffee_id = domain::CoffeeId{row.Int(0)};
  const auto base = ToInt(row.Int(1));
  const auto per_item = ToInt(row.Int(2));
  if (!base || !per_item) {
    out.problem = "minutes are out of range";
    return out;
  }
  c.base_minutes = *base;
  c.per_additional_item = *per_item;
  const auto updated_at = TimestampColumn("updated_at", row.Text(3), out.problem);
  if (!updated_at) return out;
  c.updated_at = *updated_at;
  out.value = c;
  return out;
}

/// Reads the pricing_settings singleton; defaults (with a problem) if missing or malformed.
Decoded<domain::PricingSettings> ReadPricingSettings(Connection& conn) {
  Decoded<domain::PricingSettings> out;
  Statement stmt = conn.Prepare(kGetPricingSettings);
  if (!stmt.Step()) {
    out.problem = "row id=1 is missing";
    out.missing = true;
    return out;
  }
  domain::PricingSettings s;
  const std::string strategy = stmt.Text(0);
  const auto parsed = domain::ParseCombinationStrategy(strategy);
  if (!parsed) {
    out.problem = "unknown combination_strategy '" + strategy + "'";
    return out;
  }
  s.combination_strategy = *parsed;
  s.max_discount_percent = domain::Fixed2{stmt.Int(1)};
  const auto updated_at = TimestampColumn("updated_at", stmt.Text(2), out.problem);
  if (!updated_at) return out;
  s.updated_at = *updated_at;
  out.value = s;
  return out;
}

Decoded<domain::PrepTimeSettings> ReadPrepTimeSettings(Connection& conn) {
  Decoded<domain::PrepTimeSettings> out;
  Statement stmt = conn.Prepare(kGetPrepTimeSettings);
  if (!stmt.Step()) {
    out.problem = "row id=1 is missing";
    out.missing = true;
    return out;
  }
  domain::PrepTimeSettings s;
  const auto base = ToInt(stmt.Int(0));
  const auto per_item = ToInt(stmt.Int(1));
  const auto baristas = ToInt(stmt.Int(2));
  if (!base || !per_item || !baristas) {
    out.problem = "a value is out of range";
    return out;
  }
  s.default_base_minutes = *base;
  s.default_per_additional_item = *per_item;
  s.baristas = *baristas;
  const auto updated_at = TimestampColumn("updated_at", stmt.Text(3), out.problem);
  if (!updated_at) return out;
  s.updated_at = *updated_at;
  out.value = s;
  return out;
}

Decoded<domain::LoyaltyConfig> ReadLoyaltyConfig(Connection& conn) {
  Decoded<domain::LoyaltyConfig> out;
  Statement stmt = conn.Prepare(kGetLoyaltyConfig);
  if (!stmt.Step()) {
    out.problem = "row id=1 is missing";
    out.missing = true;
    return out;
  }
  domain::LoyaltyConfig c;
  c.points_per_dollar = domain::Fixed4{stmt.Int(0)};
  if (!Decode([&] { c.bonus_multipliers = DecodeMultipliers(stmt.Text(1)); }, out.problem)) {
    return out;
  }
  const auto updated_at = TimestampColumn("updated_at", stmt.Text(2), out.problem);
  if (!updated_at) return out;
  c.updated_at = *updated_at;
  out.value = std::move(c);
  return out;
}

/// The value, or a StorageError describing the row (outside LoadAll a bad row is unexpected).
template <typename T>
T ValueOrThrow(Decoded<T> decoded, const std::string& row_name) {
  if (!decoded.value) throw app::StorageError("sqlite: " + row_name + ": " + decoded.problem);
  return std::move(*decoded.value);
}

void BindRule(Statement& stmt, const domain::PricingRule& rule, const std::string& now) {
  stmt.Bind(2, domain::ToString(rule.rule_type)).Bind(3, rule.description);
  stmt.Bind(4, domain::ToString(rule.discount_type)).Bind(5, rule.discount_value.units);
  stmt.Bind(6, rule.priority).Bind(7, rule.is_active);
  stmt.Bind(8, domain::FormatTimestamp(rule.valid_from));
  if (rule.valid_until) {
    stmt.Bind(9, domain::FormatTimestamp(*rule.valid_until));
  } else {
    stmt.BindNull(9);
  }
  if (rule.coffee_ids) {
    stmt.Bind(10, *EncodeCoffeeIds(rule.coffee_ids));
  } else {
    stmt.BindNull(10);
  }
  stmt.Bind(11, EncodeTimeRanges(rule.time_ranges));
  stmt.Bind(12, EncodeDaysOfWeek(rule.days_of_week));
  stmt.Bind(13, rule.min_quantity);
  stmt.Bind(14, now);
  stmt.Bind(15, rule.promo_code).Bind(16, rule.max_uses).Bind(17, rule.max_uses_per_customer);
}

constexpr std::string_view kDeleteAvailability =
    "DELETE FROM coffee_availability WHERE coffee_id = ?1";
constexpr std::string_view kDeletePrepTime = "DELETE FROM prep_time_config WHERE coffee_id = ?1";
constexpr std::string_view kLatestVersion =
    "SELECT COALESCE(MAX(version), 0) FROM rule_set_versions";
constexpr std::string_view kInsertVersion =
    "INSERT INTO rule_set_versions"
    " (version, actor_id, source, restored_from, summary, document, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kFindVersion =
    "SELECT version, actor_id, source, restored_from, summary, created_at, document"
    " FROM rule_set_versions WHERE version = ?1";
constexpr std::string_view kListVersions =
    "SELECT version, actor_id, source, restored_from, summary, created_at"
    " FROM rule_set_versions ORDER BY version DESC LIMIT ?2 OFFSET ?1";
constexpr std::string_view kCountVersions = "SELECT COUNT(*) FROM rule_set_versions";
constexpr std::string_view kScheduledColumns =
    "id, effective_at, change, note, status, created_by, created_at, settled_by, settled_at,"
    " version, failure";
constexpr std::string_view kInsertScheduled =
    "INSERT INTO scheduled_changes (effective_at, change, note, status, created_by, created_at)"
    " VALUES (?1, ?2, ?3, 'pending', ?4, ?5) RETURNING id";
constexpr std::string_view kFindScheduled = " FROM scheduled_changes WHERE id = ?1";
constexpr std::string_view kListScheduled =
    " FROM scheduled_changes WHERE (?1 IS NULL OR status = ?1)"
    " ORDER BY effective_at, id LIMIT ?2 OFFSET ?3";
constexpr std::string_view kCountScheduled =
    "SELECT COUNT(*) FROM scheduled_changes WHERE (?1 IS NULL OR status = ?1)";
constexpr std::string_view kNextScheduled =
    "SELECT MIN(effective_at) FROM scheduled_changes WHERE status = 'pending'";
// The single writer: nobody else can hold the row while this transaction is open.
constexpr std::string_view kClaimScheduled =
    " FROM scheduled_changes WHERE status = 'pending' AND effective_at <= ?1"
    " ORDER BY effective_at, id LIMIT 1";
constexpr std::string_view kSettleScheduled =
    "UPDATE scheduled_changes SET status = ?2, settled_by = ?3, version = ?4, failure = ?5,"
    " settled_at = ?6 WHERE id = ?1 AND status = 'pending'";

/// The columns version … created_at of a rule_set_versions row (the document is the caller's).
app::RuleSetVersion ReadVersion(Statement& stmt) {
  app::RuleSetVersion v;
  v.version = stmt.Int(0);
  if (auto actor = stmt.OptInt(1)) v.actor_id = domain::UserId(*actor);
  v.source = stmt.Text(2);
  v.restored_from = stmt.OptInt(3);
  v.summary = stmt.Text(4);
  v.created_at = ReadTimestamp(stmt.Text(5), "rule_set_versions.created_at");
  return v;
}

/// The kScheduledColumns of a scheduled_changes row.
app::ScheduledChange ReadScheduled(Statement& stmt) {
  app::ScheduledChange c;
  c.id = stmt.Int(0);
  c.effective_at = ReadTimestamp(stmt.Text(1), "scheduled_changes.effective_at");
  c.change = stmt.Text(2);
  c.note = stmt.OptText(3);
  c.status = stmt.Text(4);
  if (auto by = stmt.OptInt(5)) c.created_by = domain::UserId(*by);
  c.created_at = ReadTimestamp(stmt.Text(6), "scheduled_changes.created_at");
  if (auto by = stmt.OptInt(7)) c.settled_by = domain::UserId(*by);
  if (auto at = stmt.OptText(8)) c.settled_at = ReadTimestamp(*at, "scheduled_changes.settled_at");
  c.version = stmt.OptInt(9);
  c.failure = stmt.OptText(10);
  return c;
}

std::string SelectScheduled(std::string_view rest) {
  return "SELECT " + std::string(kScheduledColumns) + std::string(rest);
}

std::optional<std::int64_t> OptUserId(const std::optional<domain::UserId>& id) {
  return id ? std::optional(id->value) : std::nullopt;
}

std::int64_t CountOf(Connection& conn, std::string_view sql) {
  Statement stmt = conn.Prepare(sql);
  return stmt.Step() ? stmt.Int(0) : 0;
}

void BindAuditFilters(Statement& stmt, const app::AuditQuery& query) {
  if (query.order_id) stmt.Bind(1, query.order_id->str());
  if (query.rule_type) stmt.Bind(2, *query.rule_type);
}

std::string_view AuditStatement(const std::array<std::array<std::string_view, 2>, 2>& variants,
                                const app::AuditQuery& query) {
  return variants.at(query.order_id ? 1 : 0).at(query.rule_type ? 1 : 0);
}

}  // namespace

app::RulesData RulesRepository::LoadAll() {
  app::RulesData data;
  {
    Statement stmt = conn_.Prepare(kListAvailability);
    while (stmt.Step()) {
      auto decoded = DecodeAvailability(stmt);
      if (decoded.value) {
        data.availability.push_back(std::move(*decoded.value));
      } else {
        data.malformed.push_back("coffee_availability coffee_id=" + std::to_string(stmt.Int(0)) +
                                 ": " + decoded.problem);
      }
    }
  }
  {
    Statement stmt = conn_.Prepare(kListAllRules);
    while (stmt.Step()) {
      auto decoded = DecodeRule(stmt);
      if (decoded.value) {
        data.pricing_rules.push_back(std::move(*decoded.value));
      } else {
        data.malformed.push_back("pricing_rules rule_id=" + std::to_string(stmt.Int(0)) + ": " +
                                 decoded.problem);
      }
    }
  }
  {
    Statement stmt = conn_.Prepare(kListPrepTimes);
    while (stmt.Step()) {
      auto decoded = DecodePrepTime(stmt);
      if (decoded.value) {
        data.prep_times.push_back(*decoded.value);
      } else {
        data.malformed.push_back("prep_time_config coffee_id=" + std::to_string(stmt.Int(0)) +
                                 ": " + decoded.problem);
      }
    }
  }
  if (auto s = ReadPricingSettings(conn_); s.value) {
    data.pricing_settings = *s.value;
  } else {
    data.malformed.push_back("pricing_settings: " + s.problem + " (defaults used)");
  }
  if (auto s = ReadPrepTimeSettings(conn_); s.value) {
    data.prep_time_settings = *s.value;
  } else {
    data.malformed.push_back("prep_time_settings: " + s.problem + " (defaults used)");
  }
  if (auto c = ReadLoyaltyConfig(conn_); c.value) {
    data.loyalty = std::move(*c.value);
  } else {
    data.malformed.push_back("loyalty_config: " + c.problem + " (defaults used)");
  }
  data.version = LatestVersion();
  return data;
}

std::optional<domain::Availability> RulesRepository::FindAvailability(domain::CoffeeId id) {
  Statement stmt = conn_.Prepare(kFindAvailability);
  stmt.Bind(1, id.value);
  if (!stmt.Step()) return std::nullopt;
  return ValueOrThrow(DecodeAvailability(stmt),
                      "coffee_availability coffee_id=" + std::to_string(id.value));
}

domain::Availability RulesRepository::UpsertAvailability(const domain::Availability& a) {
  domain::Availability stored = a;
  stored.updated_at = Now();
  Statement stmt = conn_.Prepare(kUpsertAvailability);
  stmt.Bind(1, a.coffee_id.value).Bind(2, domain::ToString(a.status)).Bind(3, a.reason);
  if (a.available_from) {
    stmt.Bind(4, a.available_from->ToString());
  } else {
    stmt.BindNull(4);
  }
  if (a.available_until) {
    stmt.Bind(5, a.available_until->ToString());
  } else {
    stmt.BindNull(5);
  }
  stmt.Bind(6, domain::FormatTimestamp(stored.updated_at));
  stmt.Run();
  return stored;
}

std::vector<domain::PricingRule> RulesRepository::ListRules(bool include_inactive) {
  Statement stmt = conn_.Prepare(include_inactive ? kListAllRules : kListActiveRules);
  std::vector<domain::PricingRule> rules;
  while (stmt.Step()) {
    // A malformed row cannot be represented; LoadAll reports it, the listing leaves it out.
    auto decoded = DecodeRule(stmt);
    if (decoded.value) rules.push_back(std::move(*decoded.value));
  }
  return rules;
}

std::optional<domain::PricingRule> RulesRepository::FindRule(domain::RuleId id) {
  Statement stmt = conn_.Prepare(kFindRule);
  stmt.Bind(1, id.value);
  if (!stmt.Step()) return std::nullopt;
  return ValueOrThrow(DecodeRule(stmt), "pricing_rules rule_id=" + std::to_string(id.value));
}

domain::PricingRule RulesRepository::CreateRule(const domain::PricingRule& rule) {
  domain::PricingRule stored = rule;
  stored.created_at = stored.updated_at = Now();
  Statement stmt = conn_.Prepare(kInsertRule);
  BindRule(stmt, rule, domain::FormatTimestamp(stored.created_at));
  if (!stmt.Step()) throw app::StorageError("sqlite: insert pricing rule returned no id");
  stored.id = domain::RuleId{stmt.Int(0)};
  stmt.Run();
  return stored;
}

std::optional<domain::PricingRule> RulesRepository::ReplaceRule(const domain::PricingRule& rule) {
  {
    Statement stmt = conn_.Prepare(kReplaceRule);
    stmt.Bind(1, rule.id.value);
    BindRule(stmt, rule, domain::FormatTimestamp(Now()));
    stmt.Run();
    if (conn_.Changes() == 0) return std::nullopt;
  }
  return FindRule(rule.id);
}

bool RulesRepository::DeactivateRule(domain::RuleId id) {
  Statement stmt = conn_.Prepare(kDeactivateRule);
  stmt.Bind(1, id.value).Bind(2, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

domain::PricingSettings RulesRepository::GetPricingSettings() {
  auto decoded = ReadPricingSettings(conn_);
  if (decoded.missing) return {};
  return ValueOrThrow(std::move(decoded), "pricing_settings");
}

domain::PricingSettings RulesRepository::PutPricingSettings(const domain::PricingSettings& s) {
  domain::PricingSettings stored = s;
  stored.updated_at = Now();
  Statement stmt = conn_.Prepare(kPutPricingSettings);
  stmt.Bind(1, domain::ToString(s.combination_strategy)).Bind(2, s.max_discount_percent.units);
  stmt.Bind(3, domain::FormatTimestamp(stored.updated_at));
  stmt.Run();
  return stored;
}

std::optional<domain::PrepTimeConfig> RulesRepository::FindPrepTime(domain::CoffeeId id) {
  Statement stmt = conn_.Prepare(kFindPrepTime);
  stmt.Bind(1, id.value);
  if (!stmt.Step()) return std::nullopt;
  return ValueOrThrow(DecodePrepTime(stmt),
                      "prep_time_config coffee_id=" + std::to_string(id.value));
}

domain::PrepTimeConfig RulesRepository::UpsertPrepTime(const domain::PrepTimeConfig& c) {
  domain::PrepTimeConfig stored = c;
  stored.updated_at = Now();
  Statement stmt = conn_.Prepare(kUpsertPrepTime);
  stmt.Bind(1, c.coffee_id.value).Bind(2, c.base_minutes).Bind(3, c.per_additional_item);
  stmt.Bind(4, domain::FormatTimestamp(stored.updated_at));
  stmt.Run();
  return stored;
}

domain::PrepTimeSettings RulesRepository::GetPrepTimeSettings() {
  auto decoded = ReadPrepTimeSettings(conn_);
  if (decoded.missing) return {};
  return ValueOrThrow(std::move(decoded), "prep_time_settings");
}

domain::PrepTimeSettings RulesRepository::PutPrepTimeSettings(const domain::PrepTimeSettings& s) {
  domain::PrepTimeSettings stored = s;
  stored.updated_at = Now();
  Statement stmt = conn_.Prepare(kPutPrepTimeSettings);
  stmt.Bind(1, s.default_base_minutes).Bind(2, s.default_per_additional_item).Bind(3, s.baristas);
  stmt.Bind(4, domain::FormatTimestamp(stored.updated_at));
  stmt.Run();
  return stored;
}

domain::LoyaltyConfig RulesRepository::GetLoyaltyConfig() {
  auto decoded = ReadLoyaltyConfig(conn_);
  if (decoded.missing) return {};
  return ValueOrThrow(std::move(decoded), "loyalty_config");
}

domain::LoyaltyConfig RulesRepository::PutLoyaltyConfig(const domain::LoyaltyConfig& c) {
  domain::LoyaltyConfig stored = c;
  stored.updated_at = Now();
  Statement stmt = conn_.Prepare(kPutLoyaltyConfig);
  stmt.Bind(1, c.points_per_dollar.units).Bind(2, EncodeMultipliers(c.bonus_multipliers));
  stmt.Bind(3, domain::FormatTimestamp(stored.updated_at));
  stmt.Run();
  return stored;
}

void AuditLog::InsertConfigChange(const app::ConfigChange& change) {
  Statement stmt = conn_.Prepare(kInsertConfigChange);
  if (change.actor_id) {
    stmt.Bind(1, change.actor_id->value);
  } else {
    stmt.BindNull(1);
  }
  stmt.Bind(2, change.entity).Bind(3, change.entity_id).Bind(4, change.action);
  stmt.Bind(5, change.before_json).Bind(6, change.after_json);
  stmt.Bind(7, domain::FormatTimestamp(Now())).Bind(8, change.scheduled_change_id);
  stmt.Run();
}

std::vector<app::ConfigChange> AuditLog::ListConfigChanges(std::int64_t offset,
                                                           std::int64_t limit) {
  Statement stmt = conn_.Prepare(kListConfigChanges);
  stmt.Bind(1, limit).Bind(2, offset);
  std::vector<app::ConfigChange> changes;
  while (stmt.Step()) {
    app::ConfigChange c;
    c.id = stmt.Int(0);
    if (const auto actor = stmt.OptInt(1)) c.actor_id = domain::UserId{*actor};
    c.entity = stmt.Text(2);
    c.entity_id = stmt.Text(3);
    c.action = stmt.Text(4);
    c.before_json = stmt.OptText(5);
    c.after_json = stmt.OptText(6);
    c.created_at = ReadTimestamp(stmt.Text(7), "config_change_log.created_at");
    c.scheduled_change_id = stmt.OptInt(8);
    changes.push_back(std::move(c));
  }
  return changes;
}

std::int64_t AuditLog::CountConfigChanges() {
  Statement stmt = conn_.Prepare(kCountConfigChanges);
  stmt.Step();
  return stmt.Int(0);
}

void AuditLog::InsertAudit(const app::AuditRecord& record) {
  Statement stmt = conn_.Prepare(kInsertAudit);
  stmt.Bind(1, OrderIdText(record.order_id)).Bind(2, record.rule_type).Bind(3, record.rule_id);
  stmt.Bind(4, record.rule_data_json.empty() ? std::string("{}") : record.rule_data_json);
  stmt.Bind(5, record.effect).Bind(6, domain::FormatTimestamp(Now()));
  stmt.Run();
}

std::vector<app::AuditRecord> AuditLog::ListAudit(const app::AuditQuery& query) {
  Statement stmt =
      conn_.Prepare(AuditStatement(query.newest_first ? kListAuditNewest : kListAudit, query));
  BindAuditFilters(stmt, query);
  stmt.Bind(3, query.limit).Bind(4, query.offset);
  std::vector<app::AuditRecord> records;
  while (stmt.Step()) {
    app::AuditRecord r;
    r.audit_id = stmt.Int(0);
    r.order_id = ReadOptOrderId(stmt.OptText(1), "rule_audit_log.order_id");
    r.rule_type = stmt.Text(2);
    r.rule_id = stmt.OptInt(3);
    r.rule_data_json = stmt.Text(4);
    r.effect = stmt.Text(5);
    r.created_at = ReadTimestamp(stmt.Text(6), "rule_audit_log.created_at");
    records.push_back(std::move(r));
  }
  return records;
}

std::int64_t AuditLog::CountAudit(const app::AuditQuery& query) {
  Statement stmt = conn_.Prepare(AuditStatement(kCountAudit, query));
  BindAuditFilters(stmt, query);
  stmt.Step();
  return stmt.Int(0);
}

bool RulesRepository::DeleteAvailability(domain::CoffeeId id) {
  Statement stmt = conn_.Prepare(kDeleteAvailability);
  stmt.Bind(1, id.value);
  stmt.Run();
  return conn_.Changes() > 0;
}

bool RulesRepository::DeletePrepTime(domain::CoffeeId id) {
  Statement stmt = conn_.Prepare(kDeletePrepTime);
  stmt.Bind(1, id.value);
  stmt.Run();
  return conn_.Changes() > 0;
}

std::int64_t RulesRepository::LatestVersion() { return CountOf(conn_, kLatestVersion); }

void RulesRepository::InsertVersion(const app::RuleSetVersion& version) {
  Statement stmt = conn_.Prepare(kInsertVersion);
  stmt.Bind(1, version.version);
  stmt.Bind(2, version.actor_id ? std::optional(version.actor_id->value) : std::nullopt);
  stmt.Bind(3, version.source).Bind(4, version.restored_from).Bind(5, version.summary);
  stmt.Bind(6, version.document);
  stmt.Bind(7, domain::FormatTimestamp(
                   version.created_at == domain::Instant{} ? Now() : version.created_at));
  stmt.Run();
}

std::optional<app::RuleSetVersion> RulesRepository::FindVersion(std::int64_t version) {
  Statement stmt = conn_.Prepare(kFindVersion);
  stmt.Bind(1, version);
  if (!stmt.Step()) return std::nullopt;
  auto v = ReadVersion(stmt);
  v.document = stmt.Text(6);
  return v;
}

std::vector<app::RuleSetVersion> RulesRepository::ListVersions(std::int64_t offset,
                                                               std::int64_t limit) {
  Statement stmt = conn_.Prepare(kListVersions);
  stmt.Bind(1, std::max<std::int64_t>(offset, 0)).Bind(2, std::max<std::int64_t>(limit, 0));
  std::vector<app::RuleSetVersion> versions;
  while (stmt.Step()) versions.push_back(ReadVersion(stmt));
  return versions;
}

std::int64_t RulesRepository::CountVersions() { return CountOf(conn_, kCountVersions); }

app::ScheduledChange RulesRepository::InsertScheduledChange(const app::ScheduledChange& change) {
  std::int64_t id = 0;
  {
    Statement stmt = conn_.Prepare(kInsertScheduled);
    const auto created_at = change.created_at == domain::Instant{} ? Now() : change.created_at;
    stmt.Bind(1, domain::FormatTimestamp(change.effective_at)).Bind(2, change.change);
    stmt.Bind(3, change.note).Bind(4, OptUserId(change.created_by));
    stmt.Bind(5, domain::FormatTimestamp(created_at));
    if (!stmt.Step()) throw app::StorageError("scheduled_changes insert returned no id");
    id = stmt.Int(0);
  }
  return *FindScheduledChange(id);
}

std::optional<app::ScheduledChange> RulesRepository::FindScheduledChange(std::int64_t id) {
  Statement stmt = conn_.Prepare(SelectScheduled(kFindScheduled));
  stmt.Bind(1, id);
  if (!stmt.Step()) return std::nullopt;
  return ReadScheduled(stmt);
}

std::vector<app::ScheduledChange> RulesRepository::ListScheduledChanges(
    const std::optional<std::string>& status, std::int64_t offset, std::int64_t limit) {
  Statement stmt = conn_.Prepare(SelectScheduled(kListScheduled));
  stmt.Bind(1, status).Bind(2, std::max<std::int64_t>(limit, 0));
  stmt.Bind(3, std::max<std::int64_t>(offset, 0));
  std::vector<app::ScheduledChange> changes;
  while (stmt.Step()) changes.push_back(ReadScheduled(stmt));
  return changes;
}

std::int64_t RulesRepository::CountScheduledChanges(const std::optional<std::string>& status) {
  Statement stmt = conn_.Prepare(kCountScheduled);
  stmt.Bind(1, status);
  return stmt.Step() ? stmt.Int(0) : 0;
}

std::optional<domain::Instant> RulesRepository::NextScheduledChange() {
  Statement stmt = conn_.Prepare(kNextScheduled);
  if (!stmt.Step()) return std::nullopt;
  const auto text = stmt.OptText(0);
  if (!text) return std::nullopt;
  return ReadTimestamp(*text, "scheduled_changes.effective_at");
}

std::optional<app::ScheduledChange> RulesRepository::ClaimDueScheduledChange(domain::Instant now) {
  Statement stmt = conn_.Prepare(SelectScheduled(kClaimScheduled));
  stmt.Bind(1, domain::FormatTimestamp(now));
  if (!stmt.Step()) return std::nullopt;
  return ReadScheduled(stmt);
}

bool RulesRepository::SettleScheduledChange(std::int64_t id, std::string_view status,
                                            std::optional<domain::UserId> by,
                                            std::optional<std::int64_t> version,
                                            const std::optional<std::string>& failure,
                                            domain::Instant at) {
  Statement stmt = conn_.Prepare(kSettleScheduled);
  stmt.Bind(1, id).Bind(2, status).Bind(3, OptUserId(by)).Bind(4, version).Bind(5, failure);
  stmt.Bind(6, domain::FormatTimestamp(at));
  stmt.Run();
  return conn_.Changes() > 0;
}

}  // namespace coffee::storage::sqlite
