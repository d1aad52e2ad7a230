#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/errors.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// Hashes and checks passwords (Argon2id). Blocking and CPU-heavy: call from a worker.
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual std::string Hash(std::string_view password) = 0;
  virtual bool Verify(std::string_view hash, std::string_view password) = 0;
};

/// Who an access token speaks for.
struct AccessClaims {
  domain::UserId user_id;
  std::string email;
  domain::Role role = domain::Role::kUser;
  domain::Instant issued_at;
  domain::Instant expires_at;
  /// The user's token version when the token was issued ("ver"; 0 when absent): a role or
  /// password change raises the user's version and older tokens stop verifying.
  std::int64_t version = 0;
};

/// Issues and checks access tokens and makes opaque refresh tokens.
class TokenService {
 public:
  virtual ~TokenService() = default;
  /// A signed access token for the claims.
  virtual std::string IssueAccess(const AccessClaims& claims) = 0;
  /// kInvalidToken or kTokenExpired on failure.
  virtual Outcome<AccessClaims> VerifyAccess(std::string_view token, domain::Instant now) = 0;
  /// A new random opaque refresh token (URL-safe text).
  virtual std::string NewRefreshToken() = 0;
  /// A new random token family id.
  virtual std::string NewFamilyId() = 0;
  /// The lowercase hex SHA-256 of a refresh token: what is stored.
  virtual std::string HashRefreshToken(std::string_view token) = 0;
};

/// The time now; injected so that tests can pin it.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual domain::Instant Now() const = 0;
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] domain::Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

}  // namespace coffee::app
