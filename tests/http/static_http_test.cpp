#include <string>

#include "http/handlers/static_handlers.hpp"
#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

class StaticHttp : public HttpTest {};

TEST_P(StaticHttp, ConsoleWithoutSlashRedirectsToTheDirectory) {
  auto res = client_->Get("/console");
  EXPECT_EQ(res.status, 301);
  EXPECT_EQ(res.Header("location"), "/console/");
  auto with_query = client_->Get("/console?x=1");
  EXPECT_EQ(with_query.Header("location"), "/console/?x=1");
}

TEST_P(StaticHttp, ConsoleIndexIsHtmlWithItsSecurityHeaders) {
  auto res = client_->Get("/console/");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(res.body.find("<title>Coffee console</title>"), std::string::npos);
  EXPECT_EQ(res.Header("content-security-policy"), http::kConsoleContentSecurityPolicy);
  EXPECT_EQ(res.Header("x-frame-options"), "DENY");
  EXPECT_EQ(res.Header("cache-control"), "no-cache");
  EXPECT_EQ(res.Header("x-content-type-options"), "nosniff");
  EXPECT_FALSE(res.Header("etag").empty());
}

TEST_P(StaticHttp, EveryEmbeddedFileIsServedByteForByteWithItsType) {
  for (const auto& file : http::ConsoleFiles()) {
    SCOPED_TRACE(std::string(file.path));
    auto res = client_->Get("/console/" + std::string(file.path));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.body, file.Bytes());
    EXPECT_EQ(res.Header("content-type"), http::ContentTypeFor(file.path));
    EXPECT_EQ(res.Header("etag"), file.etag);
    EXPECT_TRUE(res.Header("content-encoding").empty());
  }
}

TEST_P(StaticHttp, SwaggerUiIsServedFromTheBinaryOnThisDocument) {
  if (http::SwaggerUiFiles().empty()) GTEST_SKIP() << "built without npm: no /swagger-ui/";
  auto redirect = client_->Get("/swagger-ui");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.Header("location"), "/swagger-ui/");
  auto index = client_->Get("/swagger-ui/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("swagger-ui-bundle.js"), std::string::npos);
  EXPECT_EQ(index.Header("content-security-policy"), http::kSwaggerUiContentSecurityPolicy);
  // Every file is ours or swagger-ui-dist's, served byte for byte; init.js points at this
  // server's document.
  for (const auto& file : http::SwaggerUiFiles()) {
    SCOPED_TRACE(std::string(file.path));
    auto res = client_->Get("/swagger-ui/" + std::string(file.path));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.body, file.Bytes());
    EXPECT_EQ(res.Header("content-type"), http::ContentTypeFor(file.path));
  }
  EXPECT_NE(client_->Get("/swagger-ui/init.js").body.find("/api/openapi.json"), std::string::npos);
  EXPECT_EQ(client_->Get("/swagger-ui/swagger-ui-bundle.js")
                .Header("content-type")
                .rfind("text/javascript", 0),
            0U);
}

TEST_P(StaticHttp, AMatchingEtagIsAnswered304WithoutBody) {
  auto first = client_->Get("/console/app.js");
  ASSERT_EQ(first.status, 200);
  auto again =
      client_->Send("GET", "/console/app.js", "", {{"If-None-Match", first.Header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("etag"), first.Header("etag"));
  auto other = client_->Send("GET", "/console/app.js", "", {{"If-None-Match", "\"stale\""}});
  EXPECT_EQ(other.status, 200);
}

TEST_P(StaticHttp, GzipIsSentOnlyToClientsThatAcceptIt) {
  const http::EmbeddedFile* packed = nullptr;
  for (const auto& file : http::ConsoleFiles()) {
    if (file.gzip != nullptr) packed = &file;
  }
  ASSERT_NE(packed, nullptr) << "no console file was large enough to compress";
  const std::string target = "/console/" + std::string(packed->path);
  auto gz = client_->Send("GET", target, "", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.Header("content-encoding"), "gzip");
  EXPECT_EQ(gz.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(gz.body, packed->GzipBytes());
  EXPECT_NE(gz.Header("etag"), packed->etag);  // another representation, another validator
  auto cached = client_->Send("GET", target, "",
                              {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.Header("etag")}});
  EXPECT_EQ(cached.status, 304);
  auto plain = client_->Send("GET", target, "", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_TRUE(plain.Header("content-encoding").empty());
  EXPECT_EQ(plain.body, packed->Bytes());
}

TEST_P(StaticHttp, HeadHasTheHeadersOfGetAndNoBody) {
  auto get = client_->Get("/console/console.css");
  ASSERT_EQ(get.status, 200);
  const std::string reply =
      client_->Raw("HEAD /console/console.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 ")) << reply;
  EXPECT_NE(reply.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n"),
            std::string::npos)
      << reply;
  EXPECT_NE(reply.find("Content-Type: text/css; charset=utf-8\r\n"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("\r\n\r\n")) << "a body followed the head";
}

TEST_P(StaticHttp, UnknownFilesAndTraversalAre404InTheErrorShape) {
  ExpectError(client_->Get("/console/missing.js"), 404, "ROUTE_NOT_FOUND");
  ExpectError(client_->Get("/console/..%2Fopenapi.json"), 404, "ROUTE_NOT_FOUND");
  ExpectError(client_->Get("/console/../api/openapi.json"), 404, "ROUTE_NOT_FOUND");
  ExpectError(client_->Get("/console/a/b/c/d.js"), 404, "ROUTE_NOT_FOUND");
  auto post = client_->Post("/console/app.js", "{}");
  EXPECT_EQ(post.status, 405);
}

INSTANTIATE_TEST_SUITE_P(Backends, StaticHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
