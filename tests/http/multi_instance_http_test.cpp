#include <chrono>
#include <thread>

#include "http_test_support.hpp"
#include "raw_connection.hpp"

namespace coffee::testing {
namespace {

/// Two servers behind one PostgreSQL database, as behind a load balancer. CACHE_TTL is an hour,
/// so only the change announcement can explain a reload within the test.
class MultiInstanceHttp : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr const char* kQuote = R"({"items":[{"coffee_item_id":1,"quantity":1}]})";

  /// Quotes coffee 1 on `client` until it answers `status` or 5 s pass; returns the last answer.
  static HttpResult QuoteUntil(HttpClient& client, const std::string& token, int status) {
    HttpResult res = client.Post("/api/orders/quote", kQuote, token);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (res.status != status && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      res = client.Post("/api/orders/quote", kQuote, token);
    }
    return res;
  }

  static void LongTtl(config::Config& c) { c.cache_ttl = std::chrono::seconds(3600); }
};

TEST_P(MultiInstanceHttp, RulesChangeThroughOneInstanceReachesTheOtherWithoutWaitingForTheTtl) {
  TestServer a(GetParam(), true, LongTtl);
  TestServer b(ExistingDatabase{a.db().url()}, LongTtl);
  auto client_b = b.Client();
  const std::string user = b.UserToken();

  auto before = client_b->Post("/api/orders/quote", kQuote, user);
  ASSERT_EQ(before.status, 200) << before.body;

  auto changed = a.Client()->Post("/api/business-rules/availability",
                                  R"({"coffee_id":1,"status":"out_of_stock"})", a.AdminToken());
  ASSERT_EQ(changed.status, 201) << changed.body;

  auto after = QuoteUntil(*client_b, user, 400);
  ASSERT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(after.Json().as_object().at("error_code"), "ITEMS_UNAVAILABLE") << after.body;
}

TEST_P(MultiInstanceHttp, ListenerReloadsOnceAfterItsConnectionComesBack) {
  TestServer a(GetParam(), true, LongTtl);
  TestServer b(ExistingDatabase{a.db().url()}, LongTtl);
  auto client_b = b.Client();
  const std::string user = b.UserToken();

  // Edited behind every instance's back: nothing is announced, so B keeps its snapshot.
  a.db().Exec("UPDATE coffee_availability SET status = 'out_of_stock' WHERE coffee_id = 1");
  auto stale = client_b->Post("/api/orders/quote", kQuote, user);
  ASSERT_EQ(stale.status, 200) << stale.body;

  // Dropping the listeners' connections stands in for a network failure. Each instance has one,
  // whose last statement is the LISTEN of the last channel it follows.
  const std::string terminated = a.db().QueryValue(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND query LIKE 'LISTEN coffee\\_%'");
  ASSERT_EQ(terminated, "2");

  auto after = QuoteUntil(*client_b, user, 400);
  ASSERT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(after.Json().as_object().at("error_code"), "ITEMS_UNAVAILABLE") << after.body;
}

TEST_P(MultiInstanceHttp, TokenVersionsReloadOnceTheListenerComesBackWithoutALogin) {
  TestServer a(GetParam(), true, LongTtl);
  auto client = a.Client();
  const std::string user = a.UserToken();
  ASSERT_EQ(client->Get("/api/orders", user).status, 200);

  // A password change made while this instance's feed was down (its notice never arrives here):
  // the row is edited behind its back, then its listener's connection is dropped.
  a.db().Exec(
      "UPDATE users SET token_version = token_version + 1 WHERE email = 'test@example.com'");
  ASSERT_EQ(client->Get("/api/orders", user).status, 200);  // nothing announced yet
  const std::string terminated = a.db().QueryValue(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND query LIKE 'LISTEN coffee\\_%'");
  ASSERT_EQ(terminated, "1");

  // Only the reconnect's "missed" notice can explain a refusal: no login, refresh or /me here.
  HttpResult res = client->Get("/api/orders", user);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (res.status != 401 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    res = client->Get("/api/orders", user);
  }
  EXPECT_EQ(res.status, 401) << res.body;
}

TEST_P(MultiInstanceHttp, AnOrderPlacedThroughOneInstanceReachesTheBoardOfTheOther) {
  TestServer a(GetParam(), true, LongTtl);
  TestServer b(ExistingDatabase{a.db().url()}, LongTtl);
  RawConnection board(b.port());
  board.Send("GET /api/orders/events HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer " +
             b.StaffToken() + "\r\n\r\n");
  ASSERT_TRUE(board.WaitFor("retry: 3000\n\n", std::chrono::seconds(5))) << board.received();

  auto placed = a.Client()->Post("/api/orders", R"({"items":[{"coffee_item_id":2,"quantity":1}]})",
                                 a.UserToken());
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string id(placed.Json().as_object()["id"].as_string());
  EXPECT_TRUE(
      board.WaitFor("event: order\nid: 1\ndata: {\"id\":\"" + id + "\"", std::chrono::seconds(5)))
      << board.received();
}

INSTANTIATE_TEST_SUITE_P(Postgres, MultiInstanceHttp, ::testing::Values(std::string("postgres")),
                         BackendName);

}  // namespace
}  // namespace coffee::testing
