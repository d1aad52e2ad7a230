#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace coffee::domain {

/// A point in time, UTC, microsecond precision (what both databases store).
using Instant = std::chrono::sys_time<std::chrono::microseconds>;

/// RFC 3339 UTC with microseconds: "2026-02-28T10:30:00.123456Z" (sorts lexically).
std::string FormatTimestamp(Instant t);
/// Accepts RFC 3339 ("…T…Z", "…+02:00", optional fraction) and PostgreSQL's ISO output
/// ("2026-02-28 10:30:00.123456+00").
std::optional<Instant> ParseTimestamp(std::string_view s);

/// A time of day "HH:MM", 00:00–23:59, as minutes since midnight.
struct TimeOfDay {
  int minutes = 0;

  static std::optional<TimeOfDay> Parse(std::string_view text);
  [[nodiscard]] std::string ToString() const;
  friend constexpr auto operator<=>(const TimeOfDay&, const TimeOfDay&) = default;
};

/// True if `t` lies in the daily window [from, until); from > until crosses midnight;
/// from == until is an empty window.
bool InDailyWindow(TimeOfDay t, TimeOfDay from, TimeOfDay until);

}  // namespace coffee::domain
