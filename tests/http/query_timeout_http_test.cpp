#include <chrono>
#include <thread>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

/// A server whose DATABASE_QUERY_TIMEOUT is 300 ms.
class QueryTimeoutHttp : public HttpTest {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam(), true, [](config::Config& c) {
      c.database_query_timeout = std::chrono::milliseconds(300);
    });
    client_ = server_->Client();
  }

  HttpResult Register(const std::string& email) {
    return client_->Post("/api/auth/register",
                         R"({"email":")" + email + R"(","password":"Flatwhite9"})");
  }
};

TEST_P(QueryTimeoutHttp, AQueryBlockedPastTheTimeoutGets503WithRetryAfterAndTheNextSucceeds) {
  TestSession holder(server_->db());
  // Another session takes the lock a registration needs: SQLite's write lock, or PostgreSQL's
  // lock on the users table (reads included).
  holder.Exec(GetParam() == "sqlite" ? "BEGIN IMMEDIATE"
                                     : "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
  // It lets go after 2 s: a request that waited for it instead of timing out would succeed.
  std::thread release([&holder] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    holder.Exec("ROLLBACK");
  });
  const HttpResult blocked = Register("blocked@example.com");
  release.join();
  const auto body = ExpectError(blocked, 503, "SERVICE_UNAVAILABLE");
  EXPECT_EQ(body.at("error"), "The database is unavailable; retry shortly");
  EXPECT_EQ(blocked.Header("retry-after"), "5");

  EXPECT_EQ(Register("next@example.com").status, 201);
  EXPECT_EQ(Register("blocked@example.com").status, 201);  // the timed-out one left no trace
}

INSTANTIATE_TEST_SUITE_P(Backends, QueryTimeoutHttp, ::testing::ValuesIn(AllBackends()),
                         BackendName);

}  // namespace
}  // namespace coffee::testing
