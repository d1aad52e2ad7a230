#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/ports/limits.hpp"

namespace coffee::http {

/// The answer of RateLimiter::Check: when refused, whole seconds (at least 1) until a token is
/// available, for `Retry-After`.
using RateDecision = app::LimitDecision;

/// A thread-safe token-bucket limiter keyed by client (SPEC §7): each key may spend `burst`
/// requests at once and regains `per_minute` tokens per minute. Buckets live in mutex-guarded
/// shards; a bucket idle long enough to be full again is dropped (losslessly) by a periodic
/// sweep, and the number of buckets is capped so memory stays bounded under many clients.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// `per_minute` and `burst` must be at least 1; `max_entries` caps the tracked keys.
  RateLimiter(int per_minute, int burst, std::size_t max_entries = 100'000);

  /// Takes one token for `key` at time `now`; refuses (with the wait) when none is left.
  RateDecision Check(std::string_view key, Clock::time_point now);
  RateDecision Check(std::string_view key) { return Check(key, Clock::now()); }

  /// Keys tracked right now (for tests and metrics).
  [[nodiscard]] std::size_t Size() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    Clock::time_point last_sweep;
  };
  static constexpr std::size_t kShards = 16;

  /// Drops every bucket of `shard` that would be full again at `now` (caller holds the lock).
  void Sweep(Shard& shard, Clock::time_point now) const;

  double per_second_;
  double burst_;
  std::chrono::nanoseconds refill_time_;  // from empty to full
  std::size_t shard_cap_;
  std::array<Shard, kShards> shards_;
};

/// The in-memory, per-instance implementation of the request-limiter port: a token bucket per
/// client for every request (burst = the per-minute rate) and one for the credential routes
/// (burst = min(5, their per-minute rate)).
class InMemoryRequestLimiter final : public app::RequestLimiter {
 public:
  InMemoryRequestLimiter(int per_minute, int credentials_per_minute);
  app::LimitDecision Take(app::RequestBudget budget, std::string_view client) override;

 private:
  RateLimiter all_;
  RateLimiter credentials_;
};

/// Reads spend `reads` (typically in memory, per instance); writes and the credential routes
/// spend `shared` (typically in the database, exact across instances). Neither is owned.
class SplitRequestLimiter final : public app::RequestLimiter {
 public:
  SplitRequestLimiter(app::RequestLimiter& reads, app::RequestLimiter& shared)
      : reads_(reads), shared_(shared) {}
  app::LimitDecision Take(app::RequestBudget budget, std::string_view client) override;
  [[nodiscard]] bool Blocking(app::RequestBudget budget) const override;

 private:
  app::RequestLimiter& reads_;
  app::RequestLimiter& shared_;
};

/// The address to rate-limit a request by: the TCP peer, unless the peer is one of
/// `trusted_proxies`; then the right-most address of `X-Forwarded-For` (all values, in order)
/// that is not itself a trusted proxy, so a client cannot escape by prepending fake hops.
std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

}  // namespace coffee::http
