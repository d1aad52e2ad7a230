#pragma once

#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "app/errors.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"
#include "app/rule_set_document.hpp"
#include "app/rules_cache.hpp"
#include "app/rules_json.hpp"
#include "domain/business_rules.hpp"
#include "rules/warnings.hpp"

namespace coffee::app {

/// A pricing rule as submitted: every editable field. `rule.id`, `created_at`, `updated_at`
/// and `rule.valid_from` are ignored; `valid_from` defaults to now on create and to the stored
/// value on replace.
struct PricingRuleInput {
  domain::PricingRule rule;
  std::optional<domain::Instant> valid_from;
};

/// PUT of the pricing settings: absent fields keep their current value.
struct PricingSettingsUpdate {
  std::optional<domain::CombinationStrategy> combination_strategy;
  std::optional<domain::Fixed2> max_discount_percent;
};

/// PUT of the prep-time settings: absent fields keep their current value.
struct PrepTimeSettingsUpdate {
  std::optional<int> default_base_minutes;
  std::optional<int> default_per_additional_item;
  std::optional<int> baristas;
};

/// PUT of one coffee's prep time: absent fields keep the current (or default) value.
struct PrepTimeUpdate {
  std::optional<int> base_minutes;
  std::optional<int> per_additional_item;
};

/// PUT of the loyalty configuration: absent fields keep their current value; a given
/// bonus_multipliers map replaces the whole map.
struct LoyaltyConfigUpdate {
  std::optional<domain::Fixed4> points_per_dollar;
  std::optional<std::map<domain::CoffeeId, domain::Fixed4>> bonus_multipliers;
};

/// One page of rule_audit_log and the total matching the filters.
struct AuditPage {
  std::vector<AuditRecord> records;
  std::int64_t total = 0;
};

/// One page of the configuration change log and its total.
struct ChangePage {
  std::vector<ConfigChange> changes;
  std::int64_t total = 0;
};

/// One page of rule-set versions (newest first, without documents) and their total.
struct VersionPage {
  std::vector<RuleSetVersion> versions;
  std::int64_t total = 0;
};

/// What differs between two rule-set versions.
struct VersionDiff {
  std::int64_t from = 0;
  std::int64_t to = 0;
  std::vector<RuleSetDifference> changes;
};

/// Who makes a change of the rules configuration, and the scheduled change it applies (if any):
/// both go on its change record.
struct ChangeContext {
  std::optional<domain::UserId> actor;
  std::optional<std::int64_t> scheduled_change_id;
};

/// The admin writes a scheduled change may carry, each as its immediate route takes it.
struct AvailabilityChange {
  domain::Availability availability;
};
struct RuleCreate {
  PricingRuleInput input;
};
struct RuleReplace {
  domain::RuleId id;
  PricingRuleInput input;
};
struct RuleDelete {
  domain::RuleId id;
};
struct PrepTimeChange {
  domain::CoffeeId coffee_id;
  PrepTimeUpdate update;
};
struct RuleSetRestore {
  std::int64_t version = 0;
};
/// One admin write of the rules configuration.
using RulesChange =
    std::variant<AvailabilityChange, RuleCreate, RuleReplace, RuleDelete, PricingSettingsUpdate,
                 PrepTimeSettingsUpdate, PrepTimeChange, LoyaltyConfigUpdate, RuleSetRestore>;

/// Stores the configuration as this transaction sees it as the next rule-set version (after
/// taking the versions lock). Every writer of the rules configuration calls it in its own
/// transaction: the admin use cases below, a restore, the seed.
RuleSetVersion RecordRuleSetVersion(Tx& tx, std::optional<domain::UserId> actor, std::string source,
                                    std::optional<std::int64_t> restored_from, std::string summary,
                                    domain::Instant at);

/// Managing the business rules (SPEC §5.1–5.5). Every change is validated first, then written
/// with its change record in one transaction, then the rules cache is reloaded so the next
/// request of this process sees it. Blocking: runs on a worker thread.
class RulesAdminService {
 public:
  /// `cache` is reloaded after every committed change; `clock` gives now for available_now and
  /// defaults.
  RulesAdminService(Store& store, RulesCache& cache, const Clock& clock)
      : store_(store), cache_(cache), clock_(clock) {}

  /// The pricing rules of the current snapshot (what orders are priced with), by id; only the
  /// active ones unless `include_inactive`. Never blocks: safe on an I/O thread. Also returns
  /// the snapshot version, so callers can cache what they build from it.
  std::pair<std::vector<domain::PricingRule>, std::uint64_t> SnapshotRules(
      bool include_inactive) const;
  /// The version of the current snapshot (cheap; changes with every reload).
  [[nodiscard]] std::uint64_t SnapshotGeneration() const { return cache_.Generation(); }

  /// 404 for an unknown coffee; a coffee without a row is available all day.
  Outcome<AvailabilityView> GetAvailability(domain::CoffeeId coffee_id);
  /// Every coffee, by id.
  Outcome<std::vector<AvailabilityView>> ListAvailability();
  /// Insert or replace; 400 naming coffee_id when the coffee does not exist.
  Outcome<AvailabilityView> UpsertAvailability(domain::UserId actor,
                                               const domain::Availability& availability);

  /// 404 when missing, or inactive and `include_inactive` is false.
  Outcome<domain::PricingRule> GetRule(domain::RuleId id, bool include_inactive);
  /// Validated (rules and coffee ids) → 201 body; valid_from defaults to now.
  Outcome<domain::PricingRule> CreateRule(domain::UserId actor, const PricingRuleInput& input);
  /// Full replacement; 404 when missing.
  Outcome<domain::PricingRule> ReplaceRule(domain::UserId actor, domain::RuleId id,
                                           const PricingRuleInput& input);
  /// Soft delete (is_active = false); 404 when missing; deleting an inactive rule changes
  /// nothing.
  Status DeactivateRule(domain::UserId actor, domain::RuleId id);
  /// Discounted orders holding a use of the rule now (0 when it never had a limit).
  std::int64_t RuleUses(domain::RuleId id);
  /// What is wrong with `rule` in the current configuration (issue 14 item 3): never a refusal.
  std::vector<rules::RuleWarning> RuleWarnings(const domain::PricingRule& rule);

  /// The singleton (defaults when never written).
  Outcome<domain::PricingSettings> GetPricingSettings();
  /// Merges the given fields, validates, stores.
  Outcome<domain::PricingSettings> PutPricingSettings(domain::UserId actor,
                                                      const PricingSettingsUpdate& update);

  /// The singleton (defaults when never written).
  Outcome<domain::PrepTimeSettings> GetPrepTimeSettings();
  /// Merges the given fields, validates, stores.
  Outcome<domain::PrepTimeSettings> PutPrepTimeSettings(domain::UserId actor,
                                                        const PrepTimeSettingsUpdate& update);
  /// The coffee's row, or the settings' defaults; 404 for an unknown coffee.
  Outcome<PrepTimeView> GetPrepTime(domain::CoffeeId coffee_id);
  /// Merges the given fields into the coffee's row (or the defaults); 404 for an unknown coffee.
  Outcome<PrepTimeView> PutPrepTime(domain::UserId actor, domain::CoffeeId coffee_id,
                                    const PrepTimeUpdate& update);

  /// The singleton (defaults when never written).
  Outcome<domain::LoyaltyConfig> GetLoyaltyConfig();
  /// Multipliers must name existing coffees (400 naming bonus_multipliers.<id>).
  Outcome<domain::LoyaltyConfig> PutLoyaltyConfig(domain::UserId actor,
                                                  const LoyaltyConfigUpdate& update);

  /// rule_audit_log, oldest first, filtered by order and/or rule type. `order_id` is the
  /// client's text, in any case (400 when it is not a UUID); it sets query.order_id. A page
  /// nearer the end is read from there (app/paging.hpp; query.newest_first is not read).
  Outcome<AuditPage> QueryAudit(const std::optional<std::string>& order_id, AuditQuery query);
  /// The configuration change log, newest first.
  Outcome<ChangePage> ListChanges(std::int64_t offset, std::int64_t limit);

  /// Stores the current configuration as a new version (source "initial") when no version is
  /// stored or the newest differs from it (a seed or an older instance changed the tables).
  /// Called at start-up; safe with several instances. Returns the newest version number.
  std::int64_t RecordCurrentVersion();
  /// Rule-set versions, newest first.
  Outcome<VersionPage> ListVersions(std::int64_t offset, std::int64_t limit);
  /// One version with its document; 404 when there is no such version.
  Outcome<RuleSetVersion> GetVersion(std::int64_t version);
  /// The differences from version `from` to version `to`; 404 naming a missing one.
  Outcome<VersionDiff> DiffVersions(std::int64_t from, std::int64_t to);
  /// Makes the configuration equal to version `version` again, as a new version (source
  /// "restore", restored_from set) with its change record; 404 when there is no such version.
  Outcome<RuleSetVersion> RestoreVersion(domain::UserId actor, std::int64_t version);

  /// Makes `change` in `tx` exactly as its immediate route does (validation, write, change
  /// record, rule-set version, announcement), without committing or reloading: on an error
  /// the caller must roll back. Scheduled changes are checked and applied through it.
  Status ApplyChange(Tx& tx, const ChangeContext& context, const RulesChange& change);

 private:
  /// Runs `fn` (one of the *In writers below) in a transaction that commits on a value, then
  /// reloads the rules cache.
  template <typename T, typename Fn>
  Outcome<T> Commit(Fn&& fn);
  Outcome<AvailabilityView> UpsertAvailabilityIn(Tx& tx, const ChangeContext& context,
                                                 const domain::Availability& availability);
  Outcome<domain::PricingRule> SaveRuleIn(Tx& tx, const ChangeContext& context,
                                          std::optional<domain::RuleId> id,
                                          const PricingRuleInput& input);
  /// True when the rule was active (a change was made).
  Outcome<bool> DeactivateRuleIn(Tx& tx, const ChangeContext& context, domain::RuleId id);
  Outcome<domain::PricingSettings> PutPricingSettingsIn(Tx& tx, const ChangeContext& context,
                                                        const PricingSettingsUpdate& update);
  Outcome<domain::PrepTimeSettings> PutPrepTimeSettingsIn(Tx& tx, const ChangeContext& context,
                                                          const PrepTimeSettingsUpdate& update);
  Outcome<PrepTimeView> PutPrepTimeIn(Tx& tx, const ChangeContext& context,
                                      domain::CoffeeId coffee_id, const PrepTimeUpdate& update);
  Outcome<domain::LoyaltyConfig> PutLoyaltyConfigIn(Tx& tx, const ChangeContext& context,
                                                    const LoyaltyConfigUpdate& update);
  Outcome<RuleSetVersion> RestoreVersionIn(Tx& tx, const ChangeContext& context,
                                           std::int64_t version);

  [[nodiscard]] AvailabilityView View(const std::optional<domain::Availability>& row,
                                      domain::CoffeeId coffee_id) const;
  ConfigChange Change(const ChangeContext& context, std::string entity, std::string entity_id,
                      std::string action) const;

  Store& store_;
  RulesCache& cache_;
  const Clock& clock_;
};

}  // namespace coffee::app
