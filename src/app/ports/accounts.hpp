#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  /// Case-insensitive lookup.
  virtual std::optional<domain::User> FindByEmail(std::string_view email) = 0;
  virtual std::optional<domain::User> FindById(domain::UserId id) = 0;
  /// nullopt when the email exists already (case-insensitively, enforced by a unique index).
  virtual std::optional<domain::User> Create(std::string_view email, std::string_view password_hash,
                                             domain::Role role) = 0;
  /// Ordered by id.
  virtual std::vector<domain::User> List(std::int64_t offset, std::int64_t limit) = 0;
  virtual std::int64_t Count() = 0;
  /// false when no such user.
  virtual bool UpdateRole(domain::UserId id, domain::Role role) = 0;
  /// Replaces the password hash (admin create on an existing email); false when no such user.
  virtual bool UpdatePasswordHash(domain::UserId id, std::string_view password_hash) = 0;
  /// The user's token version (what new access tokens carry); 0 when no such user.
  virtual std::int64_t TokenVersion(domain::UserId id) = 0;
  /// Increments the token version, so tokens issued before stop verifying; the new version, or
  /// 0 when no such user.
  virtual std::int64_t BumpTokenVersion(domain::UserId id) = 0;
  /// Every user whose token version is above 0, with it.
  virtual std::vector<std::pair<domain::UserId, std::int64_t>> TokenVersions() = 0;
};

/// A stored refresh token: only the SHA-256 hash of the opaque token is kept.
struct RefreshToken {
  std::int64_t id = 0;
  domain::UserId user_id;
  std::string family_id;
  std::string token_hash;  // lowercase hex
  domain::Instant expires_at;
  bool used = false;
  bool revoked = false;
  domain::Instant created_at;
};

class RefreshTokenRepository {
 public:
  virtual ~RefreshTokenRepository() = default;
  virtual void Insert(domain::UserId user_id, std::string_view family_id,
                      std::string_view token_hash, domain::Instant expires_at) = 0;
  virtual std::optional<RefreshToken> FindByHash(std::string_view token_hash) = 0;
  /// Marks the token used only if it is neither used nor revoked; true if this call did it
  /// (so of two concurrent refreshes with one token exactly one wins).
  virtual bool MarkUsed(std::int64_t id) = 0;
  /// Revokes every token of the family.
  virtual void RevokeFamily(std::string_view family_id) = 0;
  /// Revokes every refresh token of the user (a password change).
  virtual void RevokeUser(domain::UserId user_id) = 0;
};

}  // namespace coffee::app
