#include <algorithm>

#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

constexpr Statement kUserFindByEmail{"user_find_by_email",
                                     "SELECT id, email, password_hash, role, created_at FROM users "
                                     "WHERE lower(email) = lower($1)"};
constexpr Statement kUserFindById{
    "user_find_by_id",
    "SELECT id, email, password_hash, role, created_at FROM users WHERE id = $1"};
constexpr Statement kUserCreate{
    "user_create",
    "INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING RETURNING id, email, password_hash, role, created_at"};
constexpr Statement kUserList{
    "user_list",
    "SELECT id, email, password_hash, role, created_at FROM users ORDER BY id "
    "OFFSET $1 LIMIT $2"};
constexpr Statement kUserCount{"user_count", "SELECT count(*) FROM users"};
constexpr Statement kUserUpdateRole{"user_update_role",
                                    "UPDATE users SET role = $2, updated_at = now() WHERE id = $1"};
constexpr Statement kUserUpdatePasswordHash{
    "user_update_password_hash",
    "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1"};

constexpr Statement kUserTokenVersion{"user_token_version",
                                      "SELECT token_version FROM users WHERE id = $1"};
constexpr Statement kUserBumpTokenVersion{
    "user_bump_token_version",
    "UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = $1 "
    "RETURNING token_version"};
constexpr Statement kUserTokenVersions{
    "user_token_versions",
    "SELECT id, token_version FROM users WHERE token_version > 0 ORDER BY id"};
constexpr Statement kTokenRevokeUser{
    "token_revoke_user",
    "UPDATE refresh_tokens SET revoked = true WHERE user_id = $1 AND NOT revoked"};

constexpr Statement kTokenInsert{
    "token_insert",
    "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) "
    "VALUES ($1, $2, $3, $4)"};
constexpr Statement kTokenFindByHash{
    "token_find_by_hash",
    "SELECT id, user_id, family_id, token_hash, expires_at, used, revoked, created_at "
    "FROM refresh_tokens WHERE token_hash = $1"};
constexpr Statement kTokenMarkUsed{
    "token_mark_used",
    "UPDATE refresh_tokens SET used = true WHERE id = $1 AND NOT used AND NOT revoked"};
constexpr Statement kTokenRevokeFamily{
    "token_revoke_family", "UPDATE refresh_tokens SET revoked = true WHERE family_id = $1"};

domain::User ReadUser(const Result& result, int row) {
  RowReader r(result, row);
  domain::User user;
  user.id = domain::UserId(r.Int64());
  user.email = r.String();
  user.password_hash = r.String();
  const std::string role = r.String();
  const auto parsed = domain::ParseRole(role);
  if (!parsed) throw DecodeError("users id=" + std::to_string(user.id.value) + ": role " + role);
  user.role = *parsed;
  user.created_at = r.Time();
  return user;
}

std::optional<domain::User> FirstUser(const Result& result) {
  if (result.Rows() == 0) return std::nullopt;
  return ReadUser(result, 0);
}

}  // namespace

std::optional<domain::User> UserRepository::FindByEmail(std::string_view email) {
  return FirstUser(conn_.Run(kUserFindByEmail, Params().Text(email)));
}

std::optional<domain::User> UserRepository::FindById(domain::UserId id) {
  return FirstUser(conn_.Run(kUserFindById, Params().Int(id.value)));
}

std::optional<domain::User> UserRepository::Create(std::string_view email,
                                                   std::string_view password_hash,
                                                   domain::Role role) {
  return FirstUser(
      conn_.Run(kUserCreate, Params().Text(email).Text(password_hash).Text(ToString(role))));
}

std::vector<domain::User> UserRepository::List(std::int64_t offset, std::int64_t limit) {
  const Result result = conn_.Run(
      kUserList,
      Params().Int(std::max<std::int64_t>(offset, 0)).Int(std::max<std::int64_t>(limit, 0)));
  std::vector<domain::User> users;
  users.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) users.push_back(ReadUser(result, i));
  return users;
}

std::int64_t UserRepository::Count() {
  const Result result = conn_.Run(kUserCount, Params());
  return RowReader(result, 0).Int64();
}

bool UserRepository::UpdateRole(domain::UserId id, domain::Role role) {
  return conn_.Run(kUserUpdateRole, Params().Int(id.value).Text(ToString(role))).Affected() > 0;
}

bool UserRepository::UpdatePasswordHash(domain::UserId id, std::string_view password_hash) {
  return conn_.Run(kUserUpdatePasswordHash, Params().Int(id.value).Text(password_hash)).Affected() >
         0;
}

std::int64_t UserRepository::TokenVersion(domain::UserId id) {
  const Result result = conn_.Run(kUserTokenVersion, Params().Int(id.value));
  return result.Rows() == 0 ? 0 : RowReader(result, 0).Int64();
}

std::int64_t UserRepository::BumpTokenVersion(domain::UserId id) {
  const Result result = conn_.Run(kUserBumpTokenVersion, Params().Int(id.value));
  return result.Rows() == 0 ? 0 : RowReader(result, 0).Int64();
}

std::vector<std::pair<domain::UserId, std::int64_t>> UserRepository::TokenVersions() {
  const Result result = conn_.Run(kUserTokenVersions, Params());
  std::vector<std::pair<domain::UserId, std::int64_t>> out;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const auto id = domain::UserId(r.Int64());
    out.emplace_back(id, r.Int64());
  }
  return out;
}

void RefreshTokenRepository::Insert(domain::UserId user_id, std::string_view family_id,
                                    std::string_view token_hash, domain::Instant expires_at) {
  conn_.Run(kTokenInsert,
            Params().Int(user_id.value).Text(family_id).Text(token_hash).Time(expires_at));
}

std::optional<app::RefreshToken> RefreshTokenRepository::FindByHash(std::string_view token_hash) {
  const Result result = conn_.Run(kTokenFindByHash, Params().Text(token_hash));
  if (result.Rows() == 0) return std::nullopt;
  RowReader r(result, 0);
  app::RefreshToken token;
  token.id = r.Int64();
  token.user_id = domain::UserId(r.Int64());
  token.family_id = r.String();
  token.token_hash = r.String();
  token.expires_at = r.Time();
  token.used = r.Bool();
  token.revoked = r.Bool();
  token.created_at = r.Time();
  return token;
}

bool RefreshTokenRepository::MarkUsed(std::int64_t id) {
  return conn_.Run(kTokenMarkUsed, Params().Int(id)).Affected() == 1;
}

void RefreshTokenRepository::RevokeFamily(std::string_view family_id) {
  conn_.Run(kTokenRevokeFamily, Params().Text(family_id));
}

void RefreshTokenRepository::RevokeUser(domain::UserId user_id) {
  conn_.Run(kTokenRevokeUser, Params().Int(user_id.value));
}

}  // namespace coffee::storage::postgres
