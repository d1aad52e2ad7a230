#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "app/login_throttle.hpp"
#include "app/ports/limits.hpp"
#include "storage/postgres/pool.hpp"

namespace coffee::storage::postgres {

/// The limits every instance on one PostgreSQL database shares (issue 15; tables of migration
/// 0005): per-client request token buckets and the failed-login throttle. Each decision is one
/// round trip on a small pool of its own, so limit checks never wait for an order's connection
/// nor hold one. Exact under concurrency: a row lock (buckets) or an advisory lock per account
/// (logins) orders concurrent decisions on every instance.
class SharedLimits {
 public:
  /// Connects lazily to `url` with at most `pool_size` connections; each statement is bounded
  /// by `query_timeout` (DATABASE_QUERY_TIMEOUT).
  SharedLimits(const std::string& url, int pool_size, std::chrono::milliseconds query_timeout);
  SharedLimits(const SharedLimits&) = delete;
  SharedLimits& operator=(const SharedLimits&) = delete;

  /// A request limiter with the same budgets as http::InMemoryRequestLimiter: `per_minute` for
  /// every request (burst the same) and `credentials_per_minute` for the credential routes
  /// (burst min(5, it)). Lives no longer than this object.
  std::unique_ptr<app::RequestLimiter> MakeRequestLimiter(int per_minute,
                                                          int credentials_per_minute);
  /// A login limiter with the sliding windows of app::LoginThrottle (max_entries does not
  /// apply: expired rows are deleted instead). Lives no longer than this object.
  std::unique_ptr<app::LoginLimiter> MakeLoginLimiter(app::LoginThrottleLimits limits);

  /// Runs `fn` on a pooled connection; a connection found dead is reopened and `fn` retried
  /// once, unless the server did not answer at all.
  template <typename Fn>
  auto WithConnection(Fn&& fn) {
    auto lease = pool_.Acquire();
    try {
      return fn(*lease);
    } catch (const ServerNotAnswering&) {
      throw;
    } catch (const app::DatabaseUnavailable&) {
      lease->EnsureOpen();
      return fn(*lease);
    }
  }

 private:
  Pool pool_;
};

}  // namespace coffee::storage::postgres
