#include <chrono>

#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

// The email column and its unique index use COLLATE NOCASE, so `=` is case-insensitive.
constexpr std::string_view kFindUserByEmail =
    "SELECT id, email, password_hash, role, created_at FROM users WHERE email = ?1";
constexpr std::string_view kFindUserById =
    "SELECT id, email, password_hash, role, created_at FROM users WHERE id = ?1";
constexpr std::string_view kInsertUser =
    "INSERT INTO users (email, password_hash, role, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id, email, password_hash, role, created_at";
constexpr std::string_view kListUsers =
    "SELECT id, email, password_hash, role, created_at FROM users ORDER BY id LIMIT ?1 OFFSET ?2";
constexpr std::string_view kCountUsers = "SELECT count(*) FROM users";
constexpr std::string_view kUpdateUserRole =
    "UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1";
constexpr std::string_view kUpdateUserPassword =
    "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1";

constexpr std::string_view kTokenVersion = "SELECT token_version FROM users WHERE id = ?1";
constexpr std::string_view kBumpTokenVersion =
    "UPDATE users SET token_version = token_version + 1, updated_at = ?2 WHERE id = ?1 "
    "RETURNING token_version";
constexpr std::string_view kTokenVersions =
    "SELECT id, token_version FROM users WHERE token_version > 0 ORDER BY id";
constexpr std::string_view kRevokeUserRefreshTokens =
    "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?1 AND revoked = 0";

constexpr std::string_view kInsertRefreshToken =
    "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kFindRefreshToken =
    "SELECT id, user_id, family_id, token_hash, expires_at, used, revoked, created_at "
    "FROM refresh_tokens WHERE token_hash = ?1";
constexpr std::string_view kMarkRefreshTokenUsed =
    "UPDATE refresh_tokens SET used = 1 WHERE id = ?1 AND used = 0 AND revoked = 0";
constexpr std::string_view kRevokeRefreshFamily =
    "UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?1";

domain::User ReadUser(const Statement& row) {
  domain::User user;
  user.id = domain::UserId{row.Int(0)};
  user.email = row.Text(1);
  user.password_hash = row.Text(2);
  const auto role = domain::ParseRole(row.Text(3));
  if (!role)
    throw app::StorageError("sqlite: users id=" + std::to_string(user.id.value) +
                            ": unknown role " + row.Text(3));
  user.role = *role;
  user.created_at = ReadTimestamp(row.Text(4), "users.created_at");
  return user;
}

}  // namespace

domain::Instant Now() {
  return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

domain::Instant ReadTimestamp(const std::string& text, std::string_view what) {
  const auto t = domain::ParseTimestamp(text);
  if (!t) {
    throw app::StorageError("sqlite: " + std::string(what) + " is not a timestamp: " + text);
  }
  return *t;
}

std::optional<domain::User> UserRepository::FindByEmail(std::string_view email) {
  Statement stmt = conn_.Prepare(kFindUserByEmail);
  stmt.Bind(1, email);
  if (!stmt.Step()) return std::nullopt;
  return ReadUser(stmt);
}

std::optional<domain::User> UserRepository::FindById(domain::UserId id) {
  Statement stmt = conn_.Prepare(kFindUserById);
  stmt.Bind(1, id.value);
  if (!stmt.Step()) return std::nullopt;
  return ReadUser(stmt);
}

std::optional<domain::User> UserRepository::Create(std::string_view email,
                                                   std::string_view password_hash,
                                                   domain::Role role) {
  Statement stmt = conn_.Prepare(kInsertUser);
  stmt.Bind(1, email).Bind(2, password_hash).Bind(3, domain::ToString(role));
  stmt.Bind(4, domain::FormatTimestamp(Now()));
  bool has_row = false;
  const int constraint = stmt.StepOrConstraint(has_row);
  if (constraint == SQLITE_CONSTRAINT_UNIQUE || constraint == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return std::nullopt;
  }
  if (constraint != 0 || !has_row) {
    ThrowSqliteError(conn_.handle(), constraint != 0 ? constraint : SQLITE_ERROR, "insert user");
  }
  auto user = ReadUser(stmt);
  stmt.Run();
  return user;
}

std::vector<domain::User> UserRepository::List(std::int64_t offset, std::int64_t limit) {
  Statement stmt = conn_.Prepare(kListUsers);
  stmt.Bind(1, limit).Bind(2, offset);
  std::vector<domain::User> users;
  while (stmt.Step()) users.push_back(ReadUser(stmt));
  return users;
}

std::int64_t UserRepository::Count() {
  Statement stmt = conn_.Prepare(kCountUsers);
  stmt.Step();
  return stmt.Int(0);
}

bool UserRepository::UpdateRole(domain::UserId id, domain::Role role) {
  Statement stmt = conn_.Prepare(kUpdateUserRole);
  stmt.Bind(1, id.value).Bind(2, domain::ToString(role)).Bind(3, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

bool UserRepository::UpdatePasswordHash(domain::UserId id, std::string_view password_hash) {
  Statement stmt = conn_.Prepare(kUpdateUserPassword);
  stmt.Bind(1, id.value).Bind(2, password_hash).Bind(3, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

std::int64_t UserRepository::TokenVersion(domain::UserId id) {
  Statement stmt = conn_.Prepare(kTokenVersion);
  stmt.Bind(1, id.value);
  return stmt.Step() ? stmt.Int(0) : 0;
}

std::int64_t UserRepository::BumpTokenVersion(domain::UserId id) {
  Statement stmt = conn_.Prepare(kBumpTokenVersion);
  stmt.Bind(1, id.value).Bind(2, domain::FormatTimestamp(Now()));
  if (!stmt.Step()) return 0;
  const std::int64_t version = stmt.Int(0);
  stmt.Run();
  return version;
}

std::vector<std::pair<domain::UserId, std::int64_t>> UserRepository::TokenVersions() {
  Statement stmt = conn_.Prepare(kTokenVersions);
  std::vector<std::pair<domain::UserId, std::int64_t>> out;
  while (stmt.Step()) out.emplace_back(domain::UserId{stmt.Int(0)}, stmt.Int(1));
  return out;
}

void RefreshTokenRepository::Insert(domain::UserId user_id, std::string_view family_id,
                                    std::string_view token_hash, domain::Instant expires_at) {
  Statement stmt = conn_.Prepare(kInsertRefreshToken);
  stmt.Bind(1, user_id.value).Bind(2, family_id).Bind(3, token_hash);
  stmt.Bind(4, domain::FormatTimestamp(expires_at)).Bind(5, domain::FormatTimestamp(Now()));
  stmt.Run();
}

std::optional<app::RefreshToken> RefreshTokenRepository::FindByHash(std::string_view token_hash) {
  Statement stmt = conn_.Prepare(kFindRefreshToken);
  stmt.Bind(1, token_hash);
  if (!stmt.Step()) return std::nullopt;
  app::RefreshToken token;
  token.id = stmt.Int(0);
  token.user_id = domain::UserId{stmt.Int(1)};
  token.family_id = stmt.Text(2);
  token.token_hash = stmt.Text(3);
  token.expires_at = ReadTimestamp(stmt.Text(4), "refresh_tokens.expires_at");
  token.used = stmt.Int(5) != 0;
  token.revoked = stmt.Int(6) != 0;
  token.created_at = ReadTimestamp(stmt.Text(7), "refresh_tokens.created_at");
  return token;
}

bool RefreshTokenRepository::MarkUsed(std::int64_t id) {
  Statement stmt = conn_.Prepare(kMarkRefreshTokenUsed);
  stmt.Bind(1, id);
  stmt.Run();
  return conn_.Changes() > 0;
}

void RefreshTokenRepository::RevokeFamily(std::string_view family_id) {
  Statement stmt = conn_.Prepare(kRevokeRefreshFamily);
  stmt.Bind(1, family_id);
  stmt.Run();
}

void RefreshTokenRepository::RevokeUser(domain::UserId user_id) {
  Statement stmt = conn_.Prepare(kRevokeUserRefreshTokens);
  stmt.Bind(1, user_id.value);
  stmt.Run();
}

}  // namespace coffee::storage::sqlite
