#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "test_database.hpp"
#include "test_server.hpp"

namespace coffee::testing {

/// A fixture with a fresh seeded server per test, parameterized by backend.
class HttpTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    client_ = server_->Client();
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  /// Asserts the SPEC §2 error shape and returns the body.
  static boost::json::object ExpectError(const HttpResult& res, int status,
                                         const std::string& error_code) {
    EXPECT_EQ(res.status, status) << res.body;
    auto body = boost::json::parse(res.body).as_object();
    EXPECT_TRUE(body.contains("details")) << res.body;
    EXPECT_EQ(body["error_code"], error_code.c_str()) << res.body;
    // error and message are the specific human message (SPEC §2), never a bare category.
    EXPECT_TRUE(body.contains("error") && body["error"].is_string()) << res.body;
    EXPECT_EQ(body["message"], body["error"]) << res.body;
    EXPECT_EQ(body["details"], body["error"]) << res.body;
    EXPECT_TRUE(body.contains("timestamp") && body["timestamp"].is_string() &&
                body["timestamp"].as_string().ends_with("Z"))
        << res.body;
    EXPECT_FALSE(res.Header("x-request-id").empty());
    return body;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace coffee::testing
