#include "http/json/field_reader.hpp"

#include <algorithm>
#include <cmath>

namespace coffee::http::json {

namespace bj = boost::json;

namespace {

/// True for text shaped like a decimal with at most `decimals` decimals ("-123.45"), so that a
/// failed parse of it can only mean the value is too large.
bool LooksLikeDecimal(std::string_view text, int decimals) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !digits(whole) || !digits(frac)) return false;
  if (dot != std::string_view::npos && frac.empty()) return false;
  return static_cast<int>(frac.size()) <= decimals;
}

/// A boost::json::basic_parser handler that builds the value exactly as boost::json::parse does,
/// and also refuses two things parse accepts silently: a key repeated in one object (parse keeps
/// the last) and a number too large for a double (parse gives infinity). It remembers where

}  // namespace

bool HasControlCharacter(std::string_view text, bool allow_tab_and_newline) {
  return std::any_of(text.begin(), text.end(), [allow_tab_and_newline](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_tab_and_newline && (c == '\t' || c == '\n')) return false;
    return u < 0x20 || u == 0x7F;
  });
}

const bj::value* FieldReader::Find(std::string_view key, bool required) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr) {
    if (required) errors_.Add(std::string(key), "is required");
    return nullptr;
  }
  if (v->is_null()) {
    // A null is not "absent": it is a 400 naming the field, unless the caller read the field
    // as nullable (IsNull first) because null means something there.
    errors_.Add(std::string(key), "must not be null");
    return nullptr;
  }
  return v;
}

bool FieldReader::Has(std::string_view key) const { return obj_.contains(key); }

bool FieldReader::IsNull(std::string_view key) const {
  const auto* v = obj_.if_contains(key);
  return v != nullptr && v->is_null();
}

std::optional<std::string> FieldReader::Read(std::string_view key, bool required, bool free_text) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    errors_.Add(std::string(key), "must be a string");
    return std::nullopt;
  }
  std::string text(v->get_string());
  if (HasControlCharacter(text, free_text)) {
    errors_.Add(std::string(key), free_text ? "must not contain control characters other than "
                                              "tab and newline"
                                            : "must not contain control characters");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> FieldReader::String(std::string_view key, bool required) {
  return Read(key, required, false);
}

std::optional<std::string> FieldReader::Text(std::string_view key, bool required) {
  return Read(key, required, true);
}

std::optional<std::int64_t> FieldReader::Int(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    if (v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(v->get_uint64());
    }
    errors_.Add(std::string(key), "is out of range");
    return std::nullopt;
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (std::isfinite(d) && std::trunc(d) == d) {
      // Past 2^53 a double no longer holds every integer: the client's digits are lost.
      if (std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
      errors_.Add(std::string(key), "is out of range");
      return std::nullopt;
    }
  }
  errors_.Add(std::string(key), "must be an integer");
  return std::nullopt;
}

std::optional<double> FieldReader::Number(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) {
    const auto d = v->to_number<double>();
    if (std::isfinite(d)) return d;
    errors_.Add(std::string(key), "is out of range");
    return std::nullopt;
  }
  errors_.Add(std::string(key), "must be a number");
  return std::nullopt;
}

std::optional<bool> FieldReader::Bool(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  errors_.Add(std::string(key), "must be true or false");
  return std::nullopt;
}

std::optional<std::int64_t> FieldReader::Scaled(std::string_view key, bool required, int decimals,
                                                const char* what) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  // Beyond this many whole units a value is refused as out of range, whatever its form.
  constexpr std::int64_t kMaxWhole = 1'000'000'000'000LL;
  std::int64_t scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  std::optional<std::int64_t> units;
  bool out_of_range = false;
  if (v->is_string()) {
    const std::string_view text(v->get_string());
    units = domain::ParseScaledDecimal(text, decimals);
    if (units && (*units >= kMaxWhole * scale || *units <= -kMaxWhole * scale)) units.reset();
    out_of_range = !units && LooksLikeDecimal(text, decimals);
  } else if (v->is_int64()) {
    const auto i = v->get_int64();
    out_of_range = i >= kMaxWhole || i <= -kMaxWhole;
    if (!out_of_range) units = i * scale;
  } else if (v->is_uint64()) {
    out_of_range = true;
  } else if (v->is_double()) {
    const double d = v->get_double();
    out_of_range = !std::isfinite(d) || std::fabs(d) >= static_cast<double>(kMaxWhole);
    if (!out_of_range) units = domain::ScaledFromDouble(d, decimals);
  }
  if (out_of_range) {
    errors_.Add(std::string(key), "is out of range");
  } else if (!units) {
    errors_.Add(std::string(key), std::string("must be ") + what + " with at most " +
                                      std::to_string(decimals) + " decimals");
  }
  return units;
}

std::optional<domain::Money> FieldReader::Money(std::string_view key, bool required) {
  auto units = Scaled(key, required, 2, "a number");
  if (!units) return std::nullopt;
  return domain::Money::FromCents(*units);
}

std::optional<domain::Instant> FieldReader::Timestamp(std::string_view key, bool required) {
  auto s = String(key, required);
  if (!s) return std::nullopt;
  auto t = domain::ParseTimestamp(*s);
  if (!t) errors_.Add(std::string(key), "must be an RFC 3339 timestamp");
  return t;
}

std::optional<domain::TimeOfDay> FieldReader::TimeOfDay(std::string_view key, bool required) {
  auto s = String(key, required);
  if (!s) return std::nullopt;
  auto t = domain::TimeOfDay::Parse(*s);
  if (!t) errors_.Add(std::string(key), "must be a time of day HH:MM between 00:00 and 23:59");
  return t;
}
}  // namespace coffee::http::json
