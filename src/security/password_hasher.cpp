#include "security/password_hasher.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace coffee::security {

namespace {

/// Releases a semaphore permit on scope exit.
class Permit {
 public:
  explicit Permit(std::counting_semaphore<1024>& s) : s_(s) { s_.acquire(); }
  ~Permit() { s_.release(); }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  std::counting_semaphore<1024>& s_;
};

}  // namespace

Argon2PasswordHasher::Argon2PasswordHasher(int max_concurrent)
    : permits_(std::max(1, std::min(max_concurrent, 1024))) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

std::string Argon2PasswordHasher::Hash(std::string_view password) {
  Permit permit(permits_);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out.data();
}

bool Argon2PasswordHasher::Verify(std::string_view hash, std::string_view password) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::array<char, crypto_pwhash_STRBYTES> stored{};
  std::copy(hash.begin(), hash.end(), stored.begin());
  Permit permit(permits_);
  return crypto_pwhash_str_verify(stored.data(), password.data(), password.size()) == 0;
}

}  // namespace coffee::security
