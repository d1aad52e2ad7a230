#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "http/handlers/static_handlers.hpp"

namespace coffee::http {
namespace {

TEST(StaticFiles, ContentTypeComesFromTheExtension) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("console.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("img/LOGO.PNG"), "image/png");
  EXPECT_EQ(ContentTypeFor("openapi.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("README"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("dir.v2/file"), "application/octet-stream");
}

TEST(StaticFiles, GzipIsAcceptedUnlessItsQualityIsZero) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br, zstd"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("xgzip, gzipx"));
}

TEST(StaticFiles, IfNoneMatchComparesEtagsWeakly) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("*", "\"abc\""));
  EXPECT_FALSE(EtagMatches("\"abd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("abc", "\"abc\""));
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
}

TEST(StaticFiles, TheConsoleIsEmbeddedWithDistinctStrongEtags) {
  const auto files = ConsoleFiles();
  std::set<std::string> paths;
  std::set<std::string> etags;
  for (const auto& f : files) {
    paths.emplace(f.path);
    etags.emplace(f.etag);
    EXPECT_GT(f.size, 0U) << f.path;
    EXPECT_EQ(f.etag.size(), 22U) << f.path;  // a quoted 20-digit prefix of the SHA-256
    EXPECT_EQ(f.etag.front(), '"');
    if (f.gzip != nullptr) {
      EXPECT_LT(f.gzip_size, f.size) << f.path;
      EXPECT_EQ(static_cast<unsigned char>(f.GzipBytes()[0]), 0x1fU);  // gzip magic
    }
  }
  for (const char* required : {"index.html", "app.js", "board.js", "sse.js", "favicon.svg"}) {
    EXPECT_TRUE(paths.contains(required)) << required;
  }
  EXPECT_EQ(etags.size(), files.size());
}

TEST(StaticFiles, RoutesCoverEachPathDepthOfTheSite) {
  static constexpr std::array<unsigned char, 2> kBytes = {'h', 'i'};
  const std::array<EmbeddedFile, 3> files = {{
      {"index.html", kBytes.data(), kBytes.size(), nullptr, 0, "\"1\""},
      {"a.js", kBytes.data(), kBytes.size(), nullptr, 0, "\"2\""},
      {"img/b.svg", kBytes.data(), kBytes.size(), nullptr, 0, "\"3\""},
  }};
  Router router;
  AddStaticRoutes(router, StaticSite{"/docs", files, "index.html", ""});
  std::set<std::string> patterns;
  for (const auto& r : router.routes()) {
    EXPECT_EQ(r.method, Method::kGet);
    EXPECT_EQ(r.access, Access::kPublic);
    patterns.insert(r.pattern);
  }
  EXPECT_EQ(patterns, (std::set<std::string>{"/docs", "/docs/:file", "/docs/:dir1/:file"}));

  Request req;
  req.path = "/docs/img/b.svg";
  auto match = router.Find(Method::kGet, req.path);
  ASSERT_NE(match.route, nullptr);
  req.params = match.params;
  const Response res = match.route->handler(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hi");
  EXPECT_EQ(res.content_type, "image/svg+xml");

  req.path = "/docs/img/missing.svg";
  match = router.Find(Method::kGet, req.path);
  ASSERT_NE(match.route, nullptr);
  req.params = match.params;
  EXPECT_EQ(match.route->handler(req).status, 404);
}

}  // namespace
}  // namespace coffee::http
