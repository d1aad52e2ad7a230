#include "config/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

namespace coffee::config {
namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const std::string kSecret(40, 'k');

TEST(Config, DefaultsMatchTheSpec) {
  auto c = LoadConfig(Env({}));
  ASSERT_TRUE(c) << c.error().details;
  EXPECT_EQ(c->database_url, "sqlite://data/coffee.db");
  EXPECT_EQ(c->database_max_connections, 10);
  EXPECT_EQ(c->database_query_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->database_write_lanes, 2);
  EXPECT_EQ(c->host, "0.0.0.0");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_format, LogFormat::kText);
  EXPECT_EQ(c->cache_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c->shop_timezone, "UTC");
  EXPECT_EQ(c->slow_operation, std::chrono::milliseconds(100));
  EXPECT_EQ(c->worker_threads, static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
  EXPECT_FALSE(c->production);
  EXPECT_TRUE(c->cors_origins.empty());
}

TEST(Config, ReadsEveryVariable) {
  auto c = LoadConfig(Env({{"DATABASE_URL", "postgresql://u:p@db:5432/coffee"},
                           {"DATABASE_MAX_CONNECTIONS", "25"},
                           {"DATABASE_WRITE_LANES", "4"},
                           {"JWT_SECRET", kSecret},
                           {"APP_ENV", "production"},
                           {"HOST", "127.0.0.1"},
                           {"PORT", "9090"},
                           {"LOG_LEVEL", "debug"},
                           {"LOG_FORMAT", "json"},
                           {"CACHE_TTL", "5"},
                           {"SHOP_TIMEZONE", "Europe/Paris"},
                           {"SLOW_OPERATION_MS", "20"},
                           {"WORKER_THREADS", "3"},
                           {"CORS_ORIGINS", "https://shop.example, http://localhost:3000"}}));
  ASSERT_TRUE(c) << c.error().details;
  EXPECT_EQ(c->database_url, "postgresql://u:p@db:5432/coffee");
  EXPECT_EQ(c->database_max_connections, 25);
  EXPECT_EQ(c->database_write_lanes, 4);
  EXPECT_TRUE(c->production);
  EXPECT_EQ(c->port, 9090);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_format, LogFormat::kJson);
  EXPECT_EQ(c->cache_ttl, std::chrono::seconds(5));
  EXPECT_EQ(c->shop_timezone, "Europe/Paris");
  EXPECT_EQ(c->worker_threads, 3);
  EXPECT_EQ(c->cors_origins,
            (std::vector<std::string>{"https://shop.example", "http://localhost:3000"}));
}

TEST(Config, DatabaseQueryTimeoutTakesMillisecondsOrSeconds) {
  EXPECT_EQ(LoadConfig(Env({{"DATABASE_QUERY_TIMEOUT", "250ms"}}))->database_query_timeout,
            std::chrono::milliseconds(250));
  EXPECT_EQ(LoadConfig(Env({{"DATABASE_QUERY_TIMEOUT", "30s"}}))->database_query_timeout,
            std::chrono::seconds(30));
  EXPECT_EQ(LoadConfig(Env({{"DATABASE_QUERY_TIMEOUT", "12"}}))->database_query_timeout,
            std::chrono::seconds(12));
  for (const char* bad : {"0", "5ms", "-1s", "1h", "ms", "3601s", "99999999999999999999",
                          "9223372036854775807ms", "1.5s"}) {
    auto c = LoadConfig(Env({{"DATABASE_QUERY_TIMEOUT", bad}}));
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().fields.at("DATABASE_QUERY_TIMEOUT"),
              std::string("must be a duration between 10ms and 3600s, such as 500ms or 5s (got '") +
                  bad + "')");
  }
}

TEST(Config, RustLogIsAnAliasForLogLevel) {
  EXPECT_EQ(LoadConfig(Env({{"RUST_LOG", "warn"}}))->log_level, "warn");
  EXPECT_EQ(LoadConfig(Env({{"RUST_LOG", "coffee_api=debug,tower=info"}}))->log_level, "debug");
  EXPECT_EQ(LoadConfig(Env({{"RUST_LOG", "warn"}, {"LOG_LEVEL", "error"}}))->log_level, "error");
}

TEST(Config, ReportsEveryInvalidVariableByName) {
  auto c = LoadConfig(Env({{"PORT", "http"},
                           {"DATABASE_URL", "mysql://x"},
                           {"CACHE_TTL", "-1"},
                           {"LOG_LEVEL", "loud"},
                           {"DATABASE_MAX_CONNECTIONS", "0"},
                           {"DATABASE_WRITE_LANES", "17"}}));
  ASSERT_FALSE(c);
  const auto& fields = c.error().fields;
  EXPECT_TRUE(fields.contains("PORT"));
  EXPECT_TRUE(fields.contains("DATABASE_URL"));
  EXPECT_TRUE(fields.contains("CACHE_TTL"));
  EXPECT_TRUE(fields.contains("LOG_LEVEL"));
  EXPECT_TRUE(fields.contains("DATABASE_MAX_CONNECTIONS"));
  EXPECT_EQ(fields.at("DATABASE_WRITE_LANES"), "must be an integer between 1 and 16 (got '17')");
  EXPECT_NE(c.error().details.find("PORT: must be an integer between 0 and 65535 (got 'http')"),
            std::string::npos);
}

TEST(Config, ProductionRefusesMissingOrShortSecret) {
  auto missing = LoadConfig(Env({{"APP_ENV", "production"}}));
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().fields.contains("JWT_SECRET"));
  auto short_secret = LoadConfig(Env({{"APP_ENV", "production"}, {"JWT_SECRET", "short"}}));
  ASSERT_FALSE(short_secret);
  EXPECT_TRUE(short_secret.error().fields.contains("JWT_SECRET"));
  EXPECT_TRUE(LoadConfig(Env({{"APP_ENV", "production"}, {"JWT_SECRET", kSecret}})));
}

TEST(Config, HostMustBeAnAddressAndLocalhostIsLoopback) {
  EXPECT_EQ(LoadConfig(Env({{"HOST", "localhost"}}))->host, "127.0.0.1");
  EXPECT_EQ(LoadConfig(Env({{"HOST", "::1"}}))->host, "::1");
  auto bad = LoadConfig(Env({{"HOST", "coffee.example"}}));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().fields.contains("HOST"));
}

TEST(Config, ShopTimezoneMustBeAnIanaZone) {
  EXPECT_EQ(LoadConfig(Env({{"SHOP_TIMEZONE", "America/New_York"}}))->shop_timezone,
            "America/New_York");
  auto bad = LoadConfig(Env({{"SHOP_TIMEZONE", "Mars/Olympus"}}));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().fields.contains("SHOP_TIMEZONE"));
}

TEST(Config, CacheTtlOfZeroIsRejected) {
  auto bad = LoadConfig(Env({{"CACHE_TTL", "0"}}));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().fields.contains("CACHE_TTL"));
}

TEST(Config, ConnectionTimeoutsAndLimitHaveDefaultsAndRanges) {
  auto defaults = LoadConfig(Env({}));
  ASSERT_TRUE(defaults) << defaults.error().details;
  EXPECT_EQ(defaults->header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(defaults->request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(defaults->idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(defaults->max_connections, 10000);
  auto set = LoadConfig(Env({{"HEADER_TIMEOUT_SECONDS", "3"}, {"MAX_CONNECTIONS", "50"}}));
  ASSERT_TRUE(set) << set.error().details;
  EXPECT_EQ(set->header_timeout, std::chrono::seconds(3));
  EXPECT_EQ(set->max_connections, 50);
  auto bad = LoadConfig(Env({{"HEADER_TIMEOUT_SECONDS", "0"}, {"MAX_CONNECTIONS", "lots"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().fields.at("HEADER_TIMEOUT_SECONDS"),
            "must be an integer between 1 and 3600 (got '0')");
  EXPECT_EQ(bad.error().fields.at("MAX_CONNECTIONS"),
            "must be an integer between 1 and 1000000 (got 'lots')");
}

TEST(Config, ShortSecretIsRejectedInDevelopmentToo) {
  EXPECT_FALSE(LoadConfig(Env({{"JWT_SECRET", "0123456789"}})));
  EXPECT_FALSE(LoadConfig(Env({{"JWT_SECRET", kSecret}, {"JWT_SECRET_PREVIOUS", "short"}})));
  auto rotated = LoadConfig(Env(
      {{"JWT_SECRET", kSecret}, {"JWT_SECRET_PREVIOUS", "the-previous-secret-0123456789-abcdef"}}));
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->jwt_secret_previous, "the-previous-secret-0123456789-abcdef");
}

TEST(Config, DevelopmentGeneratesAndReusesAPrivateSecretFile) {
  const auto dir = std::filesystem::temp_directory_path() / "coffee_cfg_test";
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "data" / "jwt_secret").string();
  Config c = *LoadConfig(Env({}));
  auto first = ResolveJwtSecret(c, path);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first.value().has_value());  // a warning is logged
  EXPECT_GE(c.jwt_secret.size(), 32U);
  const auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Config again = *LoadConfig(Env({}));
  ASSERT_TRUE(ResolveJwtSecret(again, path));
  EXPECT_EQ(again.jwt_secret, c.jwt_secret);
  std::filesystem::remove_all(dir);
}

TEST(Config, DotEnvFileFillsUnsetVariablesOnly) {
  const auto path = std::filesystem::temp_directory_path() / "coffee_test.env";
  {
    std::ofstream out(path);
    out << "# comment\nCOFFEE_TEST_ONLY_A=\"from file\"\nexport COFFEE_TEST_ONLY_B=b\nPATH=nope\n";
  }
  auto env = ProcessEnvironment(path.string());
  EXPECT_EQ(env("COFFEE_TEST_ONLY_A"), "from file");
  EXPECT_EQ(env("COFFEE_TEST_ONLY_B"), "b");
  EXPECT_NE(env("PATH"), "nope");  // the real environment wins
  std::filesystem::remove(path);
}

TEST(Config, LoginThrottleLimits) {
  auto defaults = LoadConfig(Env({}));
  ASSERT_TRUE(defaults) << defaults.error().details;
  EXPECT_EQ(defaults->login_failures_per_client, 5);
  EXPECT_EQ(defaults->login_failures_per_account, 50);
  EXPECT_EQ(defaults->login_failure_window, std::chrono::seconds(900));

  auto set = LoadConfig(Env({{"LOGIN_FAILURES_PER_CLIENT", "3"},
                             {"LOGIN_FAILURES_PER_ACCOUNT", "20"},
                             {"LOGIN_FAILURE_WINDOW_SECONDS", "60"}}));
  ASSERT_TRUE(set) << set.error().details;
  EXPECT_EQ(set->login_failures_per_client, 3);
  EXPECT_EQ(set->login_failures_per_account, 20);
  EXPECT_EQ(set->login_failure_window, std::chrono::seconds(60));

  auto bad = LoadConfig(Env({{"LOGIN_FAILURES_PER_CLIENT", "0"},
                             {"LOGIN_FAILURES_PER_ACCOUNT", "many"},
                             {"LOGIN_FAILURE_WINDOW_SECONDS", "86401"}}));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().fields.contains("LOGIN_FAILURES_PER_CLIENT"));
  EXPECT_TRUE(bad.error().fields.contains("LOGIN_FAILURES_PER_ACCOUNT"));
  EXPECT_NE(
      bad.error().details.find(
          "LOGIN_FAILURE_WINDOW_SECONDS: must be an integer between 1 and 86400 (got '86401')"),
      std::string::npos);
}

TEST(RateLimitConfig, DefaultsAreOnWithTheSpecRates) {
  auto c = LoadConfig(Env({}));
  ASSERT_TRUE(c) << c.error().details;
  EXPECT_TRUE(c->rate_limit_enabled);
  EXPECT_EQ(c->rate_limit_auth_per_minute, 10);
  EXPECT_EQ(c->rate_limit_per_minute, 600);
  EXPECT_TRUE(c->trusted_proxies.empty());
}

TEST(RateLimitConfig, ReadsAndValidatesTheVariables) {
  auto c = LoadConfig(Env({{"RATE_LIMIT_ENABLED", "false"},
                           {"RATE_LIMIT_AUTH_PER_MINUTE", "3"},
                           {"RATE_LIMIT_PER_MINUTE", "100"},
                           {"TRUSTED_PROXIES", "10.0.0.1, ::1"}}));
  ASSERT_TRUE(c) << c.error().details;
  EXPECT_FALSE(c->rate_limit_enabled);
  EXPECT_EQ(c->rate_limit_auth_per_minute, 3);
  EXPECT_EQ(c->rate_limit_per_minute, 100);
  EXPECT_EQ(c->trusted_proxies, (std::vector<std::string>{"10.0.0.1", "::1"}));

  auto bad = LoadConfig(Env({{"RATE_LIMIT_ENABLED", "maybe"},
                             {"RATE_LIMIT_AUTH_PER_MINUTE", "0"},
                             {"RATE_LIMIT_PER_MINUTE", "lots"},
                             {"TRUSTED_PROXIES", "10.0.0.1, proxy.local"}}));
  ASSERT_FALSE(bad);
  const auto& fields = bad.error().fields;
  EXPECT_EQ(fields.count("RATE_LIMIT_ENABLED"), 1U);
  EXPECT_EQ(fields.count("RATE_LIMIT_AUTH_PER_MINUTE"), 1U);
  EXPECT_EQ(fields.count("RATE_LIMIT_PER_MINUTE"), 1U);
  EXPECT_EQ(fields.count("TRUSTED_PROXIES"), 1U);
  EXPECT_NE(bad.error().details.find("proxy.local"), std::string::npos);
}

TEST(LimitsStoreConfig, AutoByDefaultAndDatabaseOnlyWithPostgres) {
  auto defaults = LoadConfig(Env({}));
  ASSERT_TRUE(defaults) << defaults.error().details;
  EXPECT_EQ(defaults->limits_store, LimitsStore::kAuto);

  auto memory = LoadConfig(Env({{"LIMITS_STORE", "Memory"}}));
  ASSERT_TRUE(memory) << memory.error().details;
  EXPECT_EQ(memory->limits_store, LimitsStore::kMemory);

  auto shared = LoadConfig(
      Env({{"LIMITS_STORE", "database"}, {"DATABASE_URL", "postgresql://u@localhost/coffee"}}));
  ASSERT_TRUE(shared) << shared.error().details;
  EXPECT_EQ(shared->limits_store, LimitsStore::kDatabase);

  auto on_sqlite = LoadConfig(Env({{"LIMITS_STORE", "database"}}));
  ASSERT_FALSE(on_sqlite);
  EXPECT_EQ(on_sqlite.error().fields.count("LIMITS_STORE"), 1U);

  auto unknown = LoadConfig(Env({{"LIMITS_STORE", "redis"}}));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().details.find("redis"), std::string::npos);
}

}  // namespace
}  // namespace coffee::config
