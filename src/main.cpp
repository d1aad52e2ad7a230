// coffee-api: the composition root. Reads configuration, then runs one subcommand.
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/history_generator.hpp"
#include "app/login_throttle.hpp"
#include "app/rules_cache.hpp"
#include "app/seed.hpp"
#include "config/config.hpp"
#include "rules/shop_clock.hpp"
#include "security/jwt.hpp"
#include "security/password_hasher.hpp"
#include "server/application.hpp"
#include "server/logging.hpp"

namespace {

using coffee::config::Config;

Config LoadConfigOrExit() {
  auto config = coffee::config::LoadConfig(coffee::config::ProcessEnvironment());
  if (!config) {
    std::cerr << "coffee-api: " << config.error().details << '\n';
    std::exit(2);
  }
  coffee::server::SetupLogging(config->log_level, config->log_format);
  return std::move(config.value());
}

int Serve(Config config) {
  spdlog::info("Coffee API - Starting...");
  auto secret = coffee::config::ResolveJwtSecret(config, "data/jwt_secret");
  if (!secret) {
    spdlog::critical("{}", secret.error().details);
    return 2;
  }
  if (secret.value()) spdlog::warn("{}", *secret.value());
  coffee::server::Application application(std::move(config));
  application.Start();
  application.Wait(true);
  return 0;
}

int MigrateRun(const Config& config) {
  auto db = coffee::server::OpenAndMigrate(config);
  return 0;
}

int MigrateInfo(const Config& config) {
  auto db = coffee::storage::Open({config.database_url, config.database_max_connections,
                                   config.sqlite_synchronous, config.database_query_timeout,
                                   config.database_write_lanes});
  std::cout << "Version  Status    Applied at                    Name\n";
  bool mismatch = false;
  for (const auto& m : db->MigrationInfo()) {
    std::string status = m.applied ? "applied" : "pending";
    if (m.checksum_mismatch) {
      status = "CHANGED";
      mismatch = true;
    }
    std::printf("%-8d %-9s %-29s %s\n", m.version, status.c_str(),
                m.applied_at.value_or("-").c_str(), m.name.c_str());
  }
  return mismatch ? 1 : 0;
}

int SeedCommand(const Config& config, bool demo) {
  if (demo && config.production) {
    spdlog::error("seed --demo refuses to create demo accounts when APP_ENV=production");
    return 2;
  }
  auto db = coffee::server::OpenAndMigrate(config);
  coffee::security::Argon2PasswordHasher hasher(2);
  coffee::app::SystemClock clock;
  const auto report = coffee::app::Seed(*db, hasher, clock, demo);
  std::cout << "Seed complete: " << report.coffees << " coffees, " << report.availability
            << " availability rows, " << report.prep_times << " prep times, "
            << report.pricing_rules << " pricing rules, " << report.demo_users
            << " demo accounts created\n";
  if (demo) {
    std::cout << "Demo accounts (development only):\n";
    for (const auto& a : coffee::app::DemoAccounts()) {
      std::cout << "  " << a.email << " / " << a.password << " ("
                << coffee::domain::ToString(a.role) << ")\n";
    }
  }
  return 0;
}

std::string ReadPassword() {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios old_attrs{};
  if (tty) {
    std::cerr << "Password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &old_attrs);
    termios silent = old_attrs;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old_attrs);
    std::cerr << '\n';
  }
  return password;
}

int AdminCreate(const Config& config, const std::string& email, std::string password) {
  if (password.empty()) password = ReadPassword();
  auto db = coffee::server::OpenAndMigrate(config);
  coffee::security::Argon2PasswordHasher hasher(2);
  coffee::app::SystemClock clock;
  Config with_secret = config;
  if (with_secret.jwt_secret.empty()) with_secret.jwt_secret = "unused-by-admin-create";
  coffee::security::JwtTokenService tokens(with_secret.jwt_secret);
  coffee::app::LoginThrottle throttle;  // admin create does not log in; the use case needs one
  coffee::app::AuthService auth(*db, hasher, tokens, clock, config.refresh_token_ttl, throttle);
  bool created = false;
  auto user = auth.CreateAdmin(email, password, created);
  if (!user) {
    std::cerr << "coffee-api: " << user.error().details << '\n';
    return 2;
  }
  std::cout << (created ? "Created admin " : "Promoted to admin and reset password: ")
            << user->email << " (id " << user->id.value << ")\n";
  return 0;
}

int AnalyticsRebuild(const Config& config) {
  auto db = coffee::server::OpenAndMigrate(config);
  const auto started = std::chrono::steady_clock::now();
  coffee::app::RollupCounts counts;
  db->Write([&](coffee::app::Tx& tx) {
    counts = tx.Analytics().RebuildRollups();
    return true;
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("Rollups rebuilt in %.1f s: %lld sales, %lld rule, %lld prep, %lld review rows\n",
              seconds, static_cast<long long>(counts.sales), static_cast<long long>(counts.rules),
              static_cast<long long>(counts.prep), static_cast<long long>(counts.reviews));
  return 0;
}

int AnalyticsGenerate(const Config& config, const coffee::app::HistoryOptions& requested) {
  if (config.production) {
    spdlog::error(
        "analytics generate refuses to write a generated history when APP_ENV=production");
    return 2;
  }
  if (requested.orders < 0 || requested.days < 1 || requested.days > 3660 ||
      requested.customers < 1 || requested.reviews < 0) {
    std::cerr << "coffee-api: --orders ≥ 0, --days 1–3660, --customers ≥ 1, --reviews ≥ 0\n";
    return 2;
  }
  auto db = coffee::server::OpenAndMigrate(config);
  const auto* zone = coffee::rules::FindTimeZone(config.shop_timezone);
  coffee::app::RulesCache rules(*db, config.cache_ttl, zone, nullptr);
  rules.Warm();
  const auto snapshot = rules.Acquire();
  coffee::app::HistoryOptions options = requested;
  options.end = coffee::app::SystemClock().Now();
  const auto report = coffee::app::GenerateHistory(
      *db, *snapshot, zone, options, [](std::string_view line) { std::cout << line << '\n'; });
  std::printf(
      "Generated %lld orders (%lld lines, %lld audit rows), %lld customers, %lld reviews in "
      "%.1f s; rollups rebuilt in %.1f s (%lld sales rows); ANALYZE %.1f s\n",
      static_cast<long long>(report.orders), static_cast<long long>(report.lines),
      static_cast<long long>(report.audit_rows), static_cast<long long>(report.customers),
      static_cast<long long>(report.reviews), report.insert_seconds, report.rollup_seconds,
      static_cast<long long>(report.rollups.sales), report.analyze_seconds);
  return 0;
}

/// Parses the command line and runs the chosen command; main() catches what it throws.
int Run(int argc, char** argv) {
  CLI::App cli{"Coffee API: an order-taking backend for coffee shops with a business rules engine"};
  cli.require_subcommand(0, 1);
  auto* serve = cli.add_subcommand("serve", "Run the HTTP server (default)");
  auto* migrate = cli.add_subcommand("migrate", "Database migrations");
  migrate->require_subcommand(1);
  auto* migrate_run = migrate->add_subcommand("run", "Apply pending migrations");
  auto* migrate_info = migrate->add_subcommand("info", "List migrations and their state");
  auto* seed = cli.add_subcommand("seed", "Load the catalog and default business rules");
  bool demo = false;
  auto* demo_flag =
      seed->add_flag("--demo", demo, "Also create the demo accounts (never in production)");
  bool sql = false;
  seed->add_flag("--sql", sql,
                 "Print the seed as idempotent PostgreSQL for psql (seed_data.sql) and exit; "
                 "needs no database")
      ->excludes(demo_flag);
  auto* admin = cli.add_subcommand("admin", "Account administration");
  admin->require_subcommand(1);
  auto* admin_create = admin->add_subcommand("create", "Create an admin account");
  std::string email;
  std::string password;
  admin_create->add_option("--email", email, "Email of the admin")->required();
  admin_create->add_option("--password", password,
                           "Password (prompted, or read from stdin, when omitted)");
  auto* analytics = cli.add_subcommand("analytics", "Sales analytics maintenance");
  analytics->require_subcommand(1);
  auto* analytics_rebuild = analytics->add_subcommand(
      "rebuild", "Recompute the analytics rollups from the orders, audit rows and reviews");
  auto* analytics_generate = analytics->add_subcommand(
      "generate", "Write a generated order history (benchmarks and demos; never in production)");
  coffee::app::HistoryOptions history;
  analytics_generate->add_option("--orders", history.orders, "Orders to write (1000000)");
  analytics_generate->add_option("--days", history.days, "Days the history covers (365)");
  analytics_generate->add_option("--customers", history.customers, "Customers (20000)");
  analytics_generate->add_option("--reviews", history.reviews, "Reviews (50000)");
  analytics_generate->add_option("--seed", history.seed, "Random seed (42)");
  CLI11_PARSE(cli, argc, argv);

  if (*seed && sql) {
    std::cout << coffee::app::SeedSql();
    return 0;
  }
  Config config = LoadConfigOrExit();
  if (*migrate_run) return MigrateRun(config);
  if (*migrate_info) return MigrateInfo(config);
  if (*seed) return SeedCommand(config, demo);
  if (*admin_create) return AdminCreate(config, email, password);
  if (*analytics_rebuild) return AnalyticsRebuild(config);
  if (*analytics_generate) return AnalyticsGenerate(config, history);
  (void)serve;
  return Serve(std::move(config));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    spdlog::critical("Fatal: {}", e.what());
    return 1;
  }
}
