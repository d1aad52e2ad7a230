#include "app/analytics_range.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace coffee::app {

namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kDaySeconds = 86400;

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || ptr != end || s.empty()) return std::nullopt;
  return v;
}

/// "YYYY-MM-DD" exactly, a valid calendar date.
std::optional<date::sys_days> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const auto y = ParseInt(s.substr(0, 4));
  const auto m = ParseInt(s.substr(5, 2));
  const auto d = ParseInt(s.substr(8, 2));
  if (!y || !m || !d || *y < 1 || *m < 1 || *d < 1) return std::nullopt;
  const date::year_month_day ymd{date::year{static_cast<int>(*y)},
                                 date::month{static_cast<unsigned>(*m)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days{ymd};
}

/// The instant local midnight of `day` begins in `zone` (the first instant of the day when a
/// DST change skips midnight).
domain::Instant LocalMidnight(date::sys_days day, const date::time_zone* zone) {
  const date::local_days local{day.time_since_epoch()};
  if (zone == nullptr) return std::chrono::time_point_cast<microseconds>(date::sys_days{day});
  const auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return std::chrono::time_point_cast<microseconds>(info.first.end);
  }
  // Ambiguous midnight (a fall-back change at 00:00): the earlier instant starts the day.
  const auto sys = date::sys_seconds{local.time_since_epoch()} - info.first.offset;
  return std::chrono::time_point_cast<microseconds>(sys);
}

/// Today's local date of `now` in `zone`.
date::sys_days LocalToday(domain::Instant now, const date::time_zone* zone) {
  const auto secs = std::chrono::floor<seconds>(now);
  if (zone == nullptr) return std::chrono::floor<date::days>(secs);
  const auto local = zone->to_local(secs);
  return date::sys_days{std::chrono::floor<date::days>(local).time_since_epoch()};
}

std::string FormatDate(date::sys_days day) {
  const date::year_month_day ymd{day};
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return {buf.data()};
}

/// One bound as given: a date or an instant.
struct Bound {
  std::optional<date::sys_days> day;
  domain::Instant instant;
};

std::optional<Bound> ParseBound(std::string_view text) {
  if (auto d = ParseDate(text)) return Bound{d, {}};
  if (auto t = domain::ParseTimestamp(text)) return Bound{std::nullopt, *t};
  return std::nullopt;
}

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return -FloorDiv(-a, b); }

Slice Buckets(RollupLevel level, std::int64_t first, std::int64_t last) {
  Slice s;
  s.level = level;
  s.first = first;
  s.last = last;
  return s;
}

Slice Raw(domain::Instant from, domain::Instant to) {
  Slice s;
  s.from = from;
  s.to = to;
  return s;
}

/// Whole buckets [a, b) of levels[i], split into the coarsest levels that fit.
void Middle(std::span<const RollupLevel> levels, std::size_t i, std::int64_t a, std::int64_t b,
            std::vector<Slice>& out) {
  if (a >= b) return;
  if (i + 1 == levels.size()) {
    out.push_back(Buckets(levels[i], a, b));
    return;
  }
  const std::int64_t ratio = RollupSeconds(levels[i + 1]) / RollupSeconds(levels[i]);
  const std::int64_t a2 = CeilDiv(a, ratio);
  const std::int64_t b2 = FloorDiv(b, ratio);
  if (a2 >= b2) {
    out.push_back(Buckets(levels[i], a, b));
    return;
  }
  if (a < a2 * ratio) out.push_back(Buckets(levels[i], a, a2 * ratio));
  Middle(levels, i + 1, a2, b2, out);
  if (b2 * ratio < b) out.push_back(Buckets(levels[i], b2 * ratio, b));
}

}  // namespace

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t RoundDiv(std::int64_t numerator, std::int64_t denominator) {
  const std::int64_t twice = numerator * 2;
  if (numerator >= 0) return (twice + denominator) / (2 * denominator);
  return -((-twice + denominator) / (2 * denominator));
}

Outcome<AnalyticsQuery> ParseAnalyticsQuery(const QueryParams& params, domain::Instant now,
                                            const date::time_zone* zone) {
  ValidationErrors errors;
  AnalyticsQuery q;
  std::optional<Bound> start;
  std::optional<Bound> end;
  constexpr const char* kBoundMessage = "must be a date YYYY-MM-DD or an RFC 3339 timestamp";
  if (auto it = params.find("start_date"); it != params.end()) {
    start = ParseBound(it->second);
    if (!start) errors.Add("start_date", kBoundMessage);
  }
  if (auto it = params.find("end_date"); it != params.end()) {
    end = ParseBound(it->second);
    if (!end) errors.Add("end_date", kBoundMessage);
  }
  if (auto it = params.find("period"); it != params.end()) {
    if (it->second == "daily") {
      q.period = Period::kDaily;
    } else if (it->second == "weekly") {
      q.period = Period::kWeekly;
    } else if (it->second == "monthly") {
      q.period = Period::kMonthly;
    } else {
      errors.Add("period", "must be one of daily, weekly, monthly");
    }
  }
  if (auto it = params.find("limit"); it != params.end()) {
    const auto v = ParseInt(it->second);
    if (!v || *v < 1 || *v > 100) {
      errors.Add("limit", "must be an integer between 1 and 100");
    } else {
      q.limit = *v;
    }
  }
  if (auto it = params.find("coffee_id"); it != params.end()) {
    const auto v = ParseInt(it->second);
    if (!v || *v < 1) {
      errors.Add("coffee_id", "must be a positive integer");
    } else {
      q.coffee_id = domain::CoffeeId{*v};
    }
  }
  if (!errors.empty()) return errors.ToError();

  // Defaults: the 30 shop days ending today; a missing bound is taken from the other one.
  const date::sys_days today = LocalToday(now, zone);
  if (!start && !end) {
    end = Bound{today, {}};
    start = Bound{today - date::days{29}, {}};
  } else if (!start) {
    start = end->day ? Bound{*end->day - date::days{29}, {}}
                     : Bound{std::nullopt, end->instant - std::chrono::days{30}};
  } else if (!end) {
    end = start->day ? Bound{*start->day + date::days{29}, {}}
                     : Bound{std::nullopt, start->instant + std::chrono::days{30}};
  }
  ReportRange& r = q.range;
  if (start->day) {
    r.start = LocalMidnight(*start->day, zone);
    r.start_label = FormatDate(*start->day);
  } else {
    r.start = start->instant;
    r.start_label = domain::FormatTimestamp(start->instant);
  }
  if (end->day) {
    r.end = LocalMidnight(*end->day + date::days{1}, zone);  // the end date is inclusive
    r.end_label = FormatDate(*end->day);
  } else {
    r.end = end->instant;
    r.end_label = domain::FormatTimestamp(end->instant);
  }
  if (r.start >= r.end) return AppError::Validation("end_date", "must be after start_date");
  const bool too_long = start->day && end->day
                            ? (*end->day - *start->day).count() + 1 > kMaxRangeDays
                            : r.end - r.start > std::chrono::duration_cast<microseconds>(
                                                    std::chrono::days{kMaxRangeDays});
  if (too_long) {
    return AppError::Validation("end_date", "the range must not be longer than 366 days");
  }
  return q;
}

std::vector<Slice> Decompose(domain::Instant from, domain::Instant to,
                             std::span<const RollupLevel> levels) {
  std::vector<Slice> out;
  if (from >= to || levels.empty()) return out;
  const std::int64_t q = RollupSeconds(levels.front()) * kMicros;
  const std::int64_t from_us = from.time_since_epoch().count();
  const std::int64_t to_us = to.time_since_epoch().count();
  const std::int64_t a = CeilDiv(from_us, q);
  const std::int64_t b = FloorDiv(to_us, q);
  if (a >= b) {
    out.push_back(Raw(from, to));
    return out;
  }
  const auto at = [](std::int64_t us) { return domain::Instant{microseconds{us}}; };
  if (from_us < a * q) out.push_back(Raw(from, at(a * q)));
  Middle(levels, 0, a, b, out);
  if (b * q < to_us) out.push_back(Raw(at(b * q), to));
  return out;
}

std::vector<OffsetSpan> OffsetSpans(domain::Instant from, domain::Instant to,
                                    const date::time_zone* zone) {
  std::vector<OffsetSpan> spans;
  if (from >= to) return spans;
  if (zone == nullptr) {
    spans.push_back({from, to, 0});
    return spans;
  }
  domain::Instant t = from;
  while (t < to) {
    const auto info = zone->get_info(std::chrono::floor<seconds>(t));
    domain::Instant span_end = to;
    if (info.end < date::sys_seconds::max()) {
      const auto next = std::chrono::time_point_cast<microseconds>(info.end);
      if (next < to) span_end = next;
    }
    if (span_end <= t) break;  // defensive: tzdata always moves forward
    spans.push_back({t, span_end, info.offset.count()});
    t = span_end;
  }
  return spans;
}

std::vector<RollupLevel> GroupableLevels(std::int64_t offset_seconds, std::int64_t unit_seconds) {
  std::vector<RollupLevel> levels{RollupLevel::kQuarterHour};
  for (const auto level : {RollupLevel::kHour, RollupLevel::kDay}) {
    const std::int64_t size = RollupSeconds(level);
    if (unit_seconds % size != 0 || offset_seconds % size != 0) break;
    levels.push_back(level);
  }
  return levels;
}

std::int64_t LocalDay(domain::Instant t, std::int64_t offset_seconds) {
  const std::int64_t secs = FloorDiv(t.time_since_epoch().count(), kMicros);
  return FloorDiv(secs + offset_seconds, kDaySeconds);
}

std::string DayLabel(std::int64_t day) { return FormatDate(date::sys_days{date::days{day}}); }

PeriodBucket PeriodOf(std::int64_t day, Period period) {
  const date::sys_days d{date::days{day}};
  PeriodBucket b;
  switch (period) {
    case Period::kDaily:
      b.first_day = day;
      b.end_day = day + 1;
      b.label = DayLabel(day);
      break;
    case Period::kWeekly: {
      const unsigned iso = date::weekday{d}.iso_encoding();  // 1 = Monday
      const date::sys_days monday = d - date::days{iso - 1};
      const date::year_month_day thursday{monday + date::days{3}};  // decides the ISO year
      const date::sys_days jan1{thursday.year() / date::January / 1};
      const auto week = ((monday + date::days{3}) - jan1).count() / 7 + 1;
      std::array<char, 32> buf{};
      std::snprintf(buf.data(), buf.size(), "%04d-W%02d", static_cast<int>(thursday.year()),
                    static_cast<int>(week));
      b.label = buf.data();
      b.first_day = monday.time_since_epoch().count();
      b.end_day = b.first_day + 7;
      break;
    }
    case Period::kMonthly: {
      const date::year_month_day ymd{d};
      const date::sys_days first{ymd.year() / ymd.month() / 1};
      const date::sys_days next{(ymd.year() / ymd.month() + date::months{1}) / 1};
      std::array<char, 32> buf{};
      std::snprintf(buf.data(), buf.size(), "%04d-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()));
      b.label = buf.data();
      b.first_day = first.time_since_epoch().count();
      b.end_day = next.time_since_epoch().count();
      break;
    }
  }
  b.start_date = DayLabel(b.first_day);
  return b;
}

std::vector<PeriodBucket> PeriodsBetween(std::int64_t first_day, std::int64_t last_day,
                                         Period period) {
  std::vector<PeriodBucket> out;
  std::int64_t day = first_day;
  while (day <= last_day) {
    out.push_back(PeriodOf(day, period));
    day = out.back().end_day;
  }
  return out;
}

}  // namespace coffee::app
