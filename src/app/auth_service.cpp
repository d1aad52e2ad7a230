#include "app/auth_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace coffee::app {

namespace {

AppError InvalidCredentials() {
  return AppError{ErrorCode::kInvalidCredentials, "Invalid email or password", {}, {}};
}

/// Email syntax and password policy for a new account, both reported at once.
std::optional<AppError> CheckNewCredentials(const std::string& email, std::string_view password) {
  ValidationErrors errors;
  if (!IsValidEmail(email)) errors.Add("email", "must be a valid email address");
  if (auto problem = CheckPasswordPolicy(password)) errors.Add("password", *problem);
  if (errors.empty()) return std::nullopt;
  return errors.ToError();
}

AppError InvalidRefresh(std::string details = "Invalid refresh token") {
  return AppError{ErrorCode::kInvalidToken, std::move(details), {}, {}};
}

}  // namespace

std::optional<std::string> CheckPasswordPolicy(std::string_view password) {
  std::vector<std::string> problems;
  if (password.size() < 8) problems.emplace_back("must be at least 8 characters");
  if (password.size() > 128) problems.emplace_back("must be at most 128 characters");
  auto has = [&](int (*pred)(int)) {
    return std::any_of(password.begin(), password.end(),
                       [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
  };
  if (!has(&::isupper)) problems.emplace_back("must contain an uppercase letter");
  if (!has(&::islower)) problems.emplace_back("must contain a lowercase letter");
  if (!has(&::isdigit)) problems.emplace_back("must contain a digit");
  if (problems.empty()) return std::nullopt;
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

std::string NormalizeEmail(std::string_view email) {
  const auto b = email.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const auto e = email.find_last_not_of(" \t");
  std::string out(email.substr(b, e - b + 1));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsValidEmail(std::string_view email) {
  if (email.empty() || email.size() > 254) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = email.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size() ||
      domain.front() == '-' || domain.find("..") != std::string_view::npos) {
    return false;
  }
  return std::none_of(email.begin(), email.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
           c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']';
  });
}

AuthService::AuthService(Store& store, PasswordHasher& hasher, TokenService& tokens,
                         const Clock& clock, std::chrono::hours refresh_ttl,
                         LoginLimiter& login_limiter)
    : store_(store),
      hasher_(hasher),
      tokens_(tokens),
      clock_(clock),
      refresh_ttl_(refresh_ttl),
      dummy_hash_(hasher.Hash("timing-equaliser-not-a-password")),
      login_limiter_(login_limiter) {}

AuthTokens AuthService::IssueTokens(Tx& tx, const domain::User& user,
                                    const std::string& family_id) {
  const auto now = clock_.Now();
  AccessClaims claims{user.id, user.email,       user.role,
                      now,     now + kAccessTtl, tx.Users().TokenVersion(user.id)};
  AuthTokens out;
  out.access_token = tokens_.IssueAccess(claims);
  out.refresh_token = tokens_.NewRefreshToken();
  out.expires_in = std::chrono::duration_cast<std::chrono::seconds>(kAccessTtl).count();
  out.user = user;
  tx.RefreshTokens().Insert(user.id, family_id, tokens_.HashRefreshToken(out.refresh_token),
                            now + refresh_ttl_);
  return out;
}

Outcome<AuthTokens> AuthService::Register(std::string_view email_in, std::string_view password) {
  const std::string email = NormalizeEmail(email_in);
  if (auto invalid = CheckNewCredentials(email, password)) return *invalid;

  const std::string hash = hasher_.Hash(password);
  std::optional<AuthTokens> result;
  store_.Write([&](Tx& tx) {
    auto user = tx.Users().Create(email, hash, domain::Role::kUser);
    if (!user) return false;
    result = IssueTokens(tx, *user, tokens_.NewFamilyId());
    return true;
  });
  if (!result) {
    return AppError{ErrorCode::kEmailExists, "An account with this email already exists", {}, {}};
  }
  return std::move(*result);
}

LoginResult AuthService::Login(std::string_view email_in, std::string_view password,
                               std::string_view client) {
  const std::string email = NormalizeEmail(email_in);
  // Before any lookup or hashing, and the same for unknown emails as for accounts.
  const auto started = clock_.Now();
  const LimitDecision gate = login_limiter_.Begin(email, client, started);
  if (!gate.allowed) {
    const std::string seconds = std::to_string(gate.retry_after.count());
    return LoginResult{AppError{ErrorCode::kRateLimited,
                                "Too many failed login attempts; retry in " + seconds + " seconds",
                                {},
                                {}},
                       gate.retry_after};
  }
  try {
    ReloadTokenVersionsIfStale();
    std::optional<domain::User> user;
    if (!email.empty()) store_.Read([&](Tx& tx) { user = tx.Users().FindByEmail(email); });
    if (!user) {
      (void)hasher_.Verify(dummy_hash_, password);
      return LoginResult{InvalidCredentials()};
    }
    if (!hasher_.Verify(user->password_hash, password)) return LoginResult{InvalidCredentials()};
    std::optional<AuthTokens> result;
    store_.Write([&](Tx& tx) {
      result = IssueTokens(tx, *user, tokens_.NewFamilyId());
      return true;
    });
    login_limiter_.Succeeded(email, client, started);
    return LoginResult{std::move(*result)};
  } catch (...) {
    // No verdict (e.g. the database is down): the attempt must not count as a failure.
    login_limiter_.Abandoned(email, client, started);
    throw;
  }
}

Outcome<AuthTokens> AuthService::Refresh(std::string_view refresh_token) {
  if (refresh_token.empty()) return AppError::Validation("refresh_token", "is required");
  ReloadTokenVersionsIfStale();
  const std::string hash = tokens_.HashRefreshToken(refresh_token);
  const auto now = clock_.Now();
  std::optional<Outcome<AuthTokens>> result;
  store_.Write([&](Tx& tx) {
    auto stored = tx.RefreshTokens().FindByHash(hash);
    if (!stored || stored->revoked) {
      result.emplace(InvalidRefresh());
      return false;
    }
    if (stored->used || !tx.RefreshTokens().MarkUsed(stored->id)) {
      // A second use of one token means it leaked: end every session of that login.
      tx.RefreshTokens().RevokeFamily(stored->family_id);
      result.emplace(InvalidRefresh("Refresh token reuse detected; the session was revoked"));
      return true;
    }
    if (stored->expires_at < now) {
      result.emplace(AppError{ErrorCode::kTokenExpired, "Refresh token has expired", {}, {}});
      return true;
    }
    auto user = tx.Users().FindById(stored->user_id);
    if (!user) {
      result.emplace(InvalidRefresh());
      return false;
    }
    result.emplace(IssueTokens(tx, *user, stored->family_id));
    return true;
  });
  return std::move(*result);
}

Status AuthService::Logout(std::string_view refresh_token) {
  if (refresh_token.empty()) return AppError::Validation("refresh_token", "is required");
  const std::string hash = tokens_.HashRefreshToken(refresh_token);
  bool found = false;
  store_.Write([&](Tx& tx) {
    auto stored = tx.RefreshTokens().FindByHash(hash);
    if (!stored) return false;
    found = true;
    tx.RefreshTokens().RevokeFamily(stored->family_id);
    return true;
  });
  if (!found) return InvalidRefresh();
  return Ok{};
}

std::int64_t AuthService::RevokeAccessTokens(Tx& tx, domain::UserId id) {
  const std::int64_t version = tx.Users().BumpTokenVersion(id);
  if (version > 0) {
    tx.Announce(kTokenVersionChannel, std::to_string(id.value) + ":" + std::to_string(version));
  }
  return version;
}

Outcome<AuthTokens> AuthService::ChangePassword(domain::UserId id,
                                                std::string_view current_password,
                                                std::string_view new_password) {
  if (auto problem = CheckPasswordPolicy(new_password)) {
    return AppError::Validation("new_password", *problem);
  }
  std::optional<domain::User> user;
  store_.Read([&](Tx& tx) { user = tx.Users().FindById(id); });
  if (!user) return AppError{ErrorCode::kInvalidToken, "Invalid token", {}, {}};
  if (!hasher_.Verify(user->password_hash, current_password)) {
    return AppError::Validation("current_password", "is not the account's password");
  }
  const std::string hash = hasher_.Hash(new_password);
  std::optional<AuthTokens> result;
  std::int64_t version = 0;
  store_.Write([&](Tx& tx) {
    if (!tx.Users().UpdatePasswordHash(id, hash)) return false;
    tx.RefreshTokens().RevokeUser(id);
    version = RevokeAccessTokens(tx, id);
    result = IssueTokens(tx, *user, tokens_.NewFamilyId());
    return true;
  });
  if (!result) return AppError{ErrorCode::kInvalidToken, "Invalid token", {}, {}};
  versions_.Raise(id, version);
  return std::move(*result);
}

void AuthService::LoadTokenVersions() {
  std::vector<std::pair<domain::UserId, std::int64_t>> versions;
  store_.Read([&](Tx& tx) { versions = tx.Users().TokenVersions(); });
  versions_.Replace(versions);
}

void AuthService::ReloadTokenVersionsIfStale() {
  if (versions_.stale()) LoadTokenVersions();
}

void AuthService::OnTokenVersionNotice(const ChangeNotice& notice) {
  if (notice.missed) {
    // The feed was cut off and is back: changes made meanwhile by other instances are read now,
    // so an old token stops verifying here without waiting for a login, refresh or /me.
    versions_.MarkStale();
    try {
      LoadTokenVersions();
    } catch (const std::exception& e) {
      spdlog::warn(
          "Token versions not reloaded after the change feed reconnected ({}); the next "
          "login, refresh or /me reloads them",
          e.what());
    }
    return;
  }
  const auto colon = notice.payload.find(':');
  if (colon == std::string::npos) return;
  std::int64_t id = 0;
  std::int64_t version = 0;
  const char* text = notice.payload.data();
  const auto [id_end, id_ec] = std::from_chars(text, text + colon, id);
  const auto [v_end, v_ec] =
      std::from_chars(text + colon + 1, text + notice.payload.size(), version);
  if (id_ec != std::errc{} || v_ec != std::errc{} || id_end != text + colon ||
      v_end != text + notice.payload.size()) {
    return;
  }
  versions_.Raise(domain::UserId{id}, version);
}

Outcome<domain::User> AuthService::Me(domain::UserId id) {
  ReloadTokenVersionsIfStale();
  std::optional<domain::User> user;
  store_.Read([&](Tx& tx) { user = tx.Users().FindById(id); });
  if (!user) return AppError{ErrorCode::kInvalidToken, "Invalid token", {}, {}};
  return std::move(*user);
}

Outcome<UserPage> AuthService::ListUsers(std::int64_t page, std::int64_t limit) {
  UserPage out;
  store_.Read([&](Tx& tx) {
    out.users = tx.Users().List((page - 1) * limit, limit);
    out.total = tx.Users().Count();
  });
  return out;
}

Outcome<domain::User> AuthService::ChangeRole(domain::UserId actor, domain::UserId target,
                                              domain::Role role) {
  if (actor == target) return AppError::Forbidden("Admins cannot change their own role");
  std::optional<domain::User> updated;
  std::int64_t version = 0;
  store_.Write([&](Tx& tx) {
    auto before = tx.Users().FindById(target);
    if (!before || !tx.Users().UpdateRole(target, role)) return false;
    // The new role takes effect on the user's next request: older tokens stop verifying.
    version = RevokeAccessTokens(tx, target);
    updated = tx.Users().FindById(target);
    ConfigChange change;
    change.actor_id = actor;
    change.entity = "user_role";
    change.entity_id = std::to_string(target.value);
    change.action = "update";
    change.before_json = R"({"role":")" + std::string(domain::ToString(before->role)) + R"("})";
    change.after_json = R"({"role":")" + std::string(domain::ToString(role)) + R"("})";
    tx.Audit().InsertConfigChange(change);
    return true;
  });
  if (!updated)
    return AppError::NotFound("User with id " + std::to_string(target.value) + " not found");
  versions_.Raise(target, version);
  return std::move(*updated);
}

Outcome<domain::User> AuthService::CreateAdmin(std::string_view email_in, std::string_view password,
                                               bool& created) {
  const std::string email = NormalizeEmail(email_in);
  if (auto invalid = CheckNewCredentials(email, password)) return *invalid;
  const std::string hash = hasher_.Hash(password);
  std::optional<domain::User> user;
  store_.Write([&](Tx& tx) {
    if (auto existing = tx.Users().FindByEmail(email)) {
      tx.Users().UpdateRole(existing->id, domain::Role::kAdmin);
      tx.Users().UpdatePasswordHash(existing->id, hash);
      tx.RefreshTokens().RevokeUser(existing->id);
      RevokeAccessTokens(tx, existing->id);
      user = tx.Users().FindById(existing->id);
      created = false;
    } else {
      user = tx.Users().Create(email, hash, domain::Role::kAdmin);
      created = true;
    }
    return user.has_value();
  });
  if (!user) return AppError::Conflict("Could not create the admin account");
  return std::move(*user);
}

Outcome<AccessClaims> AuthService::Authenticate(std::string_view bearer_token) {
  auto claims = tokens_.VerifyAccess(bearer_token, clock_.Now());
  if (claims && claims->version < versions_.Get(claims->user_id)) {
    return AppError{ErrorCode::kInvalidToken,
                    "Token was revoked: the account's role or password changed; sign in again",
                    {},
                    {}};
  }
  return claims;
}

}  // namespace coffee::app
