#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "app/analytics_range.hpp"
#include "app/errors.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"
#include "app/rules_admin_service.hpp"
#include "rules/simulation.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace coffee::app {

/// A rule of a draft: `id` names the stored rule it replaces; without it the rule is new.
struct DraftRule {
  std::optional<domain::RuleId> id;
  PricingRuleInput input;
};

/// POST /api/business-rules/simulate: a draft (never saved) and the period to replay.
struct SimulationRequest {
  QueryParams dates;  // start_date, end_date as in the analytics reports (SPEC §10)
  /// Replaces every pricing rule when given (rules left out are not in the draft).
  std::optional<std::vector<DraftRule>> pricing_rules;
  /// Merged over the current pricing settings.
  std::optional<PricingSettingsUpdate> pricing_settings;
  std::int64_t largest = 10;  // how many of the largest changes to return (0–100)
};

/// The draft's rule for each simulated rule id: ids at or above kDraftRuleIds are the draft's
/// new rules (kDraftRuleIds + their index in the request).
inline constexpr std::int64_t kDraftRuleIds = std::int64_t{1} << 62;

/// What a simulation answers.
struct SimulationReport {
  ReportRange range;
  std::int64_t current_version = 0;    // the rule-set version the draft was built on
  std::vector<std::int64_t> versions;  // the versions the baseline replayed, ascending
  rules::SimulationResult result;
  double elapsed_ms = 0;
};

/// Replays recorded orders under a draft and under the rule-set version each was priced with
/// (issue 14 item 2). Reads history in pages inside one read transaction; nothing is written.
class SimulationService {
 public:
  SimulationService(Store& store, const Clock& clock, const date::time_zone* zone);

  /// 400 naming the field for a bad draft or period (pricing_rules[2].discount_value, …).
  Outcome<SimulationReport> Simulate(const SimulationRequest& request) const;

 private:
  Store& store_;
  const Clock& clock_;
  const date::time_zone* zone_;
};

}  // namespace coffee::app
