#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/order_id.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// The first response to a request made with an Idempotency-Key.
struct IdempotentResponse {
  std::string request_hash;  // hex SHA-256 of method, path and body
  int status_code = 0;
  std::string response_body;
  std::optional<domain::OrderId> order_id;
  domain::Instant expires_at;
};

class IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository() = default;
  /// The stored response for (user, key) unless it expired before `now`.
  virtual std::optional<IdempotentResponse> Find(domain::UserId user, std::string_view key,
                                                 domain::Instant now) = 0;
  /// Stores the response; an expired row for the key is replaced. false if an unexpired row
  /// exists (another request with the same key won): the caller rolls back and reads it.
  virtual bool Insert(domain::UserId user, std::string_view key, const IdempotentResponse& response,
                      domain::Instant now) = 0;
  /// Removes rows that expired before `now`; returns how many.
  virtual std::int64_t DeleteExpired(domain::Instant now) = 0;
};

}  // namespace coffee::app
