#include <sodium.h>

#include <array>

#include "storage/database.hpp"

namespace coffee::storage {

std::string MigrationChecksum(std::string_view sql) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(sql.data()), sql.size());
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out += kHex[b >> 4U];
    out += kHex[b & 0xFU];
  }
  return out;
}

}  // namespace coffee::storage
