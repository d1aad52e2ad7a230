#pragma once

#include <memory>

#include "app/auth_service.hpp"
#include "app/coffee_service.hpp"
#include "app/rules_cache.hpp"
#include "config/config.hpp"
#include "http/router.hpp"
#include "storage/database.hpp"

namespace coffee::server {

/// The composition root of the server: owns the database, services, worker pool, router and
/// HTTP server, and runs the start-up sequence of SPEC §1 in order.
class Application {
 public:
  /// Connects, migrates, initialises auth and warms the rules cache. Throws on a fatal
  /// problem (unreachable database, failed migration) with a clear message.
  explicit Application(config::Config config);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  /// Binds the listener and starts the I/O threads; returns the bound port.
  unsigned short Start();
  /// Blocks until Stop() or SIGINT/SIGTERM (when `handle_signals`), then shuts down gracefully.
  void Wait(bool handle_signals);
  /// Asks the server to stop (thread-safe; returns at once).
  void Stop();

  [[nodiscard]] storage::Database& database() { return *database_; }
  /// Reloads the rules snapshot now (after the database was changed outside the API).
  bool ReloadRules();
  /// Every route the server answers (for the OpenAPI test).
  [[nodiscard]] const http::Router& router() const;

 private:
  struct Runtime;
  config::Config config_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<Runtime> runtime_;
};

/// Opens the database and applies pending migrations, logging the SPEC §1 lines.
std::unique_ptr<storage::Database> OpenAndMigrate(const config::Config& config);

}  // namespace coffee::server
