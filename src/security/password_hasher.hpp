#pragma once

#include <semaphore>
#include <string>
#include <string_view>

#include "app/ports/auth.hpp"

namespace coffee::security {

/// Argon2id (libsodium crypto_pwhash_str) at the INTERACTIVE limits. At most
/// `max_concurrent` hashes run at once, so a login burst cannot exhaust memory (64 MiB each).
class Argon2PasswordHasher final : public app::PasswordHasher {
 public:
  explicit Argon2PasswordHasher(int max_concurrent);
  std::string Hash(std::string_view password) override;
  bool Verify(std::string_view hash, std::string_view password) override;

 private:
  std::counting_semaphore<1024> permits_;
};

}  // namespace coffee::security
