// Conflict and dead-rule warnings (issue 14): table-driven, one case per warning and its
// nearest non-warning neighbour.

#include "rules/warnings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using testing::At;
using testing::Hm;
using testing::Rule;

std::vector<std::string> Codes(const std::vector<RuleWarning>& warnings) {
  std::vector<std::string> codes;
  for (const auto& w : warnings) codes.emplace_back(ToString(w.code));
  return codes;
}

struct Fixture {
  std::vector<domain::PricingRule> others;
  std::vector<domain::Availability> availability;
  domain::PricingSettings settings;

  std::vector<RuleWarning> Check(const domain::PricingRule& rule,
                                 std::string_view now = "2026-03-02T12:00:00Z") const {
    return RuleWarnings(rule, WarningContext{others, availability, settings, At(now), nullptr});
  }
};

domain::Availability Window(std::int64_t coffee, std::string_view from, std::string_view until) {
  domain::Availability a;
  a.coffee_id = domain::CoffeeId{coffee};
  a.status = domain::AvailabilityStatus::kSeasonal;
  a.available_from = Hm(from);
  a.available_until = Hm(until);
  return a;
}

TEST(RuleWarnings, AnOrdinaryRuleHasNone) {
  const Fixture f;
  EXPECT_TRUE(f.Check(Rule(1).Window("14:00", "16:00").Days({1, 2})).empty());
  EXPECT_TRUE(f.Check(Rule(2).MinQuantity(4950)).empty());  // exactly reachable
}

TEST(RuleWarnings, ExpiredRule) {
  const Fixture f;
  const auto rule = Rule(1).ValidUntil("2026-03-01T00:00:00Z").Build();
  EXPECT_EQ(Codes(f.Check(rule)), std::vector<std::string>{"expired"});
  EXPECT_TRUE(f.Check(rule, "2026-02-28T23:59:59Z").empty());
  EXPECT_TRUE(f.Check(Rule(1).ValidUntil("2026-03-01T00:00:00Z").Inactive()).empty());
}

TEST(RuleWarnings, QuantityAboveWhatAnOrderCanHold) {
  const Fixture f;
  const auto w = f.Check(Rule(1).MinQuantity(4951));
  ASSERT_EQ(Codes(w), std::vector<std::string>{"quantity_unreachable"});
  EXPECT_NE(w[0].message.find("4950"), std::string::npos) << w[0].message;
  // One coffee: at most 99 of it; two coffees: 198.
  EXPECT_EQ(Codes(f.Check(Rule(2).MinQuantity(100).Coffees({1}))),
            std::vector<std::string>{"quantity_unreachable"});
  EXPECT_TRUE(f.Check(Rule(2).MinQuantity(99).Coffees({1})).empty());
  EXPECT_TRUE(f.Check(Rule(2).MinQuantity(198).Coffees({1, 2})).empty());
  EXPECT_EQ(Codes(f.Check(Rule(2).MinQuantity(199).Coffees({1, 2}))),
            std::vector<std::string>{"quantity_unreachable"});
}

TEST(RuleWarnings, DaysThatNeverFallInTheValidityPeriod) {
  const Fixture f;
  // 2026-03-02 is a Monday; valid Monday to Wednesday, but only on weekends.
  const auto weekend = Rule(1)
                           .Window("10:00", "12:00")
                           .Days({6, 7})
                           .ValidFrom("2026-03-02T00:00:00Z")
                           .ValidUntil("2026-03-04T23:00:00Z")
                           .Build();
  EXPECT_EQ(Codes(f.Check(weekend, "2026-03-01T00:00:00Z")),
            std::vector<std::string>{"days_never_meet_window"});
  // Wednesday is day 3: it meets.
  const auto midweek = Rule(1)
                           .Window("10:00", "12:00")
                           .Days({3})
                           .ValidFrom("2026-03-02T00:00:00Z")
                           .ValidUntil("2026-03-04T23:00:00Z")
                           .Build();
  EXPECT_TRUE(f.Check(midweek, "2026-03-01T00:00:00Z").empty());
  // A week or more always meets every day.
  const auto long_one = Rule(1)
                            .Window("10:00", "12:00")
                            .Days({6})
                            .ValidFrom("2026-03-02T00:00:00Z")
                            .ValidUntil("2026-03-09T00:00:00Z")
                            .Build();
  EXPECT_TRUE(f.Check(long_one, "2026-03-01T00:00:00Z").empty());
  // Sunday's 23:00-02:00 window runs into Monday: valid only Monday 00:00-01:00, it meets.
  const auto overnight = Rule(1)
                             .Window("23:00", "02:00")
                             .Days({7})
                             .ValidFrom("2026-03-02T00:00:00Z")
                             .ValidUntil("2026-03-02T01:00:00Z")
                             .Build();
  EXPECT_TRUE(f.Check(overnight, "2026-03-01T00:00:00Z").empty());
  // Monday is a listed day, but the validity (Monday 13:00-13:59) misses its window.
  const auto wrong_hours = Rule(1)
                               .Window("10:00", "12:00")
                               .Days({1})
                               .ValidFrom("2026-03-02T13:00:00Z")
                               .ValidUntil("2026-03-02T13:59:00Z")
                               .Build();
  EXPECT_EQ(Codes(f.Check(wrong_hours, "2026-03-01T00:00:00Z")),
            std::vector<std::string>{"days_never_meet_window"});
  // Read in the shop's zone: 2026-03-02T23:30Z is Tuesday 00:30 in Paris.
  const auto tuesday_paris = Rule(1)
                                 .Window("00:00", "01:00")
                                 .Days({2})
                                 .ValidFrom("2026-03-02T23:30:00Z")
                                 .ValidUntil("2026-03-02T23:45:00Z")
                                 .Build();
  EXPECT_EQ(Codes(f.Check(tuesday_paris, "2026-03-01T00:00:00Z")),
            std::vector<std::string>{"days_never_meet_window"});
  EXPECT_TRUE(
      RuleWarnings(
          tuesday_paris,
          WarningContext{{}, {}, {}, At("2026-03-01T00:00:00Z"), testing::Zone("Europe/Paris")})
          .empty());
}

TEST(RuleWarnings, TimeWindowOutsideTheCoffeesAvailability) {
  Fixture f;
  f.availability = {Window(1, "06:00", "11:00"), Window(2, "22:00", "02:00")};
  // 14:00–16:00 meets neither coffee; the warning names each one the rule targets.
  const auto w = f.Check(Rule(1).Window("14:00", "16:00").Coffees({1, 2, 3}));
  ASSERT_EQ(Codes(w), (std::vector<std::string>{"outside_availability", "outside_availability"}));
  EXPECT_EQ(w[0].coffee_id, domain::CoffeeId{1});
  EXPECT_EQ(w[1].coffee_id, domain::CoffeeId{2});
  // Only coffee 2 targeted; 01:00–03:00 meets its window across midnight.
  EXPECT_TRUE(f.Check(Rule(1).Window("01:00", "03:00").Coffees({2})).empty());
  // 10:59 is the last minute both share with coffee 1's window.
  EXPECT_TRUE(f.Check(Rule(1).Window("10:59", "12:00").Coffees({1})).empty());
  EXPECT_EQ(Codes(f.Check(Rule(1).Window("11:00", "12:00").Coffees({1}))),
            std::vector<std::string>{"outside_availability"});
  // A rule on every coffee is meant for whichever is available: no warning.
  EXPECT_TRUE(f.Check(Rule(1).Window("14:00", "16:00")).empty());
}

TEST(RuleWarnings, TwoRulesThatAlwaysStackToTheCap) {
  Fixture f;
  f.settings.combination_strategy = domain::CombinationStrategy::kAdditive;
  f.settings.max_discount_percent = domain::Fixed2{3000};
  f.others = {Rule(2).Percent(1500), Rule(3).Percent(1000).Window("08:00", "09:00"),
              Rule(4).Percent(2000).Coffees({1})};
  const auto w = f.Check(Rule(1).Percent(1500));
  ASSERT_EQ(Codes(w), std::vector<std::string>{"stacks_to_cap"});
  EXPECT_EQ(w[0].other_rule_id, domain::RuleId{2});  // not 3 (a window) nor 4 (other coffees)
  EXPECT_TRUE(f.Check(Rule(1).Percent(1499)).empty());
  // Multiplicative: 15 % then 15 % is 27.75 %, under a 30 % cap.
  f.settings.combination_strategy = domain::CombinationStrategy::kMultiplicative;
  EXPECT_TRUE(f.Check(Rule(1).Percent(1500)).empty());
  f.settings.max_discount_percent = domain::Fixed2{2775};
  EXPECT_EQ(Codes(f.Check(Rule(1).Percent(1500))), std::vector<std::string>{"stacks_to_cap"});
  // A code, a usage limit, an expired partner or one valid at other dates never always stacks.
  EXPECT_TRUE(f.Check(Rule(1).Percent(1500).PromoCode("X")).empty());
  EXPECT_TRUE(f.Check(Rule(1).Percent(1500).MaxUses(5)).empty());
  f.others = {Rule(2).Percent(1500).ValidUntil("2026-03-01T00:00:00Z")};
  EXPECT_TRUE(f.Check(Rule(1).Percent(1500)).empty());
  f.others = {Rule(2).Percent(1500).ValidFrom("2026-04-01T00:00:00Z")};
  EXPECT_TRUE(f.Check(Rule(1).Percent(1500).ValidUntil("2026-03-31T00:00:00Z")).empty());
  EXPECT_EQ(Codes(f.Check(Rule(1).Percent(1500))), std::vector<std::string>{"stacks_to_cap"});
}

TEST(RuleWarnings, SnapshotWarningsCoverTheRulesOfTheOrdersCoffees) {
  SnapshotData data;
  data.pricing_rules = {Rule(1).MinQuantity(100).Coffees({1}),
                        Rule(2).MinQuantity(100).Coffees({2}), Rule(3).MinQuantity(5000),
                        Rule(4).MinQuantity(5000).Inactive()};
  const Snapshot snapshot = Snapshot::Build(std::move(data));
  const std::vector<domain::CoffeeId> espresso = {domain::CoffeeId{1}};
  std::vector<std::int64_t> rules;
  for (const auto& w : SnapshotWarnings(snapshot, espresso, At("2026-03-02T12:00:00Z"))) {
    rules.push_back(w.rule_id.value);
  }
  EXPECT_EQ(rules, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(SnapshotWarnings(snapshot, {}, At("2026-03-02T12:00:00Z")).size(), 3U);
}

}  // namespace
}  // namespace coffee::rules
