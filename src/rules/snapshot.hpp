#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/strong_id.hpp"
#include "domain/time.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace coffee::rules {

/// Everything the rules engine reads, as loaded from storage (one copy per reload).
struct SnapshotData {
  std::vector<domain::Availability> availability;
  std::vector<domain::PricingRule> pricing_rules;  // active and inactive
  domain::PricingSettings pricing_settings;
  std::vector<domain::PrepTimeConfig> prep_times;
  domain::PrepTimeSettings prep_settings;
  domain::LoyaltyConfig loyalty;
  const date::time_zone* zone = nullptr;  // SHOP_TIMEZONE; nullptr = UTC
  std::int64_t version = 0;               // the rule-set version this data is (0: unknown)
};

/// A configuration row that Build left out of evaluation (to be logged and counted by the caller).
struct SkippedRow {
  std::string kind;  // "availability", "pricing_rule", "prep_time", "loyalty_multiplier", …
  std::int64_t id = 0;
  std::string message;
};

/// An active pricing rule compiled for evaluation.
struct EvaluationRule {
  domain::RuleId id;
  std::size_t source_index = 0;  // into Snapshot::pricing_rules()
  domain::RuleType rule_type = domain::RuleType::kPromotional;
  domain::DiscountType discount_type = domain::DiscountType::kPercentage;
  std::int64_t discount_units = 0;  // hundredths of a percent, or cents
  int priority = 0;
  domain::Instant valid_from;
  std::optional<domain::Instant> valid_until;
  bool all_coffees = true;
  std::vector<domain::CoffeeId> coffee_ids;  // sorted, unique; used when !all_coffees
  std::vector<domain::TimeRange> time_ranges;
  std::uint8_t days_mask = 0;  // bit d set for ISO day d; 0 = every day
  std::int64_t min_quantity = 1;
  std::string promo_code;  // normalized (NormalizePromoCode); empty = none needed
  bool limited = false;    // max_uses or max_uses_per_customer is set: orders count its uses
  bool valid = true;       // false: failed validation, reported but never applied
};

/// An immutable, pre-indexed view of all rules configuration. Build once, share read-only.
class Snapshot {
 public:
  Snapshot() = default;

  /// Indexes `data`. Invalid rows are kept out of evaluation and listed in skipped().
  static Snapshot Build(SnapshotData data);

  /// The availability row of a coffee, or nullptr (no row = available all day).
  [[nodiscard]] const domain::Availability* FindAvailability(domain::CoffeeId id) const;
  /// All availability rows, by coffee id.
  [[nodiscard]] const std::vector<domain::Availability>& availability() const {
    return availability_;
  }

  /// Every pricing rule, active or not, by id (for listing).
  [[nodiscard]] const std::vector<domain::PricingRule>& pricing_rules() const {
    return pricing_rules_;
  }
  /// One pricing rule by id (active or not), or nullptr.
  [[nodiscard]] const domain::PricingRule* FindPricingRule(domain::RuleId id) const;
  /// The active rules in evaluation order: priority descending, then id ascending.
  [[nodiscard]] const std::vector<EvaluationRule>& evaluation_rules() const {
    return evaluation_rules_;
  }
  // The candidate index: which rules can apply to an order, as indexes into
  // evaluation_rules(), ascending (so in evaluation order). Every valid rule is in exactly one
  // family: without a promo code, in RulesForCoffee of each coffee it lists or in
  // RulesForAllCoffees; with one, in RulesForPromoCode of its code. Invalid rules are in none
  // (they never apply). Built once by Build.

  /// Valid rules without a promo code that list `coffee`.
  [[nodiscard]] std::span<const std::size_t> RulesForCoffee(domain::CoffeeId coffee) const;
  /// Valid rules without a promo code that target every coffee.
  [[nodiscard]] std::span<const std::size_t> RulesForAllCoffees() const {
    return all_coffee_rules_;
  }
  /// Valid rules that need the promo code `code` (normalized), whatever coffees they target.
  [[nodiscard]] std::span<const std::size_t> RulesForPromoCode(std::string_view code) const;
  /// The rule an EvaluationRule was compiled from.
  [[nodiscard]] const domain::PricingRule& Source(const EvaluationRule& rule) const {
    return pricing_rules_[rule.source_index];
  }
  [[nodiscard]] const domain::PricingSettings& pricing_settings() const {
    return pricing_settings_;
  }

  /// The prep-time row of a coffee, or nullptr (settings defaults apply).
  [[nodiscard]] const domain::PrepTimeConfig* FindPrepTime(domain::CoffeeId id) const;
  /// All valid prep-time rows, by coffee id.
  [[nodiscard]] const std::vector<domain::PrepTimeConfig>& prep_times() const {
    return prep_times_;
  }
  [[nodiscard]] const domain::PrepTimeSettings& prep_settings() const { return prep_settings_; }

  /// Loyalty configuration with only valid multipliers (≥ 1) kept.
  [[nodiscard]] const domain::LoyaltyConfig& loyalty() const { return loyalty_; }

  /// SHOP_TIMEZONE; nullptr means UTC.
  [[nodiscard]] const date::time_zone* zone() const { return zone_; }
  /// The rule-set version this snapshot was built from (0 when none was stored).
  [[nodiscard]] std::int64_t version() const { return version_; }

  /// Rows left out of evaluation, with why.
  [[nodiscard]] const std::vector<SkippedRow>& skipped() const { return skipped_; }

 private:
  std::vector<domain::Availability> availability_;
  std::vector<domain::PricingRule> pricing_rules_;
  std::vector<EvaluationRule> evaluation_rules_;
  /// Indexes into evaluation_rules_ grouped by key; keys sorted, indexes ascending per key.
  template <typename Key>
  struct RuleGroup {
    Key key;
    std::vector<std::size_t> rules;
  };
  std::vector<RuleGroup<domain::CoffeeId>> rules_by_coffee_;
  std::vector<std::size_t> all_coffee_rules_;
  std::vector<RuleGroup<std::string>> rules_by_promo_code_;
  domain::PricingSettings pricing_settings_;
  std::vector<domain::PrepTimeConfig> prep_times_;
  domain::PrepTimeSettings prep_settings_;
  domain::LoyaltyConfig loyalty_;
  const date::time_zone* zone_ = nullptr;
  std::int64_t version_ = 0;
  std::vector<SkippedRow> skipped_;
};

}  // namespace coffee::rules
