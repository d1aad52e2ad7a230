// "HH:MM" times of day (availability windows, rule time ranges) and RFC 3339 timestamps (rule
// validity dates). The first byte picks the parser. Invariants: a parsed time of day is within
// 00:00–23:59 and formats back to exactly the input; a parsed timestamp formats as RFC 3339 UTC
// that parses back to the same instant.

#include <chrono>
#include <cstdint>
#include <string>

#include "domain/time.hpp"
#include "fuzz_support.hpp"

namespace {

using coffee::domain::FormatTimestamp;
using coffee::domain::ParseTimestamp;
using coffee::domain::TimeOfDay;
using coffee::fuzz::Check;

void TimeOfDayCase(std::string_view text) {
  const auto t = TimeOfDay::Parse(text);
  if (!t) return;
  Check(t->minutes >= 0 && t->minutes < 24 * 60, "a time of day is within the day");
  Check(t->ToString() == text, "HH:MM formats back to the input");
  Check(TimeOfDay::Parse(t->ToString()) == t, "parse(format(t)) == t");
}

void TimestampCase(std::string_view text) {
  const auto t = ParseTimestamp(text);
  if (!t) return;
  const std::string formatted = FormatTimestamp(*t);
  Check(formatted.size() == 27 && formatted.back() == 'Z', "formatted as UTC with microseconds");
  Check(ParseTimestamp(formatted) == t, "parse(format(t)) == t");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = coffee::fuzz::AsText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    TimeOfDayCase(text);
  } else {
    TimestampCase(text);
  }
  return 0;
}
