#include <boost/json.hpp>
#include <cstdio>

#include "http/handlers/handlers.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http {

namespace bj = boost::json;

namespace {

std::string Fixed(double v, const char* format) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), format, v);
  return buf.data();
}

bj::object OpJson(const app::RulesOpStats& s, const char* count_key) {
  const double avg_ns =
      s.count == 0 ? 0.0 : static_cast<double>(s.total_ns) / static_cast<double>(s.count);
  return bj::object{{count_key, s.count},
                    {"avg_time_ms", Fixed(avg_ns / 1e6, "%.2f")},
                    {"avg_time_us", Fixed(avg_ns / 1e3, "%.1f")},
                    {"slow_operations", s.slow}};
}

}  // namespace

bj::object RulesMetricsJson(const app::RulesMetricsView& v) {
  const auto lookups = v.cache_hits + v.cache_misses;
  const double rate =
      lookups == 0 ? 0.0 : 100.0 * static_cast<double>(v.cache_hits) / static_cast<double>(lookups);
  using Op = app::RulesOp;
  auto at = [&](Op op) { return v.ops[static_cast<std::size_t>(op)]; };
  return bj::object{{"cache", bj::object{{"hit_rate", Fixed(rate, "%.1f") + "%"},
                                         {"hits", v.cache_hits},
                                         {"misses", v.cache_misses}}},
                    {"availability", OpJson(at(Op::kAvailability), "checks")},
                    {"pricing", OpJson(at(Op::kPricing), "calculations")},
                    {"prep_time", OpJson(at(Op::kPrepTime), "estimates")},
                    {"loyalty", OpJson(at(Op::kLoyalty), "calculations")}};
}

void AddMetricsRoutes(Router& router, app::Metrics& metrics, std::function<void()> refresh) {
  router.Add(Method::kGet, "/api/business-rules/metrics", Access::kPublic, Exec::kInline,
             [&metrics](Request&) {
               return json::JsonResponse(200, RulesMetricsJson(metrics.ReadRules()));
             });
  router.Add(Method::kGet, "/metrics", Access::kPublic, Exec::kWorker,
             [&metrics, refresh = std::move(refresh)](Request&) {
               if (refresh) refresh();
               Response res;
               res.body = metrics.PrometheusText();
               res.content_type = "text/plain; version=0.0.4; charset=utf-8";
               return res;
             });
}

}  // namespace coffee::http
