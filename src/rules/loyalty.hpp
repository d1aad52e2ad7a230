#pragma once

#include <cstdint>
#include <span>

#include "domain/business_rules.hpp"
#include "domain/money.hpp"
#include "domain/strong_id.hpp"

namespace coffee::rules {

/// One order line as loyalty sees it: its subtotal before discounts.
struct LoyaltyLine {
  domain::CoffeeId coffee_id;
  domain::Money subtotal;
};

/// SPEC §5.4: floor(final × points_per_dollar + Σ line_subtotal × (m − 1)) over lines with a
/// multiplier m, computed exactly in integers with a single floor; never negative, saturating.
std::int64_t LoyaltyPoints(const domain::LoyaltyConfig& config, domain::Money final_total,
                           std::span<const LoyaltyLine> lines);

}  // namespace coffee::rules
