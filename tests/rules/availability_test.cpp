#include "rules/availability.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "rules_test_support.hpp"

namespace coffee::rules {
namespace {

using domain::AvailabilityStatus;
using testing::At;
using testing::Hm;

domain::Availability Row(std::int64_t coffee, AvailabilityStatus status,
                         std::optional<std::string> reason = std::nullopt,
                         std::optional<std::string> from = std::nullopt,
                         std::optional<std::string> until = std::nullopt) {
  domain::Availability row;
  row.coffee_id = domain::CoffeeId{coffee};
  row.status = status;
  row.reason = std::move(reason);
  if (from) row.available_from = Hm(*from);
  if (until) row.available_until = Hm(*until);
  return row;
}

struct AvailabilityCase {
  std::string name;
  std::optional<domain::Availability> row;
  std::string now;
  bool available;
  std::string reason;
};

class AvailabilityTable : public ::testing::TestWithParam<AvailabilityCase> {};

TEST_P(AvailabilityTable, FollowsSpec51) {
  const auto& c = GetParam();
  const auto check = EvaluateAvailability(c.row ? &*c.row : nullptr, Hm(c.now));
  EXPECT_EQ(check.available_now, c.available);
  EXPECT_EQ(check.reason, c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Spec51, AvailabilityTable,
    ::testing::Values(
        AvailabilityCase{"NoRowMeansAvailable", std::nullopt, "03:00", true, ""},
        AvailabilityCase{"AvailableAllDay", Row(1, AvailabilityStatus::kAvailable), "23:59", true,
                         ""},
        AvailabilityCase{"OutOfStockDefaultReason", Row(1, AvailabilityStatus::kOutOfStock),
                         "12:00", false, "Out of stock"},
        AvailabilityCase{"DiscontinuedDefaultReason", Row(1, AvailabilityStatus::kDiscontinued),
                         "12:00", false, "Discontinued"},
        AvailabilityCase{"StoredReasonWins",
                         Row(1, AvailabilityStatus::kOutOfStock, "Beans arrive Friday"), "12:00",
                         false, "Beans arrive Friday"},
        AvailabilityCase{"OutOfStockIgnoresWindow",
                         Row(1, AvailabilityStatus::kOutOfStock, std::nullopt, "08:00", "18:00"),
                         "12:00", false, "Out of stock"},
        AvailabilityCase{"InsideWindow",
                         Row(1, AvailabilityStatus::kAvailable, std::nullopt, "08:00", "11:00"),
                         "08:00", true, ""},
        AvailabilityCase{"WindowEndIsExclusive",
                         Row(1, AvailabilityStatus::kAvailable, std::nullopt, "08:00", "11:00"),
                         "11:00", false, "Only available between 08:00 and 11:00"},
        AvailabilityCase{"OutsideWindowUsesStoredReason",
                         Row(1, AvailabilityStatus::kAvailable, "Breakfast only", "08:00", "11:00"),
                         "12:00", false, "Breakfast only"},
        AvailabilityCase{"WindowCrossingMidnightLateEvening",
                         Row(1, AvailabilityStatus::kAvailable, std::nullopt, "22:00", "02:00"),
                         "23:30", true, ""},
        AvailabilityCase{"WindowCrossingMidnightEarlyMorning",
                         Row(1, AvailabilityStatus::kAvailable, std::nullopt, "22:00", "02:00"),
                         "01:59", true, ""},
        AvailabilityCase{"WindowCrossingMidnightDaytime",
                         Row(1, AvailabilityStatus::kAvailable, std::nullopt, "22:00", "02:00"),
                         "12:00", false, "Only available between 22:00 and 02:00"},
        AvailabilityCase{"SeasonalInSeason",
                         Row(1, AvailabilityStatus::kSeasonal, std::nullopt, "06:00", "12:00"),
                         "07:00", true, ""},
        AvailabilityCase{"SeasonalOutOfSeason",
                         Row(1, AvailabilityStatus::kSeasonal, std::nullopt, "06:00", "12:00"),
                         "13:00", false, "Seasonal (not in season)"},
        AvailabilityCase{"LoneFromIsNotAWindow",
                         Row(1, AvailabilityStatus::kAvailable, std::nullopt, "06:00"), "05:00",
                         true, ""}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(Availability, UnavailableLinesAreListedInLineOrder) {
  SnapshotData data;
  data.availability = {Row(3, AvailabilityStatus::kSeasonal, std::nullopt, "06:00", "07:00"),
                       Row(1, AvailabilityStatus::kOutOfStock),
                       Row(2, AvailabilityStatus::kAvailable)};
  const Snapshot snapshot = Snapshot::Build(std::move(data));
  const std::vector<domain::CoffeeId> lines = {domain::CoffeeId{3}, domain::CoffeeId{2},
                                               domain::CoffeeId{9}, domain::CoffeeId{1}};
  const auto unavailable = FindUnavailable(snapshot, lines, At("2026-03-02T12:00:00Z"));
  EXPECT_EQ(unavailable,
            (std::vector<UnavailableItem>{{domain::CoffeeId{3}, "Seasonal (not in season)"},
                                          {domain::CoffeeId{1}, "Out of stock"}}));
}

TEST(Availability, WindowIsReadInTheShopZone) {
  SnapshotData data;
  data.availability = {Row(1, AvailabilityStatus::kAvailable, std::nullopt, "14:00", "16:00")};
  data.zone = testing::Zone("Europe/Paris");
  const Snapshot snapshot = Snapshot::Build(std::move(data));
  // 13:30Z is 15:30 in Paris on the spring change day (UTC+2) and 14:30 the day before (UTC+1);
  // 14:00Z on the change day is already 16:00, the window's exclusive end.
  EXPECT_TRUE(
      CheckAvailability(snapshot, domain::CoffeeId{1}, At("2026-03-29T13:30:00Z")).available_now);
  EXPECT_TRUE(
      CheckAvailability(snapshot, domain::CoffeeId{1}, At("2026-03-28T13:30:00Z")).available_now);
  EXPECT_FALSE(
      CheckAvailability(snapshot, domain::CoffeeId{1}, At("2026-03-29T14:00:00Z")).available_now);
  EXPECT_TRUE(
      CheckAvailability(snapshot, domain::CoffeeId{1}, At("2026-03-28T14:30:00Z")).available_now);
}

}  // namespace
}  // namespace coffee::rules
