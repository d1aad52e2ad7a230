#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "app/auth_token_versions.hpp"
#include "app/errors.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/limits.hpp"
#include "app/ports/store.hpp"

namespace coffee::app {

/// "must be at least 8 characters, must contain an uppercase letter, …" or nullopt if fine.
std::optional<std::string> CheckPasswordPolicy(std::string_view password);
/// Syntactic email check (one @, non-empty local part, dotted domain, no spaces, ≤ 254 chars).
bool IsValidEmail(std::string_view email);
/// Trimmed and lower-cased: how emails are stored and compared.
std::string NormalizeEmail(std::string_view email);

/// What register, login and refresh return.
struct AuthTokens {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;  // seconds
  domain::User user;
};

/// What Login returns: the tokens or an error, and for a throttled attempt (429) the wait.
struct LoginResult {
  Outcome<AuthTokens> outcome;
  /// Non-zero only when the login throttle refused the attempt: the `Retry-After` value.
  std::chrono::seconds retry_after{0};
};

struct UserPage {
  std::vector<domain::User> users;
  std::int64_t total = 0;
};

/// Accounts and sessions (SPEC §3). Blocking: runs on a worker thread.
class AuthService {
 public:
  static constexpr std::chrono::minutes kAccessTtl{15};

  AuthService(Store& store, PasswordHasher& hasher, TokenService& tokens, const Clock& clock,
              std::chrono::hours refresh_ttl, LoginLimiter& login_limiter);

  Outcome<AuthTokens> Register(std::string_view email, std::string_view password);
  /// Same work (one Argon2 verification) whether or not the email exists. `client` is the
  /// caller's address: failures are throttled per (email, client) and per email, and a
  /// throttled attempt is refused (kRateLimited) before any password is checked.
  LoginResult Login(std::string_view email, std::string_view password, std::string_view client);
  /// Rotates the token; a used token revokes its whole family.
  Outcome<AuthTokens> Refresh(std::string_view refresh_token);
  /// Revokes the token's family.
  Status Logout(std::string_view refresh_token);
  Outcome<domain::User> Me(domain::UserId id);
  /// POST /api/auth/password: checks the current password and the new one's policy, stores the
  /// new hash, revokes every refresh token of the user and every access token issued before
  /// (token version), and signs the caller in again with a new pair.
  Outcome<AuthTokens> ChangePassword(domain::UserId id, std::string_view current_password,
                                     std::string_view new_password);

  Outcome<UserPage> ListUsers(std::int64_t page, std::int64_t limit);
  Outcome<domain::User> ChangeRole(domain::UserId actor, domain::UserId target, domain::Role role);
  /// CLI: creates an admin, or promotes an existing account and sets its password.
  Outcome<domain::User> CreateAdmin(std::string_view email, std::string_view password,
                                    bool& created);

  /// Checks an access token (cheap: HMAC and an in-memory version lookup, safe on an I/O
  /// thread). A token issued before the user's last role or password change is refused.
  Outcome<AccessClaims> Authenticate(std::string_view bearer_token);

  /// Reads every user's token version (at start, and after the feed missed notices).
  void LoadTokenVersions();
  /// A notice on kTokenVersionChannel ("<user id>:<version>", or missed).
  void OnTokenVersionNotice(const ChangeNotice& notice);

 private:
  AuthTokens IssueTokens(Tx& tx, const domain::User& user, const std::string& family_id);
  /// In a write: raises the user's token version and announces it; the new version.
  std::int64_t RevokeAccessTokens(Tx& tx, domain::UserId id);
  /// Reloads the versions if the feed may have missed notices (worker threads only: login,
  /// refresh and /me call it, so a reconnected instance catches up on the next of them).
  void ReloadTokenVersionsIfStale();

  Store& store_;
  PasswordHasher& hasher_;
  TokenService& tokens_;
  const Clock& clock_;
  std::chrono::hours refresh_ttl_;
  std::string dummy_hash_;  // verified against for unknown emails, to equalise timing
  LoginLimiter& login_limiter_;
  TokenVersions versions_;
};

}  // namespace coffee::app
