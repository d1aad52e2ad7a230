#include "domain/order_id.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <random>

namespace coffee::domain {

std::optional<OrderId> OrderId::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char& c = out[i];
    if (dash) {
      if (c != '-') return std::nullopt;
    } else if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return std::nullopt;
    }
  }
  return OrderId(std::move(out));
}

std::ostream& operator<<(std::ostream& out, const OrderId& id) { return out << id.str(); }

OrderId OrderId::New() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t high = rng();
  return FromRandom(high, rng());
}

OrderId OrderId::FromRandom(std::uint64_t high, std::uint64_t low) {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t k = 0; k < 8; ++k) {
    b[k] = static_cast<std::uint8_t>(high >> (8U * k));
    b[8 + k] = static_cast<std::uint8_t>(low >> (8U * k));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0FU) | 0x40U);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3FU) | 0x80U);  // RFC 4122 variant
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4U];
    out += kHex[b[i] & 0x0FU];
  }
  return OrderId(std::move(out));
}

}  // namespace coffee::domain
