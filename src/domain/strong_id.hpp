#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace coffee::domain {

/// An integer id that cannot be mixed up with another kind of id.
template <typename Tag>
struct StrongId {
  std::int64_t value = 0;

  constexpr StrongId() = default;
  constexpr explicit StrongId(std::int64_t v) : value(v) {}
  friend constexpr auto operator<=>(const StrongId&, const StrongId&) = default;
};

using UserId = StrongId<struct UserIdTag>;
using CoffeeId = StrongId<struct CoffeeIdTag>;
using RuleId = StrongId<struct RuleIdTag>;

}  // namespace coffee::domain

template <typename Tag>
struct std::hash<coffee::domain::StrongId<Tag>> {
  std::size_t operator()(const coffee::domain::StrongId<Tag>& id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
