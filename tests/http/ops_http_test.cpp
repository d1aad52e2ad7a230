#include <set>

#include "http/handlers/static_handlers.hpp"
#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

class OpsHttp : public HttpTest {};

/// "/api/coffees/{id}" and "/api/coffees/:id" both become "/api/coffees/{}".
std::string Normalize(const std::string& path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    const bool segment_start = i == 0 || path[i - 1] == '/';
    if (segment_start && (path[i] == ':' || path[i] == '{')) {
      out += "{}";
      while (i < path.size() && path[i] != '/') ++i;
    } else {
      out += path[i++];
    }
  }
  return out;
}

TEST_P(OpsHttp, OpenApiDocumentListsExactlyTheRoutesTheServerAnswers) {
  auto res = client_->Get("/api/openapi.json");
  ASSERT_EQ(res.status, 200);
  auto doc = res.Json().as_object();
  EXPECT_TRUE(std::string(doc["openapi"].as_string()).starts_with("3.1"));
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      std::string m(method);
      if (m == "parameters" || m == "summary" || m == "description") continue;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + Normalize(std::string(path)));
    }
  }
  std::set<std::string> served;
  for (const auto& route : server_->app().router().routes()) {
    served.insert(std::string(http::ToString(route.method)) + " " + Normalize(route.pattern));
  }
  for (const auto& s : served) EXPECT_TRUE(documented.contains(s)) << "undocumented: " << s;
  for (const auto& d : documented) {
    // /swagger-ui/ is only served by a build that had npm to embed it (COFFEE_SWAGGER_UI).
    if (d.find("/swagger-ui") != std::string::npos && http::SwaggerUiFiles().empty()) continue;
    EXPECT_TRUE(served.contains(d)) << "not served: " << d;
  }
}

TEST_P(OpsHttp, RulesMetricsKeepTheExistingShape) {
  auto res = client_->Get("/api/business-rules/metrics");
  ASSERT_EQ(res.status, 200);
  auto m = res.Json().as_object();
  auto cache = m["cache"].as_object();
  EXPECT_TRUE(cache["hit_rate"].is_string());
  EXPECT_TRUE(std::string(cache["hit_rate"].as_string()).ends_with("%"));
  EXPECT_TRUE(cache["hits"].is_number());
  EXPECT_TRUE(cache["misses"].is_number());
  const std::vector<std::pair<const char*, const char*>> ops = {{"availability", "checks"},
                                                                {"pricing", "calculations"},
                                                                {"prep_time", "estimates"},
                                                                {"loyalty", "calculations"}};
  for (const auto& [op, count] : ops) {
    auto o = m[op].as_object();
    EXPECT_TRUE(o[count].is_number()) << op;
    EXPECT_TRUE(o["avg_time_ms"].is_string()) << op;
    EXPECT_TRUE(o["slow_operations"].is_number()) << op;
  }
}

TEST_P(OpsHttp, PrometheusTextCountsRequestsByRouteAndStatus) {
  ASSERT_EQ(client_->Get("/api/coffees/1").status, 200);
  ASSERT_EQ(client_->Get("/api/coffees/999").status, 404);
  auto res = client_->Get("/metrics");
  ASSERT_EQ(res.status, 200);
  EXPECT_TRUE(res.Header("content-type").starts_with("text/plain"));
  EXPECT_NE(
      res.body.find(R"(http_requests_total{method="GET",route="/api/coffees/:id",status="200"} 1)"),
      std::string::npos)
      << res.body;
  EXPECT_NE(res.body.find(R"(route="/api/coffees/:id",status="404"} 1)"), std::string::npos);
  EXPECT_NE(res.body.find("http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(res.body.find("le=\"0.001\""), std::string::npos);
  EXPECT_NE(res.body.find("rules_cache_lookups_total"), std::string::npos);
  EXPECT_NE(res.body.find("rules_operation_duration_seconds"), std::string::npos);
  EXPECT_NE(res.body.find(R"(db_pool_connections{state="max"} 4)"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"(orders_by_status{status="pending"} 0)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, OpsHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
