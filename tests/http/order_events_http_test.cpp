#include <chrono>
#include <memory>
#include <string>

#include "http_test_support.hpp"
#include "raw_connection.hpp"

namespace coffee::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 5000ms;

/// Opens GET /api/orders/events with `token` on a raw connection (a streamed response) and
/// waits for the head.
std::unique_ptr<RawConnection> OpenEvents(unsigned short port, const std::string& token) {
  auto conn = std::make_unique<RawConnection>(port);
  conn->Send(
      "GET /api/orders/events HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n"
      "Authorization: Bearer " +
      token + "\r\n\r\n");
  EXPECT_TRUE(conn->WaitFor("\r\n\r\n", kWait)) << conn->received();
  return conn;
}

std::string PlaceEspresso(HttpClient& client, const std::string& token) {
  auto res = client.Post("/api/orders", R"({"items":[{"coffee_item_id":1,"quantity":2}]})", token);
  EXPECT_EQ(res.status, 201) << res.body;
  return std::string(res.Json().as_object()["id"].as_string());
}

class OrderEventsHttp : public HttpTest {};

TEST_P(OrderEventsHttp, StaffGetAnEventStreamOthersAreRefused) {
  auto events = OpenEvents(server_->port(), server_->StaffToken());
  const std::string& head = events->received();
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos) << head;
  EXPECT_NE(head.find("Cache-Control: no-store"), std::string::npos) << head;
  EXPECT_TRUE(events->WaitFor("retry: 3000\n\n", kWait)) << events->received();

  ExpectError(client_->Get("/api/orders/events", server_->UserToken()), 403, "FORBIDDEN");
  ExpectError(client_->Get("/api/orders/events"), 401, "MISSING_TOKEN");
}

TEST_P(OrderEventsHttp, APlacedOrderAndEachStatusChangeReachTheBoardWithoutAsking) {
  auto events = OpenEvents(server_->port(), server_->AdminToken());
  ASSERT_TRUE(events->WaitFor("retry: 3000\n\n", kWait));
  const std::string staff = server_->StaffToken();

  const std::string id = PlaceEspresso(*client_, server_->UserToken());
  EXPECT_TRUE(events->WaitFor("event: order\nid: 1\ndata: {\"id\":\"" + id + "\"", kWait))
      << events->received();
  const std::size_t placed = events->received().find(id);
  EXPECT_NE(events->received().find("\"status\":\"pending\"", placed), std::string::npos);
  EXPECT_NE(events->received().find("\"coffee_name\":\"Espresso\"", placed), std::string::npos);

  auto confirmed =
      client_->Patch("/api/orders/" + id + "/status", R"({"status":"confirmed"})", staff);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_TRUE(events->WaitFor("event: order\nid: 2\n", kWait)) << events->received();
  EXPECT_NE(events->received().find("\"status\":\"confirmed\"", placed), std::string::npos)
      << events->received();

  // A refused change announces nothing: the next event is the next order.
  auto invalid =
      client_->Patch("/api/orders/" + id + "/status", R"({"status":"completed"})", staff);
  ASSERT_EQ(invalid.status, 400) << invalid.body;
  const std::string second = PlaceEspresso(*client_, server_->UserToken());
  EXPECT_TRUE(events->WaitFor("id: 3\ndata: {\"id\":\"" + second + "\"", kWait))
      << events->received();
}

TEST_P(OrderEventsHttp, AClosedStreamStopsItsSubscription) {
  {
    auto events = OpenEvents(server_->port(), server_->StaffToken());
    ASSERT_TRUE(events->WaitFor("retry: 3000\n\n", kWait));
  }
  // The server notices the closed connection and unsubscribes; orders still work.
  PlaceEspresso(*client_, server_->UserToken());
  auto again = OpenEvents(server_->port(), server_->StaffToken());
  const std::string id = PlaceEspresso(*client_, server_->UserToken());
  EXPECT_TRUE(again->WaitFor("event: order\nid: 1\ndata: {\"id\":\"" + id + "\"", kWait))
      << again->received();
}

INSTANTIATE_TEST_SUITE_P(Backends, OrderEventsHttp, ::testing::ValuesIn(AllBackends()),
                         BackendName);

}  // namespace
}  // namespace coffee::testing
