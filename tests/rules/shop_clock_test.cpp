#include "rules/shop_clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/pricing.hpp"
#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using testing::At;
using testing::Hm;
using testing::Line;
using testing::Rule;
using testing::Zone;

struct ShopTimeCase {
  std::string zone;
  std::string instant;
  std::string local_time;
  int iso_weekday;
};

class ShopTimeTable : public ::testing::TestWithParam<ShopTimeCase> {};

TEST_P(ShopTimeTable, ReadsWallClockInTheShopZone) {
  const auto& c = GetParam();
  const auto* zone = Zone(c.zone);
  ASSERT_NE(zone, nullptr) << c.zone;
  const ShopTime t = ToShopTime(At(c.instant), zone);
  EXPECT_EQ(t.time, Hm(c.local_time)) << c.instant << " in " << c.zone;
  EXPECT_EQ(t.iso_weekday, c.iso_weekday) << c.instant << " in " << c.zone;
}

INSTANTIATE_TEST_SUITE_P(
    DstAndWeekdays, ShopTimeTable,
    ::testing::Values(
        ShopTimeCase{"UTC", "2026-03-02T14:30:59Z", "14:30", 1},
        ShopTimeCase{"UTC", "2026-03-08T23:59:00Z", "23:59", 7},
        // Europe/Paris springs forward at 01:00Z on 2026-03-29 (02:00 CET → 03:00 CEST).
        ShopTimeCase{"Europe/Paris", "2026-03-29T00:59:00Z", "01:59", 7},
        ShopTimeCase{"Europe/Paris", "2026-03-29T01:00:00Z", "03:00", 7},
        ShopTimeCase{"Europe/Paris", "2026-03-28T13:30:00Z", "14:30", 6},
        ShopTimeCase{"Europe/Paris", "2026-03-29T12:30:00Z", "14:30", 7},
        // …and falls back at 01:00Z on 2026-10-25.
        ShopTimeCase{"Europe/Paris", "2026-10-25T00:30:00Z", "02:30", 7},
        ShopTimeCase{"Europe/Paris", "2026-10-25T01:30:00Z", "02:30", 7},
        // America/New_York springs forward at 07:00Z on 2026-03-08.
        ShopTimeCase{"America/New_York", "2026-03-08T06:59:00Z", "01:59", 7},
        ShopTimeCase{"America/New_York", "2026-03-08T07:00:00Z", "03:00", 7},
        ShopTimeCase{"America/New_York", "2026-03-03T04:30:00Z", "23:30", 1}));

TEST(ShopClock, NullZoneMeansUtc) {
  const ShopTime t = ToShopTime(At("2026-03-03T01:00:00Z"), nullptr);
  EXPECT_EQ(t.time, Hm("01:00"));
  EXPECT_EQ(t.iso_weekday, 2);
}

TEST(ShopClock, UnknownZoneIsNull) {
  EXPECT_EQ(FindTimeZone("Mars/Olympus_Mons"), nullptr);
  EXPECT_NE(FindTimeZone("Europe/Paris"), nullptr);
}

struct DstWindowCase {
  std::string zone;
  std::string instant;
  bool applies;
};

class HappyHourAcrossDst : public ::testing::TestWithParam<DstWindowCase> {};

// A 14:00–16:00 local window must follow the wall clock on both sides of a DST change.
TEST_P(HappyHourAcrossDst, WindowFollowsLocalWallClock) {
  const auto& c = GetParam();
  const Snapshot snapshot =
      testing::PricingSnapshot({Rule(1).Percent(1500).Window("14:00", "16:00")},
                               domain::CombinationStrategy::kBestPrice, 10000, Zone(c.zone));
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  const auto d = PriceOrder(snapshot, lines, At(c.instant));
  EXPECT_EQ(d.applied.size() == 1, c.applies) << c.instant << " in " << c.zone;
  EXPECT_EQ(d.discount_total.cents(), c.applies ? 150 : 0);
}

INSTANTIATE_TEST_SUITE_P(ParisAndNewYork, HappyHourAcrossDst,
                         ::testing::Values(
                             // Day before the change: UTC+1, so 14:00 local = 13:00Z.
                             DstWindowCase{"Europe/Paris", "2026-03-28T12:30:00Z", false},
                             DstWindowCase{"Europe/Paris", "2026-03-28T13:30:00Z", true},
                             DstWindowCase{"Europe/Paris", "2026-03-28T14:59:00Z", true},
                             DstWindowCase{"Europe/Paris", "2026-03-28T15:00:00Z", false},
                             // Change day: UTC+2, so 14:00 local = 12:00Z.
                             DstWindowCase{"Europe/Paris", "2026-03-29T11:59:00Z", false},
                             DstWindowCase{"Europe/Paris", "2026-03-29T12:30:00Z", true},
                             DstWindowCase{"Europe/Paris", "2026-03-29T13:59:00Z", true},
                             DstWindowCase{"Europe/Paris", "2026-03-29T14:30:00Z", false},
                             // New York: UTC−5 before 2026-03-08, UTC−4 from then.
                             DstWindowCase{"America/New_York", "2026-03-07T18:30:00Z", false},
                             DstWindowCase{"America/New_York", "2026-03-07T19:30:00Z", true},
                             DstWindowCase{"America/New_York", "2026-03-07T20:30:00Z", true},
                             DstWindowCase{"America/New_York", "2026-03-08T18:30:00Z", true},
                             DstWindowCase{"America/New_York", "2026-03-08T19:59:00Z", true},
                             DstWindowCase{"America/New_York", "2026-03-08T20:30:00Z", false},
                             // Fall back on 2026-11-01: UTC−4 → UTC−5.
                             DstWindowCase{"America/New_York", "2026-10-31T18:30:00Z", true},
                             DstWindowCase{"America/New_York", "2026-11-01T18:30:00Z", false},
                             DstWindowCase{"America/New_York", "2026-11-01T19:30:00Z", true}));

TEST(ShopClock, DaysOfWeekAreReadInTheShopZone) {
  // 2026-03-03T03:00Z is Monday 22:00 in New York; a Monday-only evening window applies.
  const Snapshot snapshot = testing::PricingSnapshot(
      {Rule(1).Percent(1000).Window("21:00", "23:00").Days({1})},
      domain::CombinationStrategy::kBestPrice, 10000, Zone("America/New_York"));
  const std::vector<PricingLine> lines = {Line(1, 1, 1000)};
  EXPECT_EQ(PriceOrder(snapshot, lines, At("2026-03-03T03:00:00Z")).applied.size(), 1U);
  const auto later = PriceOrder(snapshot, lines, At("2026-03-04T03:00:00Z"));
  ASSERT_EQ(later.not_applied.size(), 1U);
  EXPECT_EQ(later.not_applied[0].code(), "wrong_day");
}

}  // namespace
}  // namespace coffee::rules
