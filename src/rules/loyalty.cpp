#include "rules/loyalty.hpp"

#include <limits>

namespace coffee::rules {

namespace {

__extension__ using Int128 = __int128;

constexpr std::int64_t kUnitScale = 10000;                   // Fixed4
constexpr std::int64_t kCentsTimesUnits = 100 * kUnitScale;  // cents × Fixed4 units per point

}  // namespace

std::int64_t LoyaltyPoints(const domain::LoyaltyConfig& config, domain::Money final_total,
                           std::span<const LoyaltyLine> lines) {
  // Everything is in cents × 1/10000 units, so one division at the end is the only rounding.
  Int128 scaled = Int128{final_total.cents()} * config.points_per_dollar.units;
  for (const auto& line : lines) {
    const auto it = config.bonus_multipliers.find(line.coffee_id);
    if (it == config.bonus_multipliers.end() || it->second.units <= kUnitScale) continue;
    scaled += Int128{line.subtotal.cents()} * (it->second.units - kUnitScale);
  }
  if (scaled <= 0) return 0;
  const Int128 points = scaled / kCentsTimesUnits;
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  return points > kMax ? kMax : static_cast<std::int64_t>(points);
}

}  // namespace coffee::rules
