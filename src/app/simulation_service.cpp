#include "app/simulation_service.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "rules/validation.hpp"

namespace coffee::app {
namespace {

constexpr std::int64_t kPageSize = 10000;
constexpr std::int64_t kMaxLargest = 100;

rules::SnapshotData SnapshotInput(const RulesData& data, const date::time_zone* zone) {
  rules::SnapshotData input;
  input.availability = data.availability;
  input.pricing_rules = data.pricing_rules;
  input.pricing_settings = data.pricing_settings;
  input.prep_times = data.prep_times;
  input.prep_settings = data.prep_time_settings;
  input.loyalty = data.loyalty;
  input.zone = zone;
  input.version = data.version;
  return input;
}

/// The stored rule sets the baseline needs, parsed once each, and which version priced an
/// order that recorded none: the newest created at or before it, else the oldest.
class Baselines {
 public:
  Baselines(Tx& tx, const date::time_zone* zone, const rules::Snapshot& current)
      : tx_(tx), zone_(zone), current_(current) {
    const std::int64_t count = tx.Rules().CountVersions();
    for (const auto& v : tx.Rules().ListVersions(0, count))
      created_.emplace_back(v.created_at, v.version);
    std::sort(created_.begin(), created_.end());
  }

  const rules::Snapshot& For(const RecordedOrder& order) {
    std::int64_t version = order.rules_version;
    if (version == 0 && !created_.empty()) {
      auto it = std::upper_bound(created_.begin(), created_.end(),
                                 std::make_pair(order.created_at, INT64_MAX));
      version = it == created_.begin() ? created_.front().second : std::prev(it)->second;
    }
    auto found = parsed_.find(version);
    if (found != parsed_.end()) return found->second ? *found->second : current_;
    std::unique_ptr<rules::Snapshot> snapshot;
    if (version != 0) {
      if (auto stored = tx_.Rules().FindVersion(version)) {
        if (auto data = ParseRuleSet(stored->document)) {
          data->version = version;
          snapshot = std::make_unique<rules::Snapshot>(
              rules::Snapshot::Build(SnapshotInput(*data, zone_)));
        }
      }
    }
    // A version that is not stored (or not readable) is replayed under today's rules.
    const rules::Snapshot& result = snapshot ? *snapshot : current_;
    parsed_.emplace(version, std::move(snapshot));
    used_.insert(version);
    return result;
  }

  [[nodiscard]] std::vector<std::int64_t> Used() const { return {used_.begin(), used_.end()}; }

 private:
  Tx& tx_;
  const date::time_zone* zone_;
  const rules::Snapshot& current_;
  std::vector<std::pair<domain::Instant, std::int64_t>> created_;
  std::map<std::int64_t, std::unique_ptr<rules::Snapshot>> parsed_;
  std::set<std::int64_t> used_;
};

/// Merges the draft into the current configuration; fills `errors` keyed by request field.
RulesData Draft(Tx& tx, const RulesData& current, const SimulationRequest& request,
                domain::Instant period_start, ValidationErrors& errors) {
  RulesData draft = current;
  if (request.pricing_settings) {
    const auto& u = *request.pricing_settings;
    if (u.combination_strategy)
      draft.pricing_settings.combination_strategy = *u.combination_strategy;
    if (u.max_discount_percent)
      draft.pricing_settings.max_discount_percent = *u.max_discount_percent;
    for (const auto& [field, message] : rules::ValidatePricingSettings(draft.pricing_settings)) {
      errors.Add("pricing_settings." + field, message);
    }
  }
  if (!request.pricing_rules) return draft;
  std::map<std::int64_t, const domain::PricingRule*> stored;
  for (const auto& rule : current.pricing_rules) stored.emplace(rule.id.value, &rule);
  std::vector<domain::PricingRule> rules;
  std::set<std::int64_t> seen;
  std::vector<domain::CoffeeId> coffees;
  for (std::size_t i = 0; i < request.pricing_rules->size(); ++i) {
    const DraftRule& entry = (*request.pricing_rules)[i];
    const std::string prefix = "pricing_rules[" + std::to_string(i) + "].";
    domain::PricingRule rule = entry.input.rule;
    // A new rule without valid_from is valid over the whole period: the question is what it
    // would have done, not what it will do from now on.
    rule.valid_from = entry.input.valid_from.value_or(period_start);
    if (entry.id) {
      const auto it = stored.find(entry.id->value);
      if (it == stored.end()) {
        errors.Add(prefix + "id", "no pricing rule with id " + std::to_string(entry.id->value));
        continue;
      }
      if (!seen.insert(entry.id->value).second) {
        errors.Add(prefix + "id",
                   "rule " + std::to_string(entry.id->value) + " is in the draft twice");
        continue;
      }
      rule.id = *entry.id;
      if (!entry.input.valid_from) rule.valid_from = it->second->valid_from;
      rule.created_at = it->second->created_at;
    } else {
      rule.id = domain::RuleId{kDraftRuleIds + static_cast<std::int64_t>(i)};
    }
    for (const auto& [field, message] : rules::ValidatePricingRule(rule)) {
      errors.Add(prefix + field, message);
    }
    if (rule.coffee_ids)
      coffees.insert(coffees.end(), rule.coffee_ids->begin(), rule.coffee_ids->end());
    rules.push_back(std::move(rule));
  }
  std::sort(coffees.begin(), coffees.end());
  coffees.erase(std::unique(coffees.begin(), coffees.end()), coffees.end());
  const auto existing = tx.Coffees().ExistingIds(coffees);
  for (std::size_t i = 0; i < request.pricing_rules->size(); ++i) {
    const auto& ids = (*request.pricing_rules)[i].input.rule.coffee_ids;
    if (!ids) continue;
    for (const auto id : *ids) {
      if (!std::binary_search(existing.begin(), existing.end(), id)) {
        errors.Add("pricing_rules[" + std::to_string(i) + "].coffee_ids",
                   "no coffee with id " + std::to_string(id.value));
      }
    }
  }
  std::sort(rules.begin(), rules.end(),
            [](const auto& a, const auto& b) { return a.id.value < b.id.value; });
  draft.pricing_rules = std::move(rules);
  return draft;
}

}  // namespace

SimulationService::SimulationService(Store& store, const Clock& clock, const date::time_zone* zone)
    : store_(store), clock_(clock), zone_(zone) {}

Outcome<SimulationReport> SimulationService::Simulate(const SimulationRequest& request) const {
  const auto started = std::chrono::steady_clock::now();
  auto query = ParseAnalyticsQuery(request.dates, clock_.Now(), zone_);
  if (!query) return query.error();
  if (request.largest < 0 || request.largest > kMaxLargest) {
    return AppError::Validation("largest", "must be between 0 and 100");
  }
  SimulationReport report;
  report.range = query->range;
  ValidationErrors errors;
  store_.Read([&](Tx& tx) {
    const RulesData current = tx.Rules().LoadAll();
    report.current_version = current.version;
    const RulesData draft_data = Draft(tx, current, request, report.range.start, errors);
    if (!errors.empty()) return;
    const rules::Snapshot now = rules::Snapshot::Build(SnapshotInput(current, zone_));
    const rules::Snapshot draft = rules::Snapshot::Build(SnapshotInput(draft_data, zone_));
    Baselines baselines(tx, zone_, now);
    rules::Simulation simulation(draft, static_cast<std::size_t>(request.largest));
    RecordedOrderPage page{report.range.start, report.range.end, std::nullopt, std::nullopt,
                           kPageSize};
    // Two stages on the two halves of the work: this thread reads page n + 1 (and resolves each
    // order's baseline, which may read a version) while another prices page n. The snapshots
    // are immutable and only the pricing thread touches `simulation`.
    std::future<void> pricing;
    for (;;) {
      auto orders =
          std::make_shared<std::vector<RecordedOrder>>(tx.Analytics().RecordedOrders(page));
      auto bases = std::make_shared<std::vector<const rules::Snapshot*>>();
      bases->reserve(orders->size());
      for (const auto& order : *orders) bases->push_back(&baselines.For(order));
      if (pricing.valid()) pricing.get();
      pricing = std::async(std::launch::async, [&simulation, orders, bases] {
        rules::ReplayOrder replay;
        for (std::size_t i = 0; i < orders->size(); ++i) {
          const RecordedOrder& order = (*orders)[i];
          replay.id = order.id.str();
          replay.created_at = order.created_at;
          replay.recorded_total = order.total;
          replay.promo_code = order.promo_code;
          replay.lines.clear();
          for (const auto& line : order.lines) {
            replay.lines.push_back({line.coffee_id, line.quantity, line.unit_price});
          }
          simulation.Add(replay, *(*bases)[i]);
        }
      });
      if (static_cast<std::int64_t>(orders->size()) < page.limit) break;
      page.after_time = orders->back().created_at;
      page.after_id = orders->back().id;
    }
    pricing.get();
    report.result = simulation.Result();
    report.versions = baselines.Used();
  });
  if (!errors.empty()) return errors.ToError();
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace coffee::app
