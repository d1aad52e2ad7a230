#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coffee::domain {

/// An exact amount of money in integer cents; never binary floating point.
class Money {
 public:
  constexpr Money() = default;
  static constexpr Money FromCents(std::int64_t cents) { return Money(cents); }

  /// Parses "4", "4.5", "4.50", "-1.25"; more than two decimals, exponents or junk → nullopt.
  static std::optional<Money> Parse(std::string_view text);
  /// Accepts a JSON double only if it has at most two decimals (within 1e-6 of a cent).
  static std::optional<Money> FromDouble(double value);

  [[nodiscard]] constexpr std::int64_t cents() const { return cents_; }
  /// "4.50", "-0.05": always two decimals.
  [[nodiscard]] std::string ToString() const;
  /// The value as a double, for JSON numbers (4.50 → 4.5); exact for every cent below 2^53.
  [[nodiscard]] double ToDouble() const;

  constexpr Money operator+(Money o) const { return Money(cents_ + o.cents_); }
  constexpr Money operator-(Money o) const { return Money(cents_ - o.cents_); }
  constexpr Money& operator+=(Money o) {
    cents_ += o.cents_;
    return *this;
  }
  constexpr Money& operator-=(Money o) {
    cents_ -= o.cents_;
    return *this;
  }
  friend constexpr auto operator<=>(Money, Money) = default;

 private:
  constexpr explicit Money(std::int64_t cents) : cents_(cents) {}
  std::int64_t cents_ = 0;
};

/// numerator / denominator rounded half away from zero (denominator > 0).
std::int64_t DivRoundHalfAwayFromZero(std::int64_t numerator, std::int64_t denominator);

/// A non-negative decimal with a fixed number of decimals, stored as an integer
/// (e.g. Decimal<2> 12.5 → 1250, Decimal<4> 1.5 → 15000). Used for percentages,
/// points-per-dollar and multipliers so that rules arithmetic stays exact.
template <int kDecimals>
struct Fixed {
  static constexpr std::int64_t kScale = [] {
    std::int64_t s = 1;
    for (int i = 0; i < kDecimals; ++i) s *= 10;
    return s;
  }();
  std::int64_t units = 0;

  static std::optional<Fixed> Parse(std::string_view text);
  static std::optional<Fixed> FromDouble(double value);
  [[nodiscard]] std::string ToString() const;
  [[nodiscard]] double ToDouble() const {
    return static_cast<double>(units) / static_cast<double>(kScale);
  }
  friend constexpr auto operator<=>(const Fixed&, const Fixed&) = default;
};

using Fixed2 = Fixed<2>;
using Fixed4 = Fixed<4>;

/// Parses a decimal with at most `decimals` fraction digits into scaled integer units.
std::optional<std::int64_t> ParseScaledDecimal(std::string_view text, int decimals);
/// Converts a double to scaled units if it has at most `decimals` fraction digits.
std::optional<std::int64_t> ScaledFromDouble(double value, int decimals);
/// Formats scaled units with exactly `decimals` fraction digits.
std::string FormatScaled(std::int64_t units, int decimals);

template <int kDecimals>
std::optional<Fixed<kDecimals>> Fixed<kDecimals>::Parse(std::string_view text) {
  auto u = ParseScaledDecimal(text, kDecimals);
  if (!u) return std::nullopt;
  return Fixed{*u};
}

template <int kDecimals>
std::optional<Fixed<kDecimals>> Fixed<kDecimals>::FromDouble(double value) {
  auto u = ScaledFromDouble(value, kDecimals);
  if (!u) return std::nullopt;
  return Fixed{*u};
}

template <int kDecimals>
std::string Fixed<kDecimals>::ToString() const {
  return FormatScaled(units, kDecimals);
}

}  // namespace coffee::domain
