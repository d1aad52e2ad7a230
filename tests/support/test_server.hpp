#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "http_client.hpp"
#include "server/application.hpp"
#include "test_database.hpp"

namespace coffee::testing {

/// The database of another TestServer, for a second instance sharing it.
struct ExistingDatabase {
  std::string url;
};

/// A real server on a loopback port over a fresh database of one backend, seeded with the
/// catalog and the demo accounts; stopped and its database dropped when destroyed.
class TestServer {
 public:
  /// `tweak` may change the configuration before the server starts (e.g. a short CACHE_TTL).
  explicit TestServer(const std::string& backend, bool seed = true,
                      const std::function<void(config::Config&)>& tweak = {});
  /// Another instance on a database that a first TestServer owns (neither seeded nor dropped).
  explicit TestServer(const ExistingDatabase& existing,
                      const std::function<void(config::Config&)>& tweak = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  [[nodiscard]] unsigned short port() const { return port_; }
  /// The database this server owns (not for a server on an ExistingDatabase).
  [[nodiscard]] TestDatabase& db() { return *db_; }
  [[nodiscard]] config::Config& config() { return config_; }
  [[nodiscard]] server::Application& app() { return *app_; }
  /// A fresh client to this server.
  [[nodiscard]] std::unique_ptr<HttpClient> Client() const {
    return std::make_unique<HttpClient>(port_);
  }
  /// Logs in and returns the access token (fails the test if login fails).
  std::string Login(const std::string& email, const std::string& password);
  std::string AdminToken() { return Login("admin@example.com", "Admin123!"); }
  std::string StaffToken() { return Login("barista@example.com", "Barista123!"); }
  std::string UserToken() { return Login("test@example.com", "password"); }

 private:
  void Launch(const std::string& url, bool seed, const std::function<void(config::Config&)>& tweak);

  std::unique_ptr<TestDatabase> db_;  // null on an ExistingDatabase
  config::Config config_;
  std::unique_ptr<server::Application> app_;
  std::thread thread_;
  unsigned short port_ = 0;
};

}  // namespace coffee::testing
