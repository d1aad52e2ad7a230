#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/errors.hpp"

namespace coffee::config {

enum class LogFormat { kText, kJson };

/// Where the request rate limits and the login throttle keep their counts (LIMITS_STORE).
enum class LimitsStore {
  kAuto,      ///< in the database when it is PostgreSQL (shared by instances), else in memory
  kMemory,    ///< in memory, per instance
  kDatabase,  ///< in PostgreSQL, shared by every instance on the database
};

/// Every setting of the server, typed and validated once at start (SPEC §1).
struct Config {
  std::string database_url = "sqlite://data/coffee.db";
  int database_max_connections = 10;
  std::string sqlite_synchronous = "NORMAL";
  /// DATABASE_QUERY_TIMEOUT: the longest one query may take, waits for locks included; past it
  /// the query is cancelled and the request gets 503 (migrations and bulk loads excepted).
  std::chrono::milliseconds database_query_timeout{5000};
  /// DATABASE_WRITE_LANES: PostgreSQL only, the batches of writes one instance runs at once.
  int database_write_lanes = 2;
  std::string jwt_secret;  // empty until ResolveJwtSecret (development only)
  /// JWT_SECRET_PREVIOUS: also accepted when verifying (key rotation); never used to sign.
  std::string jwt_secret_previous;
  bool production = false;
  std::string app_env = "development";
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string log_level = "info";  // trace|debug|info|warn|error|critical|off
  LogFormat log_format = LogFormat::kText;
  std::chrono::seconds cache_ttl{60};
  std::string shop_timezone = "UTC";
  std::chrono::milliseconds slow_operation{100};
  int worker_threads = 0;  // I/O threads; 0 → number of cores
  std::vector<std::string> cors_origins;
  std::chrono::seconds request_timeout{30};  // reading a request body, writing a response
  std::chrono::seconds idle_timeout{60};     // keep-alive wait for the next request's first byte
  std::chrono::seconds header_timeout{10};   // reading a request's headers
  int max_connections = 10000;               // open connections; beyond → 503 and close
  std::chrono::seconds shutdown_grace{10};
  std::chrono::hours refresh_token_ttl{24 * 30};
  bool rate_limit_enabled = true;
  int rate_limit_auth_per_minute = 10;       // per client IP: login, register, refresh
  int rate_limit_per_minute = 600;           // per client IP: every request
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
  int login_failures_per_client = 5;         // per (email, client IP) within the window
  int login_failures_per_account = 50;       // per email, all addresses, within the window
  std::chrono::seconds login_failure_window{900};
  LimitsStore limits_store = LimitsStore::kAuto;
};

/// Looks a variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

/// Reads and validates the environment. All problems are reported at once, joined with "; ",
/// each naming the variable ("PORT: must be an integer between 0 and 65535 (got 'abc')").
app::Outcome<Config> LoadConfig(const EnvLookup& env);

/// The process environment, falling back to KEY=VALUE lines of `dotenv_path` if it exists
/// (real environment variables win).
EnvLookup ProcessEnvironment(const std::string& dotenv_path = ".env");

/// Fills config.jwt_secret when it is empty: in production that is an error; otherwise the
/// secret is read from (or generated into) `path` with mode 0600. Returns a warning to log,
/// or an error message.
app::Outcome<std::optional<std::string>> ResolveJwtSecret(Config& config, const std::string& path);

}  // namespace coffee::config
