#include "app/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <unordered_map>

namespace coffee::app {

namespace {

constexpr std::array<std::string_view, 4> kOpLabels = {"availability", "pricing", "prep_time",
                                                       "loyalty"};
constexpr std::array<std::string_view, 4> kSlowMessages = {
    "Slow availability check", "Slow pricing calculation", "Slow prep time estimate",
    "Slow loyalty calculation"};

prometheus::Histogram::BucketBoundaries HttpBuckets() {
  // Fine below 5 ms, where a cached read or a rules decision should land.
  return {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01,
          0.025,  0.05,    0.1,    0.25,  0.5,   1.0,   2.5,   5.0};
}

prometheus::Histogram::BucketBoundaries RulesBuckets() {
  return {0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005,
          0.0001,   0.00025,   0.0005,   0.001,   0.01,     0.1};
}

}  // namespace

struct Metrics::Impl {
  static std::uint64_t NextId() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1);
  }

  explicit Impl(std::chrono::milliseconds slow)
      : slow_threshold(slow),
        registry(std::make_shared<prometheus::Registry>()),
        http_requests(prometheus::BuildCounter()
                          .Name("http_requests_total")
                          .Help("HTTP requests answered, by route pattern, method and status")
                          .Register(*registry)),
        http_duration(prometheus::BuildHistogram()
                          .Name("http_request_duration_seconds")
                          .Help("Time from request headers read to response written")
                          .Register(*registry)),
        cache_lookups(prometheus::BuildCounter()
                          .Name("rules_cache_lookups_total")
                          .Help("Rules snapshot lookups: hit (fresh) or miss (missing or stale)")
                          .Register(*registry)),
        rules_duration(prometheus::BuildHistogram()
                           .Name("rules_operation_duration_seconds")
                           .Help("Time of one rules engine operation")
                           .Register(*registry)),
        rules_slow(prometheus::BuildCounter()
                       .Name("rules_slow_operations_total")
                       .Help("Rules operations slower than SLOW_OPERATION_MS")
                       .Register(*registry)),
        malformed(prometheus::BuildGauge()
                      .Name("rules_malformed_rows")
                      .Help("Rule rows skipped as malformed in the last snapshot load")
                      .Register(*registry)
                      .Add({})),
        db_pool(prometheus::BuildGauge()
                    .Name("db_pool_connections")
                    .Help("Database connections: configured max, opened, leased now")
                    .Register(*registry)),
        orders(prometheus::BuildGauge()
                   .Name("orders_by_status")
                   .Help("Orders currently in each status")
                   .Register(*registry)),
        cache_hit(cache_lookups.Add({{"result", "hit"}})),
        cache_miss(cache_lookups.Add({{"result", "miss"}})) {
    for (std::size_t i = 0; i < kOpLabels.size(); ++i) {
      const std::map<std::string, std::string> labels{{"operation", std::string(kOpLabels[i])}};
      op_hist[i] = &rules_duration.Add(labels, RulesBuckets());
      op_slow[i] = &rules_slow.Add(labels);
    }
  }

  /// Unique per Metrics object (addresses can be reused; ids are not).
  std::uint64_t id = NextId();
  std::chrono::milliseconds slow_threshold;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& http_requests;
  prometheus::Family<prometheus::Histogram>& http_duration;
  prometheus::Family<prometheus::Counter>& cache_lookups;
  prometheus::Family<prometheus::Histogram>& rules_duration;
  prometheus::Family<prometheus::Counter>& rules_slow;
  prometheus::Gauge& malformed;
  prometheus::Family<prometheus::Gauge>& db_pool;
  prometheus::Family<prometheus::Gauge>& orders;
  prometheus::Counter& cache_hit;
  prometheus::Counter& cache_miss;
  std::array<prometheus::Histogram*, 4> op_hist{};
  std::array<prometheus::Counter*, 4> op_slow{};

  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::array<std::atomic<std::uint64_t>, 4> op_count{};
  std::array<std::atomic<std::uint64_t>, 4> op_ns{};
  std::array<std::atomic<std::uint64_t>, 4> op_slow_count{};
};

Metrics::Metrics(std::chrono::milliseconds slow_threshold)
    : impl_(std::make_unique<Impl>(slow_threshold)) {}

Metrics::~Metrics() = default;

void Metrics::RecordRulesOp(RulesOp op, std::chrono::nanoseconds elapsed) {
  const auto i = static_cast<std::size_t>(op);
  impl_->op_count[i].fetch_add(1, std::memory_order_relaxed);
  impl_->op_ns[i].fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  impl_->op_hist[i]->Observe(std::chrono::duration<double>(elapsed).count());
  if (elapsed > impl_->slow_threshold) {
    impl_->op_slow_count[i].fetch_add(1, std::memory_order_relaxed);
    impl_->op_slow[i]->Increment();
    spdlog::warn("{}: {}ms", kSlowMessages[i],
                 std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  }
}

void Metrics::RecordCacheLookup(bool hit) {
  if (hit) {
    impl_->hits.fetch_add(1, std::memory_order_relaxed);
    impl_->cache_hit.Increment();
  } else {
    impl_->misses.fetch_add(1, std::memory_order_relaxed);
    impl_->cache_miss.Increment();
  }
}

void Metrics::RecordHttp(std::string_view route, std::string_view method, int status,
                         double seconds) {
  // Family::Add hashes a label map under a mutex; each thread remembers the series it has
  // used, so the hot path is one small-string lookup without locks. Series are never removed,
  // so the cached pointers stay valid for the registry's lifetime.
  struct Series {
    prometheus::Counter* requests;
    prometheus::Histogram* duration;
  };
  thread_local std::unordered_map<std::string, Series> cache;
  thread_local std::uint64_t cache_owner = 0;  // Impl ids start at 1
  if (cache_owner != impl_->id) {
    cache.clear();
    cache_owner = impl_->id;
  }
  std::string key;
  key.reserve(route.size() + method.size() + 8);
  key.append(route).append(1, ' ').append(method).append(1, ' ').append(std::to_string(status));
  auto it = cache.find(key);
  if (it == cache.end()) {
    const std::string route_label(route);
    const std::string method_label(method);
    Series s{
        &impl_->http_requests.Add(
            {{"route", route_label}, {"method", method_label}, {"status", std::to_string(status)}}),
        &impl_->http_duration.Add(
            {{"route", route_label}, {"method", method_label}, {"status", std::to_string(status)}},
            HttpBuckets())};
    it = cache.emplace(std::move(key), s).first;
  }
  it->second.requests->Increment();
  it->second.duration->Observe(seconds);
}

void Metrics::SetMalformedRules(std::uint64_t rows) {
  impl_->malformed.Set(static_cast<double>(rows));
}

void Metrics::SetDbPool(int max, int open, int in_use) {
  impl_->db_pool.Add({{"state", "max"}}).Set(max);
  impl_->db_pool.Add({{"state", "open"}}).Set(open);
  impl_->db_pool.Add({{"state", "in_use"}}).Set(in_use);
}

void Metrics::SetOrdersByStatus(std::string_view status, std::int64_t count) {
  impl_->orders.Add({{"status", std::string(status)}}).Set(static_cast<double>(count));
}

RulesMetricsView Metrics::ReadRules() const {
  RulesMetricsView v;
  v.cache_hits = impl_->hits.load(std::memory_order_relaxed);
  v.cache_misses = impl_->misses.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < v.ops.size(); ++i) {
    v.ops[i].count = impl_->op_count[i].load(std::memory_order_relaxed);
    v.ops[i].total_ns = impl_->op_ns[i].load(std::memory_order_relaxed);
    v.ops[i].slow = impl_->op_slow_count[i].load(std::memory_order_relaxed);
  }
  return v;
}

std::string Metrics::PrometheusText() const {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

}  // namespace coffee::app
