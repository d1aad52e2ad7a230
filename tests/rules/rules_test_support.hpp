#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/time.hpp"
#include "rules/pricing.hpp"
#include "rules/shop_clock.hpp"
#include "rules/snapshot.hpp"

namespace coffee::rules::testing {

/// An instant from RFC 3339 text; the test data is always well formed.
inline domain::Instant At(std::string_view text) { return *domain::ParseTimestamp(text); }

/// A time of day from "HH:MM".
inline domain::TimeOfDay Hm(std::string_view text) { return *domain::TimeOfDay::Parse(text); }

inline const date::time_zone* Zone(std::string_view name) { return FindTimeZone(name); }

/// Fluent construction of pricing rules: a promotional 10 % rule valid since 2020 by default.
class RuleBuilder {
 public:
  explicit RuleBuilder(std::int64_t id) {
    rule_.id = domain::RuleId{id};
    rule_.description = "rule " + std::to_string(id);
    rule_.discount_value = domain::Fixed2{1000};
    rule_.valid_from = At("2020-01-01T00:00:00Z");
  }
  RuleBuilder& Percent(std::int64_t hundredths) {
    rule_.discount_type = domain::DiscountType::kPercentage;
    rule_.discount_value = domain::Fixed2{hundredths};
    return *this;
  }
  RuleBuilder& FixedCents(std::int64_t cents) {
    rule_.discount_type = domain::DiscountType::kFixedAmount;
    rule_.discount_value = domain::Fixed2{cents};
    return *this;
  }
  RuleBuilder& Priority(int priority) {
    rule_.priority = priority;
    return *this;
  }
  RuleBuilder& Coffees(std::initializer_list<std::int64_t> ids) {
    rule_.coffee_ids.emplace();
    for (auto id : ids) rule_.coffee_ids->push_back(domain::CoffeeId{id});
    return *this;
  }
  RuleBuilder& MinQuantity(int quantity) {
    rule_.rule_type = domain::RuleType::kQuantityBased;
    rule_.min_quantity = quantity;
    return *this;
  }
  RuleBuilder& Window(std::string_view start, std::string_view end) {
    rule_.rule_type = domain::RuleType::kTimeBased;
    rule_.time_ranges.push_back({Hm(start), Hm(end)});
    return *this;
  }
  RuleBuilder& Days(std::vector<int> days) {
    rule_.days_of_week = std::move(days);
    return *this;
  }
  RuleBuilder& ValidFrom(std::string_view t) {
    rule_.valid_from = At(t);
    return *this;
  }
  RuleBuilder& ValidUntil(std::string_view t) {
    rule_.valid_until = At(t);
    return *this;
  }
  RuleBuilder& Inactive() {
    rule_.is_active = false;
    return *this;
  }
  RuleBuilder& Description(std::string text) {
    rule_.description = std::move(text);
    return *this;
  }
  RuleBuilder& PromoCode(std::string code) {
    rule_.promo_code = std::move(code);
    return *this;
  }
  RuleBuilder& MaxUses(std::int64_t uses) {
    rule_.max_uses = uses;
    return *this;
  }
  RuleBuilder& MaxUsesPerCustomer(std::int64_t uses) {
    rule_.max_uses_per_customer = uses;
    return *this;
  }
  [[nodiscard]] domain::PricingRule Build() const { return rule_; }
  operator domain::PricingRule() const { return rule_; }  // NOLINT(google-explicit-constructor)

 private:
  domain::PricingRule rule_;
};

inline RuleBuilder Rule(std::int64_t id) { return RuleBuilder(id); }

/// A snapshot holding only pricing rules and settings.
inline Snapshot PricingSnapshot(std::vector<domain::PricingRule> rules,
                                domain::CombinationStrategy strategy,
                                std::int64_t max_discount_hundredths = 10000,
                                const date::time_zone* zone = nullptr) {
  SnapshotData data;
  data.pricing_rules = std::move(rules);
  data.pricing_settings.combination_strategy = strategy;
  data.pricing_settings.max_discount_percent = domain::Fixed2{max_discount_hundredths};
  data.zone = zone;
  return Snapshot::Build(std::move(data));
}

inline PricingLine Line(std::int64_t coffee, int quantity, std::int64_t unit_cents) {
  return {domain::CoffeeId{coffee}, quantity, domain::Money::FromCents(unit_cents)};
}

inline std::int64_t Cents(domain::Money m) { return m.cents(); }

}  // namespace coffee::rules::testing
