#include "storage/order_columns.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

// Timestamps are FormatTimestamp text (fixed width, UTC), so text comparison is time order.
constexpr std::string_view kFindIdempotentResponse =
    "SELECT request_hash, status_code, response_body, order_id, expires_at FROM idempotency_keys"
    " WHERE user_id = ?1 AND idempotency_key = ?2 AND expires_at >= ?3";
constexpr std::string_view kDeleteExpiredIdempotencyKey =
    "DELETE FROM idempotency_keys WHERE user_id = ?1 AND idempotency_key = ?2 AND expires_at < ?3";
constexpr std::string_view kInsertIdempotentResponse =
    "INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, status_code,"
    " response_body, order_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kDeleteExpiredIdempotencyKeys =
    "DELETE FROM idempotency_keys WHERE expires_at < ?1";

}  // namespace

std::optional<app::IdempotentResponse> IdempotencyRepository::Find(domain::UserId user,
                                                                   std::string_view key,
                                                                   domain::Instant now) {
  Statement stmt = conn_.Prepare(kFindIdempotentResponse);
  stmt.Bind(1, user.value).Bind(2, key).Bind(3, domain::FormatTimestamp(now));
  if (!stmt.Step()) return std::nullopt;
  app::IdempotentResponse r;
  r.request_hash = stmt.Text(0);
  r.status_code = static_cast<int>(stmt.Int(1));
  r.response_body = stmt.Text(2);
  r.order_id = ReadOptOrderId(stmt.OptText(3), "idempotency_keys.order_id");
  r.expires_at = ReadTimestamp(stmt.Text(4), "idempotency_keys.expires_at");
  return r;
}

bool IdempotencyRepository::Insert(domain::UserId user, std::string_view key,
                                   const app::IdempotentResponse& response, domain::Instant now) {
  const std::string now_text = domain::FormatTimestamp(now);
  {
    Statement stmt = conn_.Prepare(kDeleteExpiredIdempotencyKey);
    stmt.Bind(1, user.value).Bind(2, key).Bind(3, now_text);
    stmt.Run();
  }
  Statement stmt = conn_.Prepare(kInsertIdempotentResponse);
  stmt.Bind(1, user.value).Bind(2, key).Bind(3, response.request_hash);
  stmt.Bind(4, response.status_code)
      .Bind(5, response.response_body)
      .Bind(6, OrderIdText(response.order_id));
  stmt.Bind(7, now_text).Bind(8, domain::FormatTimestamp(response.expires_at));
  bool has_row = false;
  const int constraint = stmt.StepOrConstraint(has_row);
  if (constraint == SQLITE_CONSTRAINT_PRIMARYKEY || constraint == SQLITE_CONSTRAINT_UNIQUE) {
    return false;
  }
  if (constraint != 0) ThrowSqliteError(conn_.handle(), constraint, "insert idempotency key");
  return true;
}

std::int64_t IdempotencyRepository::DeleteExpired(domain::Instant now) {
  Statement stmt = conn_.Prepare(kDeleteExpiredIdempotencyKeys);
  stmt.Bind(1, domain::FormatTimestamp(now));
  stmt.Run();
  return conn_.Changes();
}

}  // namespace coffee::storage::sqlite
