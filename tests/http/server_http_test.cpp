#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

class ServerHttp : public HttpTest {};

TEST_P(ServerHttp, HealthAndReadiness) {
  auto health = client_->Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Json().as_object()["status"], "ok");
  auto ready = client_->Get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST_P(ServerHttp, UnknownRouteIs404InTheErrorShape) {
  auto body = ExpectError(client_->Get("/api/teas"), 404, "ROUTE_NOT_FOUND");
  EXPECT_EQ(body["error"], "No route for /api/teas");
  EXPECT_EQ(body["message"], "No route for /api/teas");
}

TEST_P(ServerHttp, WrongMethodIs405WithAllow) {
  auto res = client_->Send("PATCH", "/api/coffees", "{}");
  ExpectError(res, 405, "METHOD_NOT_ALLOWED");
  EXPECT_NE(res.Header("allow").find("GET"), std::string::npos);
  EXPECT_NE(res.Header("allow").find("POST"), std::string::npos);
}

TEST_P(ServerHttp, WrongContentTypeIs415) {
  auto res = client_->Send("POST", "/api/auth/login", "email=a", {{"Content-Type", "text/plain"}});
  ExpectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
}

TEST_P(ServerHttp, MalformedJsonIs400) {
  auto body = ExpectError(client_->Post("/api/auth/login", R"({"email": "a@b.co",)"), 400,
                          "VALIDATION_ERROR");
  EXPECT_TRUE(body["fields"].as_object().contains("body"));
  ExpectError(client_->Post("/api/auth/login", R"(["not","an","object"])"), 400,
              "VALIDATION_ERROR");
}

TEST_P(ServerHttp, BodyOverOneMebibyteIs413) {
  const std::string big(1024 * 1024 + 1, ' ');
  auto res = client_->Send("POST", "/api/auth/login", big);
  ExpectError(res, 413, "PAYLOAD_TOO_LARGE");
  // The server is still fine afterwards.
  auto again = server_->Client()->Get("/healthz");
  EXPECT_EQ(again.status, 200);
}

TEST_P(ServerHttp, RequestIdIsEchoedOrGenerated) {
  auto echoed = client_->Send("GET", "/healthz", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "abc-123");
  auto generated = client_->Get("/healthz");
  EXPECT_EQ(generated.Header("x-request-id").size(), 16U);
  EXPECT_EQ(generated.Header("x-content-type-options"), "nosniff");
}

TEST_P(ServerHttp, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client_->Get("/api/coffees/1").status, 200);
  }
}

TEST_P(ServerHttp, MalformedHttpGetsA400) {
  const std::string reply = client_->Raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(reply.find("400"), std::string::npos) << reply;
  EXPECT_NE(reply.find("VALIDATION_ERROR"), std::string::npos) << reply;
}

TEST_P(ServerHttp, ErrorsNeverLeakDriverText) {
  auto res = client_->Get("/api/coffees?search=%27%3B%20DROP%20TABLE%20coffees%3B--");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM coffees"), "12");
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
