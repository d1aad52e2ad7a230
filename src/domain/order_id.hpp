#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace coffee::domain {

/// An order's id: a canonical UUID (8-4-4-4-12 hex digits), always lower-case. Only Parse and
/// New make one, so a value of this type is always well formed.
class OrderId {
 public:
  /// The nil UUID; a placeholder until the order is given its id.
  OrderId() : text_("00000000-0000-0000-0000-000000000000") {}
  /// The id written in `text` in any case, lower-cased; nullopt when it is not a UUID.
  static std::optional<OrderId> Parse(std::string_view text);
  /// A new random (version 4) id.
  static OrderId New();
  /// The version-4 id made of two 64-bit random words (a seeded generator gives repeatable ids).
  static OrderId FromRandom(std::uint64_t high, std::uint64_t low);

  /// The 36 characters, lower-case.
  [[nodiscard]] const std::string& str() const { return text_; }
  friend auto operator<=>(const OrderId&, const OrderId&) = default;
  /// Writes the 36 characters (logs, test failure messages).
  friend std::ostream& operator<<(std::ostream& out, const OrderId& id);

 private:
  explicit OrderId(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace coffee::domain

template <>
struct std::hash<coffee::domain::OrderId> {
  std::size_t operator()(const coffee::domain::OrderId& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};
