#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/coffee_service.hpp"
#include "app/errors.hpp"
#include "app/ports/store.hpp"
#include "domain/time.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace coffee::app {

/// Buckets of a by-period report, in the shop's time zone (weeks are ISO weeks).
enum class Period { kDaily, kWeekly, kMonthly };

/// A report's time range [start, end) and how to echo its bounds.
struct ReportRange {
  domain::Instant start;
  domain::Instant end;
  std::string start_label;  // "2026-03-01" for a date, else the instant in RFC 3339
  std::string end_label;
};

/// The query parameters of every analytics report (SPEC §10).
struct AnalyticsQuery {
  ReportRange range;
  Period period = Period::kDaily;
  std::int64_t limit = 10;
  std::optional<domain::CoffeeId> coffee_id;
};

/// The longest range a report covers.
inline constexpr std::int64_t kMaxRangeDays = 366;

/// Reads start_date, end_date (dates are whole shop days, end inclusive; RFC 3339 values are
/// instants, end exclusive; default: the 30 shop days ending today), period, limit (1–100) and
/// coffee_id. Errors name the parameter: start ≥ end and spans over 366 days are end_date's.
Outcome<AnalyticsQuery> ParseAnalyticsQuery(const QueryParams& params, domain::Instant now,
                                            const date::time_zone* zone);

/// Splits [from, to) into ascending slices: raw rows for the partial quarter hours at the
/// edges, then whole buckets, each of the coarsest level of `levels` (an ascending chain that
/// starts with kQuarterHour, each size dividing the next) that fits.
std::vector<Slice> Decompose(domain::Instant from, domain::Instant to,
                             std::span<const RollupLevel> levels);

/// A stretch of time over which the shop's UTC offset is constant.
struct OffsetSpan {
  domain::Instant from;
  domain::Instant to;
  std::int64_t offset_seconds = 0;
};

/// [from, to) cut at the zone's offset changes (one span for UTC or a null zone).
std::vector<OffsetSpan> OffsetSpans(domain::Instant from, domain::Instant to,
                                    const date::time_zone* zone);

/// The levels whose buckets never straddle a boundary of `unit_seconds` shifted by the offset,
/// so they can be grouped by local hour (3600) or local day (86400).
std::vector<RollupLevel> GroupableLevels(std::int64_t offset_seconds, std::int64_t unit_seconds);

/// floor(a / b) for b > 0.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b);

/// Local day number (days since 1970-01-01 in local time) of `t` at `offset_seconds`.
std::int64_t LocalDay(domain::Instant t, std::int64_t offset_seconds);

/// One bucket of a by-period report: its label ("2026-03-10", "2026-W11", "2026-03") and the
/// local day numbers it covers [first_day, end_day).
struct PeriodBucket {
  std::string label;
  std::string start_date;  // local date of first_day
  std::int64_t first_day = 0;
  std::int64_t end_day = 0;
};

/// The period containing local day `day`.
PeriodBucket PeriodOf(std::int64_t day, Period period);

/// Every period from the one containing first_day to the one containing last_day (inclusive).
std::vector<PeriodBucket> PeriodsBetween(std::int64_t first_day, std::int64_t last_day,
                                         Period period);

/// "YYYY-MM-DD" of a local day number.
std::string DayLabel(std::int64_t day);

/// round(numerator / denominator) half away from zero; denominator > 0.
std::int64_t RoundDiv(std::int64_t numerator, std::int64_t denominator);

}  // namespace coffee::app
