#include "domain/money.hpp"

#include <gtest/gtest.h>

#include "domain/time.hpp"

namespace coffee::domain {
namespace {

TEST(Money, ParsesDecimalStrings) {
  EXPECT_EQ(Money::Parse("4.50")->cents(), 450);
  EXPECT_EQ(Money::Parse("4.5")->cents(), 450);
  EXPECT_EQ(Money::Parse("4")->cents(), 400);
  EXPECT_EQ(Money::Parse("0.01")->cents(), 1);
  EXPECT_EQ(Money::Parse("-1.25")->cents(), -125);
  EXPECT_EQ(Money::Parse(".5")->cents(), 50);
}

TEST(Money, RejectsMoreThanTwoDecimalsAndJunk) {
  for (const char* bad :
       {"4.501", "4.500", "", "abc", "4.", "1e2", "4,50", " 4.50", "4.50 ", "--1", "+", "."}) {
    EXPECT_FALSE(Money::Parse(bad).has_value()) << bad;
  }
}

TEST(Money, AcceptsDoublesOnlyWithTwoDecimals) {
  EXPECT_EQ(Money::FromDouble(4.5)->cents(), 450);
  EXPECT_EQ(Money::FromDouble(0.29)->cents(), 29);
  EXPECT_EQ(Money::FromDouble(19.99)->cents(), 1999);
  EXPECT_FALSE(Money::FromDouble(4.501).has_value());
  EXPECT_FALSE(Money::FromDouble(1.0 / 3.0).has_value());
  EXPECT_FALSE(Money::FromDouble(std::numeric_limits<double>::infinity()).has_value());
}

TEST(Money, FormatsWithExactlyTwoDecimals) {
  EXPECT_EQ(Money::FromCents(788).ToString(), "7.88");
  EXPECT_EQ(Money::FromCents(5).ToString(), "0.05");
  EXPECT_EQ(Money::FromCents(-5).ToString(), "-0.05");
  EXPECT_EQ(Money::FromCents(100000).ToString(), "1000.00");
  EXPECT_EQ(Money::FromCents(0).ToString(), "0.00");
}

TEST(Money, RoundsHalfAwayFromZero) {
  EXPECT_EQ(DivRoundHalfAwayFromZero(15750, 10000), 2);    // 1.575 → 2
  EXPECT_EQ(DivRoundHalfAwayFromZero(15, 10), 2);          // 1.5 → 2
  EXPECT_EQ(DivRoundHalfAwayFromZero(14, 10), 1);          // 1.4 → 1
  EXPECT_EQ(DivRoundHalfAwayFromZero(-15, 10), -2);        // -1.5 → -2
  EXPECT_EQ(DivRoundHalfAwayFromZero(157500, 1000), 158);  // SPEC §5.2 happy hour: 1.575 → 1.58
}

TEST(Fixed, ParsesFourDecimals) {
  EXPECT_EQ(Fixed4::Parse("1.5")->units, 15000);
  EXPECT_EQ(Fixed4::Parse("0.0001")->units, 1);
  EXPECT_FALSE(Fixed4::Parse("0.00001").has_value());
  EXPECT_EQ(Fixed4{15000}.ToString(), "1.5000");
}

TEST(Timestamp, RoundTripsWithMicroseconds) {
  auto t = ParseTimestamp("2026-02-28T10:30:00.123456Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTimestamp(*t), "2026-02-28T10:30:00.123456Z");
}

TEST(Timestamp, AcceptsOffsetsAndPostgresOutput) {
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2026-02-28T12:30:00+02:00")),
            "2026-02-28T10:30:00.000000Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2026-02-28 10:30:00.5+00")),
            "2026-02-28T10:30:00.500000Z");
  EXPECT_FALSE(ParseTimestamp("2026-02-30T10:30:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-02-28T10:30:00"));
  EXPECT_FALSE(ParseTimestamp("yesterday"));
}

TEST(TimeOfDay, ParsesOnlyValidHoursAndMinutes) {
  EXPECT_EQ(TimeOfDay::Parse("00:00")->minutes, 0);
  EXPECT_EQ(TimeOfDay::Parse("23:59")->minutes, 1439);
  EXPECT_EQ(TimeOfDay::Parse("14:05")->ToString(), "14:05");
  for (const char* bad : {"24:00", "12:60", "9:00", "12-00", "", "12:0a"}) {
    EXPECT_FALSE(TimeOfDay::Parse(bad)) << bad;
  }
}

TEST(TimeOfDay, WindowCrossingMidnightContainsLateAndEarlyTimes) {
  const TimeOfDay from{22 * 60};
  const TimeOfDay until{2 * 60};
  EXPECT_TRUE(InDailyWindow(TimeOfDay{23 * 60}, from, until));
  EXPECT_TRUE(InDailyWindow(TimeOfDay{60}, from, until));
  EXPECT_FALSE(InDailyWindow(TimeOfDay{2 * 60}, from, until));  // end is exclusive
  EXPECT_TRUE(InDailyWindow(TimeOfDay{22 * 60}, from, until));  // start is inclusive
  EXPECT_FALSE(InDailyWindow(TimeOfDay{12 * 60}, from, until));
}

}  // namespace
}  // namespace coffee::domain
