#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "rules/snapshot.hpp"

namespace coffee::rules {

inline constexpr std::size_t kMaxPromoCodeLength = 40;

/// The code as rules compare it: surrounding whitespace removed, ASCII letters lowercased.
std::string NormalizePromoCode(std::string_view code);

/// A rule's promo_code: 1–40 characters, each an ASCII letter, a digit, '-' or '_'.
bool IsValidPromoCode(std::string_view code);

/// Whether an active rule of `snapshot` carries `normalized` (valid for its dates or not).
bool IsKnownPromoCode(const Snapshot& snapshot, std::string_view normalized);

}  // namespace coffee::rules
