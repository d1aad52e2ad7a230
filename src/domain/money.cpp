#include "domain/money.hpp"

#include <cmath>
#include <limits>

namespace coffee::domain {

namespace {

constexpr std::int64_t kMaxUnits = std::numeric_limits<std::int64_t>::max() / 100;

std::int64_t Pow10(int n) {
  std::int64_t r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

}  // namespace

std::optional<std::int64_t> ParseScaledDecimal(std::string_view text, int decimals) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  std::size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  std::int64_t whole = 0;
  std::size_t int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    if (whole > kMaxUnits / 10 / Pow10(decimals)) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
  }
  std::int64_t frac = 0;
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (frac_digits == decimals) return std::nullopt;  // more decimals than allowed
      frac = frac * 10 + (text[i] - '0');
      ++frac_digits;
    }
    if (frac_digits == 0) return std::nullopt;  // "4." is not a decimal
  }
  if (i != text.size() || (int_digits == 0 && frac_digits == 0)) return std::nullopt;
  std::int64_t units = whole * Pow10(decimals) + frac * Pow10(decimals - frac_digits);
  return negative ? -units : units;
}

std::optional<std::int64_t> ScaledFromDouble(double value, int decimals) {
  if (!std::isfinite(value)) return std::nullopt;
  const double scaled = value * static_cast<double>(Pow10(decimals));
  if (std::fabs(scaled) > static_cast<double>(kMaxUnits)) return std::nullopt;
  const double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-6 * std::max(1.0, std::fabs(scaled) / 1e6)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(rounded);
}

std::string FormatScaled(std::int64_t units, int decimals) {
  const bool negative = units < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(units + 1)) + 1U : static_cast<std::uint64_t>(units);
  const auto scale = static_cast<std::uint64_t>(Pow10(decimals));
  std::string frac = std::to_string(magnitude % scale);
  if (static_cast<int>(frac.size()) < decimals) {
    frac.insert(0, static_cast<std::size_t>(decimals) - frac.size(), '0');
  }
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / scale);
  if (decimals > 0) {
    out += '.';
    out += frac;
  }
  return out;
}

std::optional<Money> Money::Parse(std::string_view text) {
  auto units = ParseScaledDecimal(text, 2);
  if (!units) return std::nullopt;
  return Money(*units);
}

std::optional<Money> Money::FromDouble(double value) {
  auto units = ScaledFromDouble(value, 2);
  if (!units) return std::nullopt;
  return Money(*units);
}

std::string Money::ToString() const { return FormatScaled(cents_, 2); }

double Money::ToDouble() const { return static_cast<double>(cents_) / 100.0; }

std::int64_t DivRoundHalfAwayFromZero(std::int64_t numerator, std::int64_t denominator) {
  const std::int64_t q = numerator / denominator;
  const std::int64_t r = numerator % denominator;
  const std::int64_t twice = (r < 0 ? -r : r) * 2;
  if (twice >= denominator) return numerator < 0 ? q - 1 : q + 1;
  return q;
}

}  // namespace coffee::domain
