#pragma once

#include <chrono>
#include <string_view>

#include "domain/time.hpp"

namespace coffee::app {

/// A limiter's answer to one attempt.
struct LimitDecision {
  bool allowed = true;
  /// When refused: whole seconds (at least 1) until an attempt would be allowed (`Retry-After`).
  std::chrono::seconds retry_after{0};
};

/// The per-client budgets a request spends (SPEC §7). Every request spends the overall budget,
/// as a read (GET, HEAD, OPTIONS) or a write (any other method): one bucket in a limiter that
/// keeps them alike; a limiter may keep them apart (e.g. writes shared by every instance,
/// reads per instance).
enum class RequestBudget {
  kRead,         ///< the overall budget, spent by a read
  kWrite,        ///< the overall budget, spent by a write (orders among them)
  kCredentials,  ///< login, register and refresh, on top of the overall budget
};

/// Per-client request rate limits. The server reaches them only through this port, so an
/// implementation shared by several instances (e.g. in the database) can replace the in-memory
/// one without touching http/.
class RequestLimiter {
 public:
  virtual ~RequestLimiter() = default;
  /// Spends one request of `budget` for `client` (an address), or refuses with the wait.
  virtual LimitDecision Take(RequestBudget budget, std::string_view client) = 0;
  /// True when Take of `budget` may block (a database round trip): the server then calls it on
  /// a worker thread, never on an I/O thread.
  [[nodiscard]] virtual bool Blocking(RequestBudget /*budget*/) const { return false; }
};

/// Throttling of failed logins per account (SPEC §3), reached by the auth use case through this
/// port so that it can be shared by several instances.
class LoginLimiter {
 public:
  virtual ~LoginLimiter() = default;
  /// Before the password is checked: refuses when `client` used up its failures against
  /// `account`, or the account is over its cap. An allowed attempt counts as a failure from `now`
  /// until Succeeded or Abandoned says otherwise.
  virtual LimitDecision Begin(std::string_view account, std::string_view client,
                              domain::Instant now) = 0;
  /// The attempt begun at `started` had the right password.
  virtual void Succeeded(std::string_view account, std::string_view client,
                         domain::Instant started) = 0;
  /// The attempt begun at `started` ended without a verdict (e.g. the database was down).
  virtual void Abandoned(std::string_view account, std::string_view client,
                         domain::Instant started) = 0;
};

}  // namespace coffee::app
