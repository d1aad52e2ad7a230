#include "app/analytics_range.hpp"

#include <gtest/gtest.h>

#include <array>

#include "app/analytics_service.hpp"
#include "rules/shop_clock.hpp"

namespace coffee::app {
namespace {

domain::Instant T(const char* text) { return domain::ParseTimestamp(text).value(); }

std::int64_t Epoch(const char* text) {
  return std::chrono::duration_cast<std::chrono::seconds>(T(text).time_since_epoch()).count();
}

constexpr std::array<RollupLevel, 5> kAll{RollupLevel::kQuarterHour, RollupLevel::kHour,
                                          RollupLevel::kDay, RollupLevel::kBlock,
                                          RollupLevel::kLongBlock};

/// The slices as text: "raw a..b" or "L first..last" with buckets as instants.
std::vector<std::string> Describe(const std::vector<Slice>& slices) {
  std::vector<std::string> out;
  for (const auto& s : slices) {
    if (!s.level) {
      out.push_back("raw " + domain::FormatTimestamp(s.from) + ".." +
                    domain::FormatTimestamp(s.to));
      continue;
    }
    const auto size = RollupSeconds(*s.level);
    const auto at = [&](std::int64_t b) {
      return domain::FormatTimestamp(domain::Instant{std::chrono::seconds{b * size}});
    };
    out.push_back(std::to_string(static_cast<int>(*s.level)) + " " + at(s.first) + ".." +
                  at(s.last));
  }
  return out;
}

TEST(AnalyticsRange, DecomposeUsesRawRowsOnlyForPartialQuarterHours) {
  const auto slices =
      Decompose(T("2026-03-10T08:07:00Z"), T("2026-03-12T10:40:10Z"), std::span(kAll));
  EXPECT_EQ(Describe(slices), (std::vector<std::string>{
                                  "raw 2026-03-10T08:07:00.000000Z..2026-03-10T08:15:00.000000Z",
                                  "0 2026-03-10T08:15:00.000000Z..2026-03-10T09:00:00.000000Z",
                                  "1 2026-03-10T09:00:00.000000Z..2026-03-11T00:00:00.000000Z",
                                  "2 2026-03-11T00:00:00.000000Z..2026-03-12T00:00:00.000000Z",
                                  "1 2026-03-12T00:00:00.000000Z..2026-03-12T10:00:00.000000Z",
                                  "0 2026-03-12T10:00:00.000000Z..2026-03-12T10:30:00.000000Z",
                                  "raw 2026-03-12T10:30:00.000000Z..2026-03-12T10:40:10.000000Z"}));
}

TEST(AnalyticsRange, DecomposeOfAYearUsesLongBlocksInTheMiddle) {
  const auto slices =
      Decompose(T("2025-03-01T00:00:00Z"), T("2026-03-01T00:00:00Z"), std::span(kAll));
  // Days 20148 … 20512 (2025-03-01 … 2026-02-28): days up to 20160 (a 16- and 64-day
  // boundary), 64-day blocks up to 20480, 16-day blocks up to 20512, then one day.
  EXPECT_EQ(Describe(slices), (std::vector<std::string>{
                                  "2 2025-03-01T00:00:00.000000Z..2025-03-13T00:00:00.000000Z",
                                  "4 2025-03-13T00:00:00.000000Z..2026-01-27T00:00:00.000000Z",
                                  "3 2026-01-27T00:00:00.000000Z..2026-02-28T00:00:00.000000Z",
                                  "2 2026-02-28T00:00:00.000000Z..2026-03-01T00:00:00.000000Z"}));
}

TEST(AnalyticsRange, DecomposeInsideOneQuarterHourIsOneRawSlice) {
  const auto slices =
      Decompose(T("2026-03-10T08:01:00Z"), T("2026-03-10T08:14:59Z"), std::span(kAll));
  ASSERT_EQ(slices.size(), 1U);
  EXPECT_FALSE(slices[0].level.has_value());
  EXPECT_TRUE(
      Decompose(T("2026-03-10T08:01:00Z"), T("2026-03-10T08:01:00Z"), std::span(kAll)).empty());
}

TEST(AnalyticsRange, DecomposeWithoutTheHourLevelGoesFromQuartersToDays) {
  constexpr std::array<RollupLevel, 3> levels{RollupLevel::kQuarterHour, RollupLevel::kDay,
                                              RollupLevel::kBlock};
  const auto slices =
      Decompose(T("2026-03-10T23:00:00Z"), T("2026-03-12T01:00:00Z"), std::span(levels));
  EXPECT_EQ(Describe(slices), (std::vector<std::string>{
                                  "0 2026-03-10T23:00:00.000000Z..2026-03-11T00:00:00.000000Z",
                                  "2 2026-03-11T00:00:00.000000Z..2026-03-12T00:00:00.000000Z",
                                  "0 2026-03-12T00:00:00.000000Z..2026-03-12T01:00:00.000000Z"}));
}

TEST(AnalyticsRange, OffsetSpansSplitAtDaylightSavingChanges) {
  const auto* paris = rules::FindTimeZone("Europe/Paris");
  ASSERT_NE(paris, nullptr);
  const auto spans = OffsetSpans(T("2026-03-28T00:00:00Z"), T("2026-10-26T00:00:00Z"), paris);
  ASSERT_EQ(spans.size(), 3U);
  EXPECT_EQ(spans[0].offset_seconds, 3600);
  EXPECT_EQ(spans[0].to, T("2026-03-29T01:00:00Z"));
  EXPECT_EQ(spans[1].offset_seconds, 7200);
  EXPECT_EQ(spans[1].to, T("2026-10-25T01:00:00Z"));
  EXPECT_EQ(spans[2].offset_seconds, 3600);
  EXPECT_EQ(OffsetSpans(T("2026-03-28T00:00:00Z"), T("2026-10-26T00:00:00Z"), nullptr).size(), 1U);
}

TEST(AnalyticsRange, GroupableLevelsDependOnTheOffset) {
  EXPECT_EQ(
      GroupableLevels(0, 86400),
      (std::vector<RollupLevel>{RollupLevel::kQuarterHour, RollupLevel::kHour, RollupLevel::kDay}));
  EXPECT_EQ(GroupableLevels(7200, 86400),
            (std::vector<RollupLevel>{RollupLevel::kQuarterHour, RollupLevel::kHour}));
  EXPECT_EQ(GroupableLevels(0, 3600),
            (std::vector<RollupLevel>{RollupLevel::kQuarterHour, RollupLevel::kHour}));
  // Kathmandu, +05:45: only quarter hours never straddle a local hour.
  EXPECT_EQ(GroupableLevels(5 * 3600 + 45 * 60, 3600),
            (std::vector<RollupLevel>{RollupLevel::kQuarterHour}));
}

TEST(AnalyticsRange, PeriodsAreLocalDaysIsoWeeksAndMonths) {
  const std::int64_t day = Epoch("2026-03-28T00:00:00Z") / 86400;
  EXPECT_EQ(PeriodOf(day, Period::kDaily).label, "2026-03-28");
  const auto week = PeriodOf(day, Period::kWeekly);
  EXPECT_EQ(week.label, "2026-W13");
  EXPECT_EQ(week.start_date, "2026-03-23");
  EXPECT_EQ(week.end_day - week.first_day, 7);
  // 2027-01-01 is a Friday: it belongs to 2026-W53.
  EXPECT_EQ(PeriodOf(Epoch("2027-01-01T00:00:00Z") / 86400, Period::kWeekly).label, "2026-W53");
  // 2024-12-30 is a Monday: 2025-W01.
  EXPECT_EQ(PeriodOf(Epoch("2024-12-30T00:00:00Z") / 86400, Period::kWeekly).label, "2025-W01");
  const auto month = PeriodOf(Epoch("2024-02-10T00:00:00Z") / 86400, Period::kMonthly);
  EXPECT_EQ(month.label, "2024-02");
  EXPECT_EQ(month.end_day - month.first_day, 29);
  const auto all = PeriodsBetween(day, day + 4, Period::kMonthly);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[1].label, "2026-04");
}

TEST(AnalyticsRange, RoundDivIsHalfAwayFromZero) {
  EXPECT_EQ(RoundDiv(35870, 4 * 100), 90);  // 89.675 → 90
  EXPECT_EQ(RoundDiv(3587, 4), 897);        // 896.75 → 897
  EXPECT_EQ(RoundDiv(5, 2), 3);
  EXPECT_EQ(RoundDiv(-5, 2), -3);
  EXPECT_EQ(RoundDiv(1400, 3), 467);
  EXPECT_EQ(FloorDiv(-1, 900), -1);
  EXPECT_EQ(FloorDiv(899, 900), 0);
}

TEST(AnalyticsRange, P90IsTheNearestRank) {
  EXPECT_FALSE(P90({}).has_value());
  EXPECT_EQ(P90({{-1, 1}, {0, 1}, {2, 2}}), 2);  // rank ceil(3.6) = 4
  EXPECT_EQ(P90({{-1, 1}, {0, 1}}), 0);          // rank ceil(1.8) = 2
  // 10 orders: the 9th decides; 9 at 1 minute, 1 at 30 minutes → 1.
  EXPECT_EQ(P90({{1, 9}, {30, 1}}), 1);
  EXPECT_EQ(P90({{1, 8}, {30, 2}}), 30);
}

QueryParams Params(std::initializer_list<std::pair<const char*, const char*>> kv) {
  QueryParams p;
  for (const auto& [k, v] : kv) p.emplace(k, v);
  return p;
}

TEST(AnalyticsRange, DatesAreWholeShopDaysWithAnInclusiveEnd) {
  const auto* paris = rules::FindTimeZone("Europe/Paris");
  auto q = ParseAnalyticsQuery(Params({{"start_date", "2026-03-29"}, {"end_date", "2026-03-29"}}),
                               T("2026-06-01T12:00:00Z"), paris);
  ASSERT_TRUE(q.ok());
  // The day of the change is 23 hours long.
  EXPECT_EQ(q->range.start, T("2026-03-28T23:00:00Z"));
  EXPECT_EQ(q->range.end, T("2026-03-29T22:00:00Z"));
  EXPECT_EQ(q->range.start_label, "2026-03-29");
}

TEST(AnalyticsRange, DefaultIsThirtyShopDaysEndingToday) {
  const auto* paris = rules::FindTimeZone("Europe/Paris");
  // 23:30 UTC on 2026-06-01 is already 2026-06-02 in Paris.
  auto q = ParseAnalyticsQuery({}, T("2026-06-01T23:30:00Z"), paris);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->range.end_label, "2026-06-02");
  EXPECT_EQ(q->range.start_label, "2026-05-04");
  EXPECT_EQ(q->range.end, T("2026-06-02T22:00:00Z"));
  EXPECT_EQ(q->limit, 10);
  EXPECT_EQ(q->period, Period::kDaily);
}

TEST(AnalyticsRange, RangeErrorsNameTheParameter) {
  const auto now = T("2026-06-01T12:00:00Z");
  const auto field = [&](std::initializer_list<std::pair<const char*, const char*>> kv) {
    auto q = ParseAnalyticsQuery(Params(kv), now, nullptr);
    EXPECT_FALSE(q.ok());
    return q.ok() ? std::string() : q.error().fields.begin()->first;
  };
  EXPECT_EQ(field({{"start_date", "2026-02-29"}}), "start_date");
  EXPECT_EQ(field({{"end_date", "2026-06-01T25:00:00Z"}}), "end_date");
  EXPECT_EQ(field({{"start_date", "2026-06-02"}, {"end_date", "2026-06-01"}}), "end_date");
  EXPECT_EQ(field({{"start_date", "2025-05-31"}, {"end_date", "2026-06-01"}}), "end_date");
  EXPECT_EQ(field({{"period", "hourly"}}), "period");
  EXPECT_EQ(field({{"limit", "1.5"}}), "limit");
  EXPECT_EQ(field({{"coffee_id", "0"}}), "coffee_id");
  EXPECT_TRUE(ParseAnalyticsQuery(
                  Params({{"start_date", "2025-06-01"}, {"end_date", "2026-06-01"}}), now, nullptr)
                  .ok());
}

}  // namespace
}  // namespace coffee::app
