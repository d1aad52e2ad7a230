#include "storage/order_columns.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

// Every statement here is listed in BatchCache (batch_cache.cpp): none may change an order, a
// coffee or a review.
constexpr Statement kIdempotencyFind{
    "idempotency_find",
    "SELECT request_hash, status_code, response_body, order_id, expires_at "
    "FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2 AND expires_at >= $3"};
constexpr Statement kIdempotencyDeleteExpiredKey{
    "idempotency_delete_expired_key",
    "DELETE FROM idempotency_keys "
    "WHERE user_id = $1 AND idempotency_key = $2 AND expires_at < $3"};
// A concurrent uncommitted insert of the same key makes this wait for it, then do nothing:
// the requests of one key are serialized and the loser's transaction stays usable.
constexpr Statement kIdempotencyInsert{
    "idempotency_insert",
    "INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, status_code, "
    "response_body, order_id, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6::uuid, $7, $8) ON CONFLICT DO NOTHING"};
constexpr Statement kIdempotencyDeleteExpired{"idempotency_delete_expired",
                                              "DELETE FROM idempotency_keys WHERE expires_at < $1"};

}  // namespace

std::optional<app::IdempotentResponse> IdempotencyRepository::Find(domain::UserId user,
                                                                   std::string_view key,
                                                                   domain::Instant now) {
  const Result result = conn_.Run(kIdempotencyFind, Params().Int(user.value).Text(key).Time(now));
  if (result.Rows() == 0) return std::nullopt;
  RowReader r(result, 0);
  app::IdempotentResponse response;
  response.request_hash = r.String();
  response.status_code = r.Int();
  response.response_body = r.String();
  response.order_id = ReadOptOrderId(r.OptString(), "idempotency_keys.order_id");
  response.expires_at = r.Time();
  return response;
}

bool IdempotencyRepository::Insert(domain::UserId user, std::string_view key,
                                   const app::IdempotentResponse& response, domain::Instant now) {
  conn_.Run(kIdempotencyDeleteExpiredKey, Params().Int(user.value).Text(key).Time(now));
  return conn_
             .Run(kIdempotencyInsert, Params()
                                          .Int(user.value)
                                          .Text(key)
                                          .Text(response.request_hash)
                                          .Int(response.status_code)
                                          .Text(response.response_body)
                                          .OptText(OrderIdText(response.order_id))
                                          .Time(now)
                                          .Time(response.expires_at))
             .Affected() == 1;
}

std::int64_t IdempotencyRepository::DeleteExpired(domain::Instant now) {
  return conn_.Run(kIdempotencyDeleteExpired, Params().Time(now)).Affected();
}

}  // namespace coffee::storage::postgres
