#include "storage/postgres/shared_limits.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "storage/postgres/connection.hpp"
#include "storage/postgres/conninfo.hpp"

namespace coffee::storage::postgres {

namespace {

/// Each pooled connection waits at most this long for a free one, like the main pool.
constexpr auto kAcquireTimeout = std::chrono::seconds(5);
/// How often expired rows (full buckets, failures out of their window) are deleted.
constexpr auto kSweepInterval = std::chrono::seconds(60);
/// The same bounds on keys as app::LoginThrottle.
constexpr std::size_t kMaxAccountKey = 254;
constexpr std::size_t kMaxClientKey = 64;

/// Takes one token of ($1 budget, $2 client) if there is one; $3 is the burst and $4 the
/// tokens regained per second. Answers whether it took one and the tokens left (before the take
/// when refused). Every refill expression reads the row as it was before this statement.
constexpr Statement kTakeToken{
    "limits_take_token",
    "INSERT INTO shared_rate_buckets AS b (budget, client, tokens, allowed, updated_at) "
    "VALUES ($1, $2, $3::float8 - 1, true, statement_timestamp()) "
    "ON CONFLICT (budget, client) DO UPDATE SET "
    "tokens = coffee_bucket_refill(b.tokens, b.updated_at, $3, $4) "
    "- CASE WHEN coffee_bucket_refill(b.tokens, b.updated_at, $3, $4) >= 1 THEN 1 ELSE 0 END, "
    "allowed = coffee_bucket_refill(b.tokens, b.updated_at, $3, $4) >= 1, "
    "updated_at = GREATEST(b.updated_at, statement_timestamp()) "
    "RETURNING allowed, tokens"};

/// Deletes the buckets of budget $1 idle for $2 seconds or more: they are full again.
constexpr Statement kSweepBuckets{
    "limits_sweep_buckets",
    "DELETE FROM shared_rate_buckets WHERE budget = $1 "
    "AND updated_at < statement_timestamp() - make_interval(secs => $2::float8)"};

constexpr Statement kLoginBegin{
    "limits_login_begin",
    "SELECT coffee_login_begin($1, $2, $3::timestamptz, make_interval(secs => $4::float8), "
    "$5::int, $6::int, make_interval(secs => $7::float8))"};

constexpr Statement kLoginForget{"limits_login_forget",
                                 "SELECT coffee_login_forget($1, $2, $3::timestamptz, $4::bool)"};

/// Deletes failures older than the window ($1 seconds before $2) and known addresses not seen
/// for $3 seconds, for every account at once.
constexpr Statement kSweepLogins{
    "limits_sweep_logins",
    "WITH p AS (DELETE FROM login_pair_failures "
    "           WHERE failed_at <= $2::timestamptz - make_interval(secs => $1::float8)), "
    "a AS (DELETE FROM login_account_failures "
    "      WHERE failed_at <= $2::timestamptz - make_interval(secs => $1::float8)) "
    "DELETE FROM login_known_clients "
    "WHERE last_login <= $2::timestamptz - make_interval(secs => $3::float8)"};

std::string AccountKey(std::string_view account) {
  if (account.size() > kMaxAccountKey) return "\x01too-long";
  return std::string(account);
}

std::string ClientKey(std::string_view client) {
  return std::string(client.substr(0, kMaxClientKey));
}

/// True at most once per kSweepInterval over all threads: time to delete expired rows.
class SweepClock {
 public:
  bool Due() {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    const auto interval =
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(kSweepInterval);
    auto last = last_.load(std::memory_order_relaxed);
    if (last != 0 && now.count() - last < interval.count()) return false;
    return last_.compare_exchange_strong(last, now.count(), std::memory_order_relaxed);
  }

 private:
  std::atomic<std::chrono::steady_clock::rep> last_{0};
};

/// Whole seconds, at least 1, for `Retry-After`.
std::chrono::seconds RetryAfter(double seconds) {
  return std::chrono::seconds{std::max<long long>(1, static_cast<long long>(std::ceil(seconds)))};
}

/// One token bucket per (budget, client) in shared_rate_buckets.
class SharedRequestLimiter final : public app::RequestLimiter {
 public:
  SharedRequestLimiter(SharedLimits& limits, int per_minute, int credentials_per_minute)
      : limits_(limits),
        all_{"all", std::max(1, per_minute), std::max(1, per_minute)},
        credentials_{"credentials", std::max(1, credentials_per_minute),
                     std::min(5, std::max(1, credentials_per_minute))} {}

  app::LimitDecision Take(app::RequestBudget budget, std::string_view client) override {
    const Budget& b = budget == app::RequestBudget::kCredentials ? credentials_ : all_;
    try {
      if (sweep_.Due()) Sweep();
      return limits_.WithConnection([&](Connection& conn) {
        const Result result = conn.Run(
            kTakeToken,
            Params().Text(b.name).Text(ClientKey(client)).Real(b.burst).Real(b.PerSecond()));
        RowReader row(result, 0);
        const bool allowed = row.Bool();
        const double tokens = row.Real();
        if (allowed) return app::LimitDecision{};
        return app::LimitDecision{false, RetryAfter((1.0 - tokens) / b.PerSecond())};
      });
    } catch (const std::exception& e) {
      // A database outage must not turn every request into a 429: the request goes on and
      // meets the outage (503) where it needs the database.
      spdlog::warn("shared rate limit unavailable, request allowed: {}", e.what());
      return app::LimitDecision{};
    }
  }

  [[nodiscard]] bool Blocking(app::RequestBudget /*budget*/) const override { return true; }

 private:
  struct Budget {
    const char* name;
    int per_minute;
    int burst;
    [[nodiscard]] double PerSecond() const { return per_minute / 60.0; }
    /// Seconds from empty to full: a bucket idle that long is full and can be forgotten.
    [[nodiscard]] double RefillSeconds() const { return burst / PerSecond(); }
  };

  void Sweep() {
    limits_.WithConnection([&](Connection& conn) {
      for (const Budget* b : {&all_, &credentials_}) {
        conn.Run(kSweepBuckets, Params().Text(b->name).Real(b->RefillSeconds()));
      }
    });
  }

  SharedLimits& limits_;
  Budget all_;
  Budget credentials_;
  SweepClock sweep_;
};

/// app::LoginThrottle's windows in login_pair_failures, login_account_failures and
/// login_known_clients.
class SharedLoginLimiter final : public app::LoginLimiter {
 public:
  SharedLoginLimiter(SharedLimits& limits, app::LoginThrottleLimits config)
      : limits_(limits), config_(config) {
    config_.failures_per_client = std::max(1, config_.failures_per_client);
    config_.failures_per_account = std::max(1, config_.failures_per_account);
  }

  app::LimitDecision Begin(std::string_view account, std::string_view client,
                           domain::Instant now) override {
    if (sweep_.Due()) Sweep(now);
    const double wait = limits_.WithConnection([&](Connection& conn) {
      const Result result =
          conn.Run(kLoginBegin, Params()
                                    .Text(AccountKey(account))
                                    .Text(ClientKey(client))
                                    .Time(now)
                                    .Real(static_cast<double>(config_.window.count()))
                                    .Int(config_.failures_per_client)
                                    .Int(config_.failures_per_account)
                                    .Real(static_cast<double>(config_.remember_client.count())));
      return RowReader(result, 0).Real();
    });
    if (wait <= 0) return app::LimitDecision{};
    return app::LimitDecision{false, RetryAfter(wait)};
  }

  void Succeeded(std::string_view account, std::string_view client,
                 domain::Instant started) override {
    Forget(account, client, started, true);
  }

  void Abandoned(std::string_view account, std::string_view client,
                 domain::Instant started) override {
    Forget(account, client, started, false);
  }

 private:
  /// Never throws: the login already has its verdict; a failure left counting expires with
  /// its window.
  void Forget(std::string_view account, std::string_view client, domain::Instant started,
              bool succeeded) noexcept {
    try {
      limits_.WithConnection([&](Connection& conn) {
        conn.Run(kLoginForget, Params()
                                   .Text(AccountKey(account))
                                   .Text(ClientKey(client))
                                   .Time(started)
                                   .Bool(succeeded));
      });
    } catch (const std::exception& e) {
      spdlog::warn("shared login throttle: could not record the end of an attempt: {}", e.what());
    }
  }

  void Sweep(domain::Instant now) {
    try {
      limits_.WithConnection([&](Connection& conn) {
        conn.Run(kSweepLogins, Params()
                                   .Real(static_cast<double>(config_.window.count()))
                                   .Time(now)
                                   .Real(static_cast<double>(config_.remember_client.count())));
      });
    } catch (const std::exception& e) {
      spdlog::warn("shared login throttle: sweep failed: {}", e.what());
    }
  }

  SharedLimits& limits_;
  app::LoginThrottleLimits config_;
  SweepClock sweep_;
};

}  // namespace

SharedLimits::SharedLimits(const std::string& url, int pool_size,
                           std::chrono::milliseconds query_timeout)
    : pool_(ConnectSpec{url, PasswordOf(url), query_timeout}, pool_size, kAcquireTimeout) {}

std::unique_ptr<app::RequestLimiter> SharedLimits::MakeRequestLimiter(int per_minute,
                                                                      int credentials_per_minute) {
  return std::make_unique<SharedRequestLimiter>(*this, per_minute, credentials_per_minute);
}

std::unique_ptr<app::LoginLimiter> SharedLimits::MakeLoginLimiter(app::LoginThrottleLimits limits) {
  return std::make_unique<SharedLoginLimiter>(*this, limits);
}

}  // namespace coffee::storage::postgres
