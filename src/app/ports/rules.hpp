#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/order_id.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// Everything the rules snapshot is built from. Rows that cannot be decoded are skipped and
/// described in `malformed` (one line each) so the caller can log and count them.
struct RulesData {
  std::vector<domain::Availability> availability;
  std::vector<domain::PricingRule> pricing_rules;  // active and inactive, ordered by id
  domain::PricingSettings pricing_settings;
  std::vector<domain::PrepTimeConfig> prep_times;
  domain::PrepTimeSettings prep_time_settings;
  domain::LoyaltyConfig loyalty;
  std::vector<std::string> malformed;
  /// The newest rule-set version stored (0 when none is).
  std::int64_t version = 0;
};

/// One immutable version of the whole rules configuration (issue 14).
struct RuleSetVersion {
  std::int64_t version = 0;
  std::optional<domain::UserId> actor_id;
  std::string source;  // "initial", "change" or "restore"
  std::optional<std::int64_t> restored_from;
  std::string summary;   // what produced it: "pricing_rule 12 update", "restore of 3", …
  std::string document;  // JSON text of the configuration (app/rule_set_document.hpp)
  domain::Instant created_at;
};

/// One configuration change made through the API (who, when, what, before, after).
struct ConfigChange {
  std::int64_t id = 0;
  std::optional<domain::UserId> actor_id;
  std::string entity;     // "pricing_rule", "availability", "pricing_settings", …
  std::string entity_id;  // "12", "3", or "" for singletons
  std::string action;     // "create", "update", "delete"
  std::optional<std::string> before_json;
  std::optional<std::string> after_json;
  domain::Instant created_at;
  /// The scheduled change this one applied (null for an immediate change).
  std::optional<std::int64_t> scheduled_change_id;
};

/// A change of the rules configuration that takes effect at a future instant (issue 14).
struct ScheduledChange {
  std::int64_t id = 0;
  domain::Instant effective_at;
  std::string change;  // JSON text of the change, as scheduled ({"kind": …})
  std::optional<std::string> note;
  std::string status = "pending";  // "pending", "applied", "failed" or "cancelled"
  std::optional<domain::UserId> created_by;
  domain::Instant created_at;
  std::optional<domain::UserId> settled_by;  // who cancelled it
  std::optional<domain::Instant> settled_at;
  std::optional<std::int64_t> version;  // the rule-set version it produced
  std::optional<std::string> failure;   // why it could not be applied
};

/// One row of rule_audit_log.
struct AuditRecord {
  std::int64_t audit_id = 0;
  std::optional<domain::OrderId> order_id;
  std::string rule_type;  // "availability", "pricing_rule", "pricing_summary", …
  std::optional<std::int64_t> rule_id;
  std::string rule_data_json;
  std::string effect;
  domain::Instant created_at;
};

struct AuditQuery {
  std::optional<domain::OrderId> order_id;
  std::optional<std::string> rule_type;
  std::int64_t offset = 0;
  std::int64_t limit = 10;
  /// The exact reverse of the log's order (audit_id desc): how RulesAdminService reads a page
  /// nearer the end (app/paging.hpp).
  bool newest_first = false;
};

/// The rules configuration: availability, pricing rules and settings, prep time, loyalty.
class RulesRepository {
 public:
  virtual ~RulesRepository() = default;
  virtual RulesData LoadAll() = 0;

  virtual std::optional<domain::Availability> FindAvailability(domain::CoffeeId id) = 0;
  /// Insert or replace; updated_at is set by the adapter. Returns the stored row.
  virtual domain::Availability UpsertAvailability(const domain::Availability& a) = 0;

  /// Ordered by id.
  virtual std::vector<domain::PricingRule> ListRules(bool include_inactive) = 0;
  virtual std::optional<domain::PricingRule> FindRule(domain::RuleId id) = 0;
  /// Ignores rule.id, created_at, updated_at; returns the stored rule.
  virtual domain::PricingRule CreateRule(const domain::PricingRule& rule) = 0;
  /// Full replacement of every field but id/created_at; nullopt when no such rule.
  virtual std::optional<domain::PricingRule> ReplaceRule(const domain::PricingRule& rule) = 0;
  /// Sets is_active=false; false when no such rule.
  virtual bool DeactivateRule(domain::RuleId id) = 0;

  virtual domain::PricingSettings GetPricingSettings() = 0;
  virtual domain::PricingSettings PutPricingSettings(const domain::PricingSettings& s) = 0;

  virtual std::optional<domain::PrepTimeConfig> FindPrepTime(domain::CoffeeId id) = 0;
  virtual domain::PrepTimeConfig UpsertPrepTime(const domain::PrepTimeConfig& c) = 0;
  virtual domain::PrepTimeSettings GetPrepTimeSettings() = 0;
  virtual domain::PrepTimeSettings PutPrepTimeSettings(const domain::PrepTimeSettings& s) = 0;

  virtual domain::LoyaltyConfig GetLoyaltyConfig() = 0;
  virtual domain::LoyaltyConfig PutLoyaltyConfig(const domain::LoyaltyConfig& c) = 0;

  /// Removes a coffee's availability row (it is then available all day); false when none.
  virtual bool DeleteAvailability(domain::CoffeeId id) = 0;
  /// Removes a coffee's prep-time row (the settings' defaults apply); false when none.
  virtual bool DeletePrepTime(domain::CoffeeId id) = 0;

  /// Serializes writers of rule-set versions until this transaction ends, so the configuration
  /// read after it includes every committed change (PostgreSQL: a transaction advisory lock;
  /// SQLite: the single writer already does).
  virtual void LockVersions() = 0;
  /// The newest version number, 0 when none is stored.
  virtual std::int64_t LatestVersion() = 0;
  /// Stores `version` as given (its number must be LatestVersion() + 1 under LockVersions()).
  virtual void InsertVersion(const RuleSetVersion& version) = 0;
  virtual std::optional<RuleSetVersion> FindVersion(std::int64_t version) = 0;
  /// Newest first, without their documents.
  virtual std::vector<RuleSetVersion> ListVersions(std::int64_t offset, std::int64_t limit) = 0;
  virtual std::int64_t CountVersions() = 0;

  /// Stores a new pending change (id, status and settlement are ignored); returns it stored.
  virtual ScheduledChange InsertScheduledChange(const ScheduledChange& change) = 0;
  virtual std::optional<ScheduledChange> FindScheduledChange(std::int64_t id) = 0;
  /// By effective_at then id; all statuses when `status` is null.
  virtual std::vector<ScheduledChange> ListScheduledChanges(
      const std::optional<std::string>& status, std::int64_t offset, std::int64_t limit) = 0;
  virtual std::int64_t CountScheduledChanges(const std::optional<std::string>& status) = 0;
  /// The earliest effective_at of a pending change; null when none is pending.
  virtual std::optional<domain::Instant> NextScheduledChange() = 0;
  /// The earliest pending change due at `now`, locked until this transaction ends; a change
  /// another open transaction holds is skipped (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
  /// the single writer). Null when none is due.
  virtual std::optional<ScheduledChange> ClaimDueScheduledChange(domain::Instant now) = 0;
  /// Moves a pending change to `status` ("applied", "failed" or "cancelled") with its
  /// settlement; false when it was no longer pending (it stays as it was).
  virtual bool SettleScheduledChange(std::int64_t id, std::string_view status,
                                     std::optional<domain::UserId> by,
                                     std::optional<std::int64_t> version,
                                     const std::optional<std::string>& failure,
                                     domain::Instant at) = 0;
};

/// The audit log: which rules decided each order (rule_audit_log), and every configuration
/// change made through the API (config_changes).
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual void InsertConfigChange(const ConfigChange& change) = 0;
  /// Newest first.
  virtual std::vector<ConfigChange> ListConfigChanges(std::int64_t offset, std::int64_t limit) = 0;
  virtual std::int64_t CountConfigChanges() = 0;

  virtual void InsertAudit(const AuditRecord& record) = 0;
  /// Several records in their order; one statement where the adapter can, else one at a time.
  virtual void InsertAudits(const std::vector<AuditRecord>& records) {
    for (const auto& record : records) InsertAudit(record);
  }
  /// Oldest first (audit_id ascending), or newest first with query.newest_first.
  virtual std::vector<AuditRecord> ListAudit(const AuditQuery& query) = 0;
  virtual std::int64_t CountAudit(const AuditQuery& query) = 0;
};

}  // namespace coffee::app
