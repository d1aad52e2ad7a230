#include "rules/snapshot.hpp"

#include <algorithm>
#include <utility>

#include "rules/promo_code.hpp"
#include "rules/validation.hpp"

namespace coffee::rules {

namespace {

std::string JoinErrors(const FieldErrors& errors) {
  std::string out;
  for (const auto& [field, message] : errors) {
    if (!out.empty()) out += "; ";
    out += field;
    out += ": ";
    out += message;
  }
  return out;
}

// Sorts rows by coffee id and keeps the first row of each coffee; later duplicates are skipped.
template <typename Row>
void SortUniqueByCoffee(std::vector<Row>& rows, const char* kind,
                        std::vector<SkippedRow>& skipped) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.coffee_id < b.coffee_id; });
  auto last = std::unique(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (a.coffee_id != b.coffee_id) return false;
    skipped.push_back({kind, b.coffee_id.value, "duplicate row for this coffee"});
    return true;
  });
  rows.erase(last, rows.end());
}

template <typename Row>
const Row* FindByCoffee(const std::vector<Row>& rows, domain::CoffeeId id) {
  auto it =
      std::lower_bound(rows.begin(), rows.end(), id,
                       [](const Row& row, domain::CoffeeId key) { return row.coffee_id < key; });
  return it != rows.end() && it->coffee_id == id ? &*it : nullptr;
}

// Groups (key, evaluation index) pairs, pushed in evaluation order, by key: keys ascending, and
// the stable sort keeps each key's indexes in evaluation order.
template <typename Key, typename Group>
void GroupByKey(std::vector<std::pair<Key, std::size_t>>& pairs, std::vector<Group>& groups) {
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [key, index] : pairs) {
    if (groups.empty() || groups.back().key != key) groups.push_back({std::move(key), {}});
    groups.back().rules.push_back(index);
  }
}

template <typename Group, typename Key>
std::span<const std::size_t> FindGroup(const std::vector<Group>& groups, const Key& key) {
  auto it = std::lower_bound(groups.begin(), groups.end(), key,
                             [](const Group& group, const Key& k) { return group.key < k; });
  if (it == groups.end() || it->key != key) return {};
  return it->rules;
}

EvaluationRule Compile(const domain::PricingRule& rule, std::size_t index) {
  EvaluationRule out;
  out.id = rule.id;
  out.source_index = index;
  out.rule_type = rule.rule_type;
  out.discount_type = rule.discount_type;
  out.discount_units = rule.discount_value.units;
  out.priority = rule.priority;
  out.valid_from = rule.valid_from;
  out.valid_until = rule.valid_until;
  out.all_coffees = !rule.coffee_ids.has_value();
  if (rule.coffee_ids) {
    out.coffee_ids = *rule.coffee_ids;
    std::sort(out.coffee_ids.begin(), out.coffee_ids.end());
    out.coffee_ids.erase(std::unique(out.coffee_ids.begin(), out.coffee_ids.end()),
                         out.coffee_ids.end());
  }
  out.time_ranges = rule.time_ranges;
  for (const int day : rule.days_of_week) {
    if (day >= 1 && day <= 7)
      out.days_mask = static_cast<std::uint8_t>(out.days_mask | (1U << day));
  }
  out.min_quantity = rule.min_quantity.value_or(1);
  if (rule.promo_code) out.promo_code = NormalizePromoCode(*rule.promo_code);
  out.limited = rule.max_uses.has_value() || rule.max_uses_per_customer.has_value();
  return out;
}

}  // namespace

Snapshot Snapshot::Build(SnapshotData data) {
  Snapshot s;
  s.zone_ = data.zone;
  s.version_ = data.version;

  // Every availability row is evaluable as SPEC §5.1 states it, so none is dropped; a lone
  // from/until is ignored at evaluation (treated as no window).
  s.availability_ = std::move(data.availability);
  SortUniqueByCoffee(s.availability_, "availability", s.skipped_);

  s.pricing_rules_ = std::move(data.pricing_rules);
  std::sort(s.pricing_rules_.begin(), s.pricing_rules_.end(),
            [](const domain::PricingRule& a, const domain::PricingRule& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < s.pricing_rules_.size(); ++i) {
    const auto& rule = s.pricing_rules_[i];
    if (!rule.is_active) continue;
    EvaluationRule compiled = Compile(rule, i);
    if (const auto errors = ValidatePricingRule(rule); !errors.empty()) {
      compiled.valid = false;
      s.skipped_.push_back({"pricing_rule", rule.id.value, JoinErrors(errors)});
    }
    s.evaluation_rules_.push_back(std::move(compiled));
  }
  std::stable_sort(s.evaluation_rules_.begin(), s.evaluation_rules_.end(),
                   [](const EvaluationRule& a, const EvaluationRule& b) {
                     if (a.priority != b.priority) return a.priority > b.priority;
                     return a.id < b.id;
                   });
  // The candidate index (RulesForCoffee, RulesForAllCoffees, RulesForPromoCode).
  std::vector<std::pair<domain::CoffeeId, std::size_t>> by_coffee;
  std::vector<std::pair<std::string, std::size_t>> by_promo_code;
  for (std::size_t i = 0; i < s.evaluation_rules_.size(); ++i) {
    const auto& rule = s.evaluation_rules_[i];
    if (!rule.valid) continue;
    if (!rule.promo_code.empty()) {
      by_promo_code.emplace_back(rule.promo_code, i);
    } else if (rule.all_coffees) {
      s.all_coffee_rules_.push_back(i);
    } else {
      for (const auto coffee : rule.coffee_ids) by_coffee.emplace_back(coffee, i);
    }
  }
  GroupByKey(by_coffee, s.rules_by_coffee_);
  GroupByKey(by_promo_code, s.rules_by_promo_code_);

  s.pricing_settings_ = data.pricing_settings;
  if (const auto errors = ValidatePricingSettings(s.pricing_settings_); !errors.empty()) {
    s.skipped_.push_back({"pricing_settings", 0, JoinErrors(errors)});
    s.pricing_settings_.max_discount_percent.units =
        std::clamp<std::int64_t>(s.pricing_settings_.max_discount_percent.units, 0, 10000);
  }

  for (auto& row : data.prep_times) {
    if (const auto errors = ValidatePrepTimeConfig(row); !errors.empty()) {
      s.skipped_.push_back({"prep_time", row.coffee_id.value, JoinErrors(errors)});
    } else {
      s.prep_times_.push_back(row);
    }
  }
  SortUniqueByCoffee(s.prep_times_, "prep_time", s.skipped_);

  s.prep_settings_ = data.prep_settings;
  if (const auto errors = ValidatePrepTimeSettings(s.prep_settings_); !errors.empty()) {
    s.skipped_.push_back({"prep_settings", 0, JoinErrors(errors)});
    const domain::PrepTimeSettings defaults;
    auto& p = s.prep_settings_;
    if (p.default_base_minutes < 1 || p.default_base_minutes > kMaxPrepMinutes) {
      p.default_base_minutes = defaults.default_base_minutes;
    }
    if (p.default_per_additional_item < 0 || p.default_per_additional_item > kMaxPrepMinutes) {
      p.default_per_additional_item = defaults.default_per_additional_item;
    }
    p.baristas = std::clamp(p.baristas, 1, kMaxBaristas);
  }

  s.loyalty_ = std::move(data.loyalty);
  if (s.loyalty_.points_per_dollar.units < 0) {
    s.skipped_.push_back({"loyalty_config", 0, "points_per_dollar: must not be negative"});
    s.loyalty_.points_per_dollar.units = 0;
  }
  std::erase_if(s.loyalty_.bonus_multipliers, [&](const auto& entry) {
    if (entry.second.units >= 10000) return false;
    s.skipped_.push_back({"loyalty_multiplier", entry.first.value, "must be at least 1"});
    return true;
  });
  return s;
}

const domain::Availability* Snapshot::FindAvailability(domain::CoffeeId id) const {
  return FindByCoffee(availability_, id);
}

const domain::PricingRule* Snapshot::FindPricingRule(domain::RuleId id) const {
  auto it = std::lower_bound(
      pricing_rules_.begin(), pricing_rules_.end(), id,
      [](const domain::PricingRule& rule, domain::RuleId key) { return rule.id < key; });
  return it != pricing_rules_.end() && it->id == id ? &*it : nullptr;
}

std::span<const std::size_t> Snapshot::RulesForCoffee(domain::CoffeeId coffee) const {
  return FindGroup(rules_by_coffee_, coffee);
}

std::span<const std::size_t> Snapshot::RulesForPromoCode(std::string_view code) const {
  return FindGroup(rules_by_promo_code_, code);
}

const domain::PrepTimeConfig* Snapshot::FindPrepTime(domain::CoffeeId id) const {
  return FindByCoffee(prep_times_, id);
}

}  // namespace coffee::rules
