#include "test_server.hpp"

#include <gtest/gtest.h>

#include "app/seed.hpp"
#include "security/password_hasher.hpp"

namespace coffee::testing {

TestServer::TestServer(const std::string& backend, bool seed,
                       const std::function<void(config::Config&)>& tweak)
    : db_(std::make_unique<TestDatabase>(backend)) {
  Launch(db_->url(), seed, tweak);
}

TestServer::TestServer(const ExistingDatabase& existing,
                       const std::function<void(config::Config&)>& tweak) {
  Launch(existing.url, false, tweak);
}

void TestServer::Launch(const std::string& url, bool seed,
                        const std::function<void(config::Config&)>& tweak) {
  auto loaded = config::LoadConfig([](std::string_view) { return std::nullopt; });
  config_ = loaded.value();
  config_.database_url = url;
  config_.database_max_connections = 4;
  config_.jwt_secret = "test-secret-0123456789-0123456789-abcdef";
  config_.host = "127.0.0.1";
  config_.port = 0;
  config_.worker_threads = 2;
  config_.app_env = "test";
  config_.rate_limit_enabled = false;  // a test turns it on through `tweak`
  if (tweak) tweak(config_);
  app_ = std::make_unique<server::Application>(config_);
  if (seed) {
    security::Argon2PasswordHasher hasher(2);
    app::SystemClock clock;
    app::Seed(app_->database(), hasher, clock, true);
    app_->ReloadRules();
  }
  port_ = app_->Start();
  thread_ = std::thread([this] { app_->Wait(false); });
}

TestServer::~TestServer() {
  app_->Stop();
  if (thread_.joinable()) thread_.join();
  app_.reset();
}

std::string TestServer::Login(const std::string& email, const std::string& password) {
  auto client = Client();
  auto res = client->Post("/api/auth/login",
                          R"({"email":")" + email + R"(","password":")" + password + R"("})");
  EXPECT_EQ(res.status, 200) << res.body;
  if (res.status != 200) return "";
  return std::string(res.Json().as_object().at("access_token").as_string());
}

}  // namespace coffee::testing
