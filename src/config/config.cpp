#include "config/config.hpp"

#include <arpa/inet.h>
#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "rules/shop_clock.hpp"

namespace coffee::config {

namespace {

constexpr std::size_t kMinSecretBytes = 32;

std::string Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Reader {
 public:
  explicit Reader(const EnvLookup& env) : env_(env) {}

  std::optional<std::string> Get(std::string_view name) {
    auto v = env_(name);
    if (!v) return std::nullopt;
    std::string t = Trim(*v);
    if (t.empty()) return std::nullopt;
    return t;
  }

  void Int(std::string_view name, int& out, int min, int max) {
    auto v = Get(name);
    if (!v) return;
    int parsed = 0;
    const auto* end = v->data() + v->size();
    auto [ptr, ec] = std::from_chars(v->data(), end, parsed);
    if (ec != std::errc{} || ptr != end || parsed < min || parsed > max) {
      Error(name, "must be an integer between " + std::to_string(min) + " and " +
                      std::to_string(max) + " (got '" + *v + "')");
      return;
    }
    out = parsed;
  }

  /// A duration: "500ms", "5s" or a bare number of seconds.
  void Duration(std::string_view name, std::chrono::milliseconds& out,
                std::chrono::milliseconds min, std::chrono::milliseconds max) {
    auto v = Get(name);
    if (!v) return;
    std::string_view digits = *v;
    std::int64_t scale = 1000;
    if (digits.ends_with("ms")) {
      digits.remove_suffix(2);
      scale = 1;
    } else if (digits.ends_with('s')) {
      digits.remove_suffix(1);
    }
    std::int64_t parsed = 0;
    const auto* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, parsed);
    const bool in_range = !digits.empty() && ec == std::errc{} && ptr == end && parsed >= 0 &&
                          parsed <= max.count() / scale;
    const auto value = std::chrono::milliseconds{in_range ? parsed * scale : 0};
    if (!in_range || value < min) {
      Error(name, "must be a duration between " + std::to_string(min.count()) + "ms and " +
                      std::to_string(max.count() / 1000) + "s, such as 500ms or 5s (got '" + *v +
                      "')");
      return;
    }
    out = value;
  }

  void Bool(std::string_view name, bool& out) {
    auto v = Get(name);
    if (!v) return;
    const std::string b = Lower(*v);
    if (b == "true" || b == "1" || b == "yes" || b == "on") {
      out = true;
    } else if (b == "false" || b == "0" || b == "no" || b == "off") {
      out = false;
    } else {
      Error(name, "must be true or false (got '" + *v + "')");
    }
  }

  void Error(std::string_view name, const std::string& message) {
    errors_.Add(std::string(name), message);
  }

  [[nodiscard]] const app::ValidationErrors& errors() const { return errors_; }

 private:
  const EnvLookup& env_;
  app::ValidationErrors errors_;
};

std::optional<std::string> ParseLogLevel(const std::string& raw) {
  static const std::map<std::string, std::string> kLevels = {
      {"trace", "trace"},  {"debug", "debug"}, {"info", "info"},         {"warn", "warn"},
      {"warning", "warn"}, {"error", "error"}, {"critical", "critical"}, {"off", "off"}};
  // RUST_LOG may be a directive list ("coffee_api=debug,tower=info"): take the first level.
  std::stringstream ss(raw);
  std::string part;
  while (std::getline(ss, part, ',')) {
    auto eq = part.find('=');
    std::string level = Lower(Trim(eq == std::string::npos ? part : part.substr(eq + 1)));
    if (auto it = kLevels.find(level); it != kLevels.end()) return it->second;
  }
  return std::nullopt;
}

}  // namespace

app::Outcome<Config> LoadConfig(const EnvLookup& env) {
  Config c;
  Reader r(env);
  if (auto v = r.Get("APP_ENV")) {
    c.app_env = Lower(*v);
    if (c.app_env != "development" && c.app_env != "production" && c.app_env != "test") {
      r.Error("APP_ENV", "must be development, test or production (got '" + *v + "')");
    }
    c.production = c.app_env == "production";
  }
  if (auto v = r.Get("DATABASE_URL")) {
    c.database_url = *v;
    if (!c.database_url.starts_with("sqlite://") && !c.database_url.starts_with("postgresql://") &&
        !c.database_url.starts_with("postgres://")) {
      r.Error("DATABASE_URL", "must start with sqlite:// or postgresql://");
    } else if (c.database_url == "sqlite://") {
      r.Error("DATABASE_URL", "sqlite:// needs a file path, e.g. sqlite://data/coffee.db");
    }
  }
  r.Int("DATABASE_MAX_CONNECTIONS", c.database_max_connections, 1, 1000);
  r.Int("DATABASE_WRITE_LANES", c.database_write_lanes, 1, 16);
  r.Duration("DATABASE_QUERY_TIMEOUT", c.database_query_timeout, std::chrono::milliseconds{10},
             std::chrono::milliseconds{3'600'000});
  if (auto v = r.Get("SQLITE_SYNCHRONOUS")) {
    std::string s = *v;
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (s != "NORMAL" && s != "FULL") {
      r.Error("SQLITE_SYNCHRONOUS", "must be NORMAL or FULL (got '" + *v + "')");
    }
    c.sqlite_synchronous = s;
  }
  if (auto v = r.Get("JWT_SECRET")) {
    if (v->size() < kMinSecretBytes) {
      r.Error("JWT_SECRET",
              "must be at least 32 bytes long (got " + std::to_string(v->size()) + ")");
    }
    c.jwt_secret = *v;
  } else if (c.production) {
    r.Error("JWT_SECRET", "is required when APP_ENV=production (at least 32 bytes)");
  }
  if (auto v = r.Get("JWT_SECRET_PREVIOUS")) {
    if (v->size() < kMinSecretBytes) {
      r.Error("JWT_SECRET_PREVIOUS",
              "must be at least 32 bytes long (got " + std::to_string(v->size()) + ")");
    }
    c.jwt_secret_previous = *v;
  }
  if (auto v = r.Get("HOST")) {
    c.host = *v == "localhost" ? "127.0.0.1" : *v;
    std::array<unsigned char, sizeof(in6_addr)> buf{};
    if (inet_pton(AF_INET, c.host.c_str(), buf.data()) != 1 &&
        inet_pton(AF_INET6, c.host.c_str(), buf.data()) != 1) {
      r.Error("HOST",
              "must be an IPv4 or IPv6 address such as 0.0.0.0 or 127.0.0.1 (got '" + *v + "')");
    }
  }
  r.Int("PORT", c.port, 0, 65535);
  auto level = r.Get("LOG_LEVEL");
  if (!level) level = r.Get("RUST_LOG");
  if (level) {
    if (auto parsed = ParseLogLevel(*level)) {
      c.log_level = *parsed;
    } else {
      r.Error(r.Get("LOG_LEVEL") ? "LOG_LEVEL" : "RUST_LOG",
              "must be one of trace, debug, info, warn, warning, error, critical, off (got '" +
                  *level + "')");
    }
  }
  if (auto v = r.Get("LOG_FORMAT")) {
    const std::string f = Lower(*v);
    if (f == "json") {
      c.log_format = LogFormat::kJson;
    } else if (f != "text") {
      r.Error("LOG_FORMAT", "must be text or json (got '" + *v + "')");
    }
  }
  int ttl = static_cast<int>(c.cache_ttl.count());
  r.Int("CACHE_TTL", ttl, 1, 86400);
  c.cache_ttl = std::chrono::seconds{ttl};
  if (auto v = r.Get("SHOP_TIMEZONE")) {
    c.shop_timezone = *v;
    if (rules::FindTimeZone(c.shop_timezone) == nullptr) {
      r.Error("SHOP_TIMEZONE",
              "must be an IANA time zone such as UTC or Europe/Paris (got '" + *v + "')");
    }
  }
  int slow = static_cast<int>(c.slow_operation.count());
  r.Int("SLOW_OPERATION_MS", slow, 0, 3'600'000);
  c.slow_operation = std::chrono::milliseconds{slow};
  // One event loop per core (SPEC §1). Two per core cost a tenth more CPU per cached read in
  // context switches, for no better latency below capacity (docs/CONFIGURATION.md).
  c.worker_threads =
      static_cast<int>(std::min(256U, std::max(1U, std::thread::hardware_concurrency())));
  r.Int("WORKER_THREADS", c.worker_threads, 1, 256);
  if (auto v = r.Get("CORS_ORIGINS")) {
    std::stringstream ss(*v);
    std::string origin;
    while (std::getline(ss, origin, ',')) {
      origin = Trim(origin);
      if (origin.empty()) continue;
      if (origin != "*" && !origin.starts_with("http://") && !origin.starts_with("https://")) {
        r.Error("CORS_ORIGINS",
                "each origin must start with http:// or https:// (got '" + origin + "')");
      }
      c.cors_origins.push_back(origin);
    }
  }
  int request_timeout = static_cast<int>(c.request_timeout.count());
  r.Int("REQUEST_TIMEOUT_SECONDS", request_timeout, 1, 3600);
  c.request_timeout = std::chrono::seconds{request_timeout};
  int idle = static_cast<int>(c.idle_timeout.count());
  r.Int("IDLE_TIMEOUT_SECONDS", idle, 1, 3600);
  c.idle_timeout = std::chrono::seconds{idle};
  int header = static_cast<int>(c.header_timeout.count());
  r.Int("HEADER_TIMEOUT_SECONDS", header, 1, 3600);
  c.header_timeout = std::chrono::seconds{header};
  r.Int("MAX_CONNECTIONS", c.max_connections, 1, 1'000'000);
  r.Bool("RATE_LIMIT_ENABLED", c.rate_limit_enabled);
  r.Int("RATE_LIMIT_AUTH_PER_MINUTE", c.rate_limit_auth_per_minute, 1, 100'000);
  r.Int("RATE_LIMIT_PER_MINUTE", c.rate_limit_per_minute, 1, 1'000'000);
  r.Int("LOGIN_FAILURES_PER_CLIENT", c.login_failures_per_client, 1, 1000);
  r.Int("LOGIN_FAILURES_PER_ACCOUNT", c.login_failures_per_account, 1, 1'000'000);
  int login_window = static_cast<int>(c.login_failure_window.count());
  r.Int("LOGIN_FAILURE_WINDOW_SECONDS", login_window, 1, 86'400);
  c.login_failure_window = std::chrono::seconds{login_window};
  if (auto v = r.Get("LIMITS_STORE")) {
    const std::string store = Lower(*v);
    if (store == "auto") {
      c.limits_store = LimitsStore::kAuto;
    } else if (store == "memory") {
      c.limits_store = LimitsStore::kMemory;
    } else if (store == "database") {
      c.limits_store = LimitsStore::kDatabase;
      if (c.database_url.starts_with("sqlite://")) {
        r.Error("LIMITS_STORE", "database needs a postgresql:// DATABASE_URL");
      }
    } else {
      r.Error("LIMITS_STORE", "must be auto, memory or database (got '" + *v + "')");
    }
  }
  if (auto v = r.Get("TRUSTED_PROXIES")) {
    std::stringstream ss(*v);
    std::string proxy;
    while (std::getline(ss, proxy, ',')) {
      proxy = Trim(proxy);
      if (proxy.empty()) continue;
      std::array<unsigned char, sizeof(in6_addr)> buf{};
      if (inet_pton(AF_INET, proxy.c_str(), buf.data()) != 1 &&
          inet_pton(AF_INET6, proxy.c_str(), buf.data()) != 1) {
        r.Error("TRUSTED_PROXIES",
                "each entry must be an IPv4 or IPv6 address (got '" + proxy + "')");
      }
      c.trusted_proxies.push_back(proxy);
    }
  }

  if (!r.errors().empty()) {
    app::AppError e = r.errors().ToError();
    e.details = "invalid configuration: " + e.details;
    return e;
  }
  return c;
}

EnvLookup ProcessEnvironment(const std::string& dotenv_path) {
  std::map<std::string, std::string, std::less<>> file_values;
  std::ifstream in(dotenv_path);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.starts_with("export ")) t = Trim(t.substr(7));
    const auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    file_values[key] = value;
  }
  return
      [file_values = std::move(file_values)](std::string_view name) -> std::optional<std::string> {
        const std::string key(name);
        if (const char* v = std::getenv(key.c_str()); v != nullptr) return std::string(v);
        if (auto it = file_values.find(name); it != file_values.end()) return it->second;
        return std::nullopt;
      };
}

app::Outcome<std::optional<std::string>> ResolveJwtSecret(Config& config, const std::string& path) {
  if (!config.jwt_secret.empty()) return std::optional<std::string>{};
  if (config.production) {
    return app::AppError::Validation("JWT_SECRET", "is required when APP_ENV=production");
  }
  std::ifstream in(path);
  std::string stored;
  if (in && std::getline(in, stored) && Trim(stored).size() >= kMinSecretBytes) {
    config.jwt_secret = Trim(stored);
    return std::optional<std::string>{"JWT_SECRET is not set; using the development secret in " +
                                      path + " (set JWT_SECRET in production)"};
  }
  if (sodium_init() < 0)
    return app::AppError{app::ErrorCode::kInternal, "libsodium failed", {}, {}};
  std::array<unsigned char, 48> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::array<char, 80> b64{};
  sodium_bin2base64(b64.data(), b64.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const mode_t old_mask = ::umask(077);
  std::ofstream out(path, std::ios::trunc);
  out << b64.data() << '\n';
  out.close();
  ::umask(old_mask);
  if (!out) {
    return app::AppError::Validation("JWT_SECRET",
                                     "is not set and " + path + " could not be written");
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, ec);
  config.jwt_secret = b64.data();
  return std::optional<std::string>{"JWT_SECRET is not set; generated a development secret in " +
                                    path + " (set JWT_SECRET in production)"};
}

}  // namespace coffee::config
