#include "app/metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace coffee::app {
namespace {

/// The value on the line of `series` (name and labels exactly as exposed), or -1 if absent.
double Value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(Metrics, HttpSeriesRecordedOnManyThreadsAddUpInOneExposition) {
  Metrics metrics(std::chrono::milliseconds(100));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.RecordHttp("/api/coffees", "GET", 200, 0.0002);  // bucket le=0.00025
        if (i % 10 == 0) metrics.RecordHttp("/api/orders", "POST", 201 + t % 2, 0.004);
      }
    });
  }
  for (auto& th : threads) th.join();
  metrics.RecordHttp("/api/coffees", "GET", 200, 10.0);  // beyond the last bound: +Inf only

  const std::string text = metrics.PrometheusText();
  const std::string get = R"({method="GET",route="/api/coffees",status="200"})";
  EXPECT_EQ(Value(text, "http_requests_total" + get), kThreads * kPerThread + 1) << text;
  EXPECT_EQ(Value(text, "http_request_duration_seconds_count" + get), kThreads * kPerThread + 1);
  EXPECT_NEAR(Value(text, "http_request_duration_seconds_sum" + get),
              kThreads * kPerThread * 0.0002 + 10.0, 1e-6);
  const std::string get_le =
      R"(http_request_duration_seconds_bucket{method="GET",route="/api/coffees",status="200",le=)";
  EXPECT_EQ(Value(text, get_le + R"("0.0001"})"), 0);
  EXPECT_EQ(Value(text, get_le + R"("0.00025"})"), kThreads * kPerThread);
  EXPECT_EQ(Value(text, get_le + R"("5"})"), kThreads * kPerThread);
  EXPECT_EQ(Value(text, get_le + R"("+Inf"})"), kThreads * kPerThread + 1);
  // Two threads each posted with status 201, two with 202: separate series.
  EXPECT_EQ(Value(text, R"(http_requests_total{method="POST",route="/api/orders",status="201"})"),
            2 * kPerThread / 10);
  EXPECT_EQ(Value(text, R"(http_requests_total{method="POST",route="/api/orders",status="202"})"),
            2 * kPerThread / 10);
  EXPECT_NE(text.find("# TYPE http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE http_request_duration_seconds histogram"), std::string::npos);
  // The registry's own families are still there.
  EXPECT_NE(text.find("# TYPE rules_cache_lookups_total counter"), std::string::npos);
}

TEST(Metrics, AThreadThatRecordsIntoTwoMetricsObjectsKeepsThemApart) {
  Metrics first(std::chrono::milliseconds(100));
  Metrics second(std::chrono::milliseconds(100));
  first.RecordHttp("/a", "GET", 200, 0.001);
  second.RecordHttp("/a", "GET", 200, 0.001);
  first.RecordHttp("/a", "GET", 200, 0.001);
  const std::string series = R"(http_requests_total{method="GET",route="/a",status="200"})";
  EXPECT_EQ(Value(first.PrometheusText(), series), 2);
  EXPECT_EQ(Value(second.PrometheusText(), series), 1);
}

}  // namespace
}  // namespace coffee::app
