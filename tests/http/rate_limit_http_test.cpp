#include <string>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

const std::string kGoodLogin = R"({"email":"test@example.com","password":"password"})";
const std::string kUnknownLogin = R"({"email":"nobody@example.com","password":"wrong-password"})";

/// Servers here turn rate limiting on (TestServer leaves it off), auth at 3 per minute.
class RateLimitHttp : public HttpTest {
 protected:
  void SetUp() override {}

  void Start(const std::function<void(config::Config&)>& extra = {}) {
    server_ = std::make_unique<TestServer>(GetParam(), true, [&extra](config::Config& c) {
      c.rate_limit_enabled = true;
      c.rate_limit_auth_per_minute = 3;
      if (extra) extra(c);
    });
    client_ = server_->Client();
  }

  /// A login attempt (unknown account: cheap, 401 unless limited) claiming `forwarded_for`.
  HttpResult LoginFrom(const std::string& forwarded_for) {
    return client_->Send("POST", "/api/auth/login", kUnknownLogin,
                         {{"X-Forwarded-For", forwarded_for}});
  }
};

TEST_P(RateLimitHttp, FourthLoginInARowIs429WithRetryAfter) {
  Start();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_->Post("/api/auth/login", kGoodLogin).status, 200) << i;
  }
  auto res = client_->Post("/api/auth/login", kGoodLogin);
  auto body = ExpectError(res, 429, "RATE_LIMITED");
  const std::string retry_after = res.Header("retry-after");
  EXPECT_EQ(body["error"], ("Too many requests; retry in " + retry_after + " seconds").c_str());
  ASSERT_FALSE(retry_after.empty());
  const int seconds = std::stoi(retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 20);  // 3 per minute: a token every 20 s
  EXPECT_NE(std::string(body["details"].as_string()).find("retry in " + retry_after + " seconds"),
            std::string::npos)
      << res.body;
  // Register and refresh share the auth bucket; other routes are untouched.
  ExpectError(client_->Post("/api/auth/register",
                            R"({"email":"new@example.com","password":"Password123!"})"),
              429, "RATE_LIMITED");
  ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":"x"})"), 429, "RATE_LIMITED");
  EXPECT_EQ(client_->Get("/api/coffees").status, 200);
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_P(RateLimitHttp, GlobalLimitCoversEveryRoute) {
  Start([](config::Config& c) { c.rate_limit_per_minute = 5; });
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client_->Get("/healthz").status, 200) << i;
  auto res = client_->Get("/api/coffees");
  ExpectError(res, 429, "RATE_LIMITED");
  EXPECT_FALSE(res.Header("retry-after").empty());
  ExpectError(client_->Get("/api/teas"), 429, "RATE_LIMITED");
}

TEST_P(RateLimitHttp, ForwardedForFromAnUntrustedPeerIsIgnored) {
  Start();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(LoginFrom("198.51.100." + std::to_string(i)).status, 401) << i;
  }
  ExpectError(LoginFrom("198.51.100.99"), 429, "RATE_LIMITED");
}

TEST_P(RateLimitHttp, ForwardedForFromATrustedProxyNamesTheClient) {
  Start([](config::Config& c) { c.trusted_proxies = {"127.0.0.1"}; });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LoginFrom("198.51.100.1").status, 401) << i;
  ExpectError(LoginFrom("198.51.100.1"), 429, "RATE_LIMITED");
  // Another client behind the same proxy has its own bucket.
  EXPECT_EQ(LoginFrom("198.51.100.2").status, 401);
  // A fake hop prepended by the client does not give it a fresh bucket.
  ExpectError(LoginFrom("203.0.113.5, 198.51.100.1"), 429, "RATE_LIMITED");
}

INSTANTIATE_TEST_SUITE_P(Backends, RateLimitHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
