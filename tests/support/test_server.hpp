#pragma once

#include <memory>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "http_client.hpp"
#include "server/application.hpp"
#include "test_database.hpp"

namespace coffee::testing {

/// A real server on a loopback port over a fresh database of one backend, seeded with the
/// catalog and the demo accounts; stopped and its database dropped when destroyed.
class TestServer {
 public:
  explicit TestServer(const std::string& backend, bool seed = true);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  [[nodiscard]] unsigned short port() const { return port_; }
  [[nodiscard]] TestDatabase& db() { return *db_; }
  [[nodiscard]] config::Config& config() { return config_; }
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
  std::unique_ptr<TestDatabase> db_;
  config::Config config_;
  std::unique_ptr<server::Application> app_;
  std::thread thread_;
  unsigned short port_ = 0;
};

}  // namespace coffee::testing
