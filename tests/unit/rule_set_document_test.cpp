#include "app/rule_set_document.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace coffee::app {
namespace {

namespace json = boost::json;

domain::Instant At(std::int64_t micros) {
  return domain::Instant{std::chrono::microseconds{micros}};
}

RulesData Sample() {
  RulesData data;
  domain::Availability a;
  a.coffee_id = domain::CoffeeId{3};
  a.status = domain::AvailabilityStatus::kSeasonal;
  a.reason = "Summer only";
  a.available_from = domain::TimeOfDay{7 * 60};
  a.available_until = domain::TimeOfDay{11 * 60 + 30};
  a.updated_at = At(1'767'225'600'123'456);
  data.availability.push_back(a);
  domain::PricingRule r;
  r.id = domain::RuleId{12};
  r.rule_type = domain::RuleType::kTimeBased;
  r.description = "Happy hour";
  r.discount_type = domain::DiscountType::kPercentage;
  r.discount_value = domain::Fixed2{1255};  // 12.55 %
  r.priority = 90;
  r.is_active = false;
  r.valid_from = At(1'767'225'600'000'001);
  r.valid_until = At(1'798'761'600'000'000);
  r.coffee_ids = std::vector<domain::CoffeeId>{domain::CoffeeId{1}, domain::CoffeeId{4}};
  r.time_ranges = {{domain::TimeOfDay{23 * 60}, domain::TimeOfDay{60}}};
  r.days_of_week = {5, 6};
  r.promo_code = "Summer-25";
  r.max_uses = 100;
  r.max_uses_per_customer = 2;
  r.created_at = At(1'767'225'600'000'002);
  r.updated_at = At(1'767'225'600'000'003);
  data.pricing_rules.push_back(r);
  domain::PricingRule q;
  q.id = domain::RuleId{13};
  q.rule_type = domain::RuleType::kQuantityBased;
  q.discount_type = domain::DiscountType::kFixedAmount;
  q.discount_value = domain::Fixed2{250};
  q.min_quantity = 3;
  q.valid_from = At(5);
  data.pricing_rules.push_back(q);
  data.pricing_settings.combination_strategy = domain::CombinationStrategy::kMultiplicative;
  data.pricing_settings.max_discount_percent = domain::Fixed2{3750};
  data.prep_time_settings.baristas = 3;
  data.prep_times.push_back({domain::CoffeeId{2}, 6, 2, At(9)});
  data.loyalty.points_per_dollar = domain::Fixed4{12500};
  data.loyalty.bonus_multipliers[domain::CoffeeId{5}] = domain::Fixed4{15000};
  return data;
}

TEST(RuleSetDocument, EveryFieldRoundTripsExactly) {
  const RulesData data = Sample();
  const std::string text = json::serialize(RuleSetJson(data));
  const auto back = ParseRuleSet(text);
  ASSERT_TRUE(back.has_value()) << text;
  // Written again, the parsed data gives the same document byte for byte.
  EXPECT_EQ(json::serialize(RuleSetJson(*back)), text);
  ASSERT_EQ(back->pricing_rules.size(), 2U);
  const auto& r = back->pricing_rules[0];
  EXPECT_EQ(r.discount_value.units, 1255);
  EXPECT_EQ(r.valid_from, At(1'767'225'600'000'001));
  EXPECT_FALSE(r.is_active);
  ASSERT_TRUE(r.coffee_ids.has_value());
  EXPECT_EQ(r.coffee_ids->size(), 2U);
  EXPECT_EQ(r.time_ranges[0].start.minutes, 23 * 60);
  EXPECT_FALSE(back->pricing_rules[1].coffee_ids.has_value());
  EXPECT_EQ(back->pricing_rules[1].min_quantity, 3);
  EXPECT_EQ(r.promo_code, "Summer-25");
  EXPECT_EQ(r.max_uses, 100);
  EXPECT_EQ(r.max_uses_per_customer, 2);
  EXPECT_FALSE(back->pricing_rules[1].promo_code.has_value());
  EXPECT_FALSE(back->pricing_rules[1].max_uses.has_value());
  EXPECT_FALSE(back->pricing_rules[1].max_uses_per_customer.has_value());
  EXPECT_EQ(back->pricing_settings.max_discount_percent.units, 3750);
  EXPECT_EQ(back->loyalty.points_per_dollar.units, 12500);
  EXPECT_EQ(back->loyalty.bonus_multipliers.at(domain::CoffeeId{5}).units, 15000);
  EXPECT_EQ(back->availability[0].reason, "Summer only");
  EXPECT_EQ(back->prep_times[0].base_minutes, 6);
  EXPECT_EQ(back->prep_time_settings.baristas, 3);
}

TEST(RuleSetDocument, MalformedDocumentsAreRefused) {
  EXPECT_FALSE(ParseRuleSet("not json").has_value());
  EXPECT_FALSE(ParseRuleSet("[]").has_value());
  EXPECT_FALSE(ParseRuleSet(R"({"availability":[]})").has_value());
  auto doc = RuleSetJson(Sample());
  doc["pricing_rules"].as_array()[0].as_object()["discount_value"] = 12.555;
  EXPECT_FALSE(ParseRuleSet(json::serialize(doc)).has_value());
}

TEST(RuleSetDocument, DiffNamesEachChangedEntityAndIgnoresTimestamps) {
  const RulesData before = Sample();
  RulesData after = before;
  for (auto& r : after.pricing_rules) r.updated_at = At(99);  // timestamps alone: no change
  EXPECT_TRUE(DiffRuleSets(RuleSetJson(before), RuleSetJson(after)).empty());

  after.pricing_rules[1].discount_value = domain::Fixed2{300};
  after.availability.clear();
  after.prep_times.push_back({domain::CoffeeId{7}, 4, 1, {}});
  after.loyalty.points_per_dollar = domain::Fixed4{10000};
  const auto diff = DiffRuleSets(RuleSetJson(before), RuleSetJson(after));
  ASSERT_EQ(diff.size(), 4U);
  EXPECT_EQ(diff[0].entity, "loyalty_config");
  EXPECT_EQ(diff[0].action, "changed");
  EXPECT_EQ(diff[1].entity, "availability");
  EXPECT_EQ(diff[1].entity_id, "3");
  EXPECT_EQ(diff[1].action, "removed");
  EXPECT_TRUE(diff[1].after.is_null());
  EXPECT_EQ(diff[2].entity, "pricing_rule");
  EXPECT_EQ(diff[2].entity_id, "13");
  EXPECT_EQ(diff[2].before.as_object().at("discount_value"), 2.5);
  EXPECT_EQ(diff[2].after.as_object().at("discount_value"), 3);
  EXPECT_FALSE(diff[2].after.as_object().contains("updated_at"));
  EXPECT_EQ(diff[3].entity, "prep_time");
  EXPECT_EQ(diff[3].entity_id, "7");
  EXPECT_EQ(diff[3].action, "added");
}

TEST(RuleSetDocument, PromoCodeAndLimitsAreDiffed) {
  const RulesData before = Sample();
  RulesData after = before;
  after.pricing_rules[0].max_uses = 50;
  after.pricing_rules[1].promo_code = "BULK";
  const auto diff = DiffRuleSets(RuleSetJson(before), RuleSetJson(after));
  ASSERT_EQ(diff.size(), 2U);
  EXPECT_EQ(diff[0].entity_id, "12");
  EXPECT_EQ(diff[0].before.as_object().at("max_uses"), 100);
  EXPECT_EQ(diff[0].after.as_object().at("max_uses"), 50);
  EXPECT_EQ(diff[1].entity_id, "13");
  EXPECT_EQ(diff[1].before.as_object().at("promo_code"), nullptr);
  EXPECT_EQ(diff[1].after.as_object().at("promo_code"), "BULK");
}

TEST(RuleSetDocument, DocumentsStoredBeforeUsageLimitsReadAsWithoutThem) {
  RulesData data = Sample();
  data.pricing_rules[0].promo_code.reset();
  data.pricing_rules[0].max_uses.reset();
  data.pricing_rules[0].max_uses_per_customer.reset();
  const auto current = RuleSetJson(data);
  auto old = current;
  for (auto& rule : old["pricing_rules"].as_array()) {
    for (const char* field : {"promo_code", "max_uses", "max_uses_per_customer"}) {
      rule.as_object().erase(field);
    }
  }
  const auto parsed = ParseRuleSet(json::serialize(old));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->pricing_rules[0].promo_code.has_value());
  EXPECT_FALSE(parsed->pricing_rules[0].max_uses.has_value());
  EXPECT_TRUE(DiffRuleSets(old, current).empty());
  EXPECT_TRUE(SameRuleSet(current, old));

  data.pricing_rules[0].max_uses = 5;
  const auto diff = DiffRuleSets(old, RuleSetJson(data));
  ASSERT_EQ(diff.size(), 1U);
  EXPECT_EQ(diff[0].before.as_object().at("max_uses"), nullptr);
  EXPECT_EQ(diff[0].after.as_object().at("max_uses"), 5);
}

}  // namespace
}  // namespace coffee::app
