// How a route handler's unexpected exceptions become answers (src/http/server/dispatch.cpp).

#include "http/server/dispatch.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "app/ports/store.hpp"

namespace coffee::http::server {
namespace {

/// The answer of a route whose handler throws `error`.
template <typename Error>
Response AnswerOfThrowing(const Error& error) {
  Route route;
  route.pattern = "/api/orders";
  route.handler = [error](const Request&) -> Response { throw error; };
  Request req;
  req.request_id = "r-1";
  return Invoke(route, req);
}

std::string Header(const Response& res, const std::string& name) {
  for (const auto& [key, value] : res.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(Invoke, AWriteThatKeepsLosingLockConflictsIsABusyDatabaseNotAnInternalError) {
  const Response res = AnswerOfThrowing(app::WriteConflict("deadlock detected (SQLSTATE 40P01)"));
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(Header(res, "Retry-After"), "5");
  EXPECT_NE(res.body.find("\"error_code\":\"SERVICE_UNAVAILABLE\""), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("The database is busy; retry shortly"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("SQLSTATE"), std::string::npos) << "details stay in the log";
}

TEST(Invoke, AnUnreachableDatabaseIs503) {
  const Response res = AnswerOfThrowing(app::DatabaseUnavailable("connection refused"));
  EXPECT_EQ(res.status, 503);
  EXPECT_NE(res.body.find("The database is unavailable; retry shortly"), std::string::npos);
}

TEST(Invoke, OtherStorageErrorsAre500WithTheRequestId) {
  const Response res = AnswerOfThrowing(app::StorageError("disk I/O error"));
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("request id r-1"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("disk I/O error"), std::string::npos) << "details stay in the log";
}

}  // namespace
}  // namespace coffee::http::server
