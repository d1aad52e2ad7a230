#include "app/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace coffee::app {

namespace {

constexpr std::array<std::string_view, 4> kOpLabels = {"availability", "pricing", "prep_time",
                                                       "loyalty"};
constexpr std::array<std::string_view, 4> kSlowMessages = {
    "Slow availability check", "Slow pricing calculation", "Slow prep time estimate",
    "Slow loyalty calculation"};

// Fine below 5 ms, where a cached read or a rules decision should land.
constexpr std::array<double, 17> kHttpBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003,
                                                 0.005,  0.0075,  0.01,   0.025, 0.05,  0.1,
                                                 0.25,   0.5,     1.0,    2.5,   5.0};

/// http_requests_total and http_request_duration_seconds, kept in one shard per recording
/// thread. prometheus::Histogram takes one mutex per series, and the hottest series (a cached
/// GET) is shared by every I/O thread: at 100k requests/s that mutex and its cache line moved
/// between cores on every request, and a thread preempted while holding it stalled the others.
/// Here a thread only ever locks its own shard (uncontended but for a scrape); a scrape sums
/// the shards.
class HttpSeries {
 public:
  /// The shard of the calling thread; made on its first request.
  struct Shard;

  Shard& ShardOfThisThread(std::uint64_t owner_id);
  static void Record(Shard& shard, std::string_view route, std::string_view method, int status,
                     double seconds);
  /// Both families, in the shape prometheus-cpp gives its own counters and histograms.
  void AppendTo(std::vector<prometheus::MetricFamily>& out) const;

  struct Cell {
    std::uint64_t count = 0;
    double sum = 0.0;
    std::array<std::uint64_t, kHttpBuckets.size() + 1> buckets{};  // the last is +Inf
  };
  using Key = std::tuple<std::string, std::string, int>;  // route, method, status
  struct KeyView {
    std::string_view route;
    std::string_view method;
    int status;
  };
  struct KeyLess {
    using is_transparent = void;
    static KeyView View(const KeyView& k) { return k; }
    static KeyView View(const Key& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      const KeyView va = View(a);
      const KeyView vb = View(b);
      return std::tie(va.route, va.method, va.status) < std::tie(vb.route, vb.method, vb.status);
    }
  };
  struct Shard {
    std::mutex mu;
    std::map<Key, Cell, KeyLess> cells;
  };

 private:
  mutable std::mutex mu_;  // guards shards_ (the list, not their cells)
  std::vector<std::unique_ptr<Shard>> shards_;
};

HttpSeries::Shard& HttpSeries::ShardOfThisThread(std::uint64_t owner_id) {
  // Shards are never removed (a counter must not go down when a thread ends), so the pointer
  // stays valid for the Metrics object's lifetime; the id tells one Metrics object from the
  // next at the same address.
  thread_local Shard* mine = nullptr;
  thread_local std::uint64_t mine_owner = 0;
  if (mine == nullptr || mine_owner != owner_id) {
    const std::lock_guard lock(mu_);
    shards_.push_back(std::make_unique<Shard>());
    mine = shards_.back().get();
    mine_owner = owner_id;
  }
  return *mine;
}

void HttpSeries::Record(Shard& shard, std::string_view route, std::string_view method, int status,
                        double seconds) {
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kHttpBuckets.begin(), kHttpBuckets.end(), seconds) - kHttpBuckets.begin());
  const std::lock_guard lock(shard.mu);
  auto it = shard.cells.find(KeyView{route, method, status});
  if (it == shard.cells.end()) {
    it = shard.cells.emplace(Key{std::string(route), std::string(method), status}, Cell{}).first;
  }
  Cell& cell = it->second;
  ++cell.count;
  cell.sum += seconds;
  ++cell.buckets[bucket];
}

void HttpSeries::AppendTo(std::vector<prometheus::MetricFamily>& out) const {
  std::map<Key, Cell, KeyLess> total;
  {
    const std::lock_guard lock(mu_);
    for (const auto& shard : shards_) {
      const std::lock_guard shard_lock(shard->mu);
      for (const auto& [key, cell] : shard->cells) {
        Cell& sum = total[key];
        sum.count += cell.count;
        sum.sum += cell.sum;
        for (std::size_t i = 0; i < cell.buckets.size(); ++i) sum.buckets[i] += cell.buckets[i];
      }
    }
  }
  prometheus::MetricFamily requests{"http_requests_total",
                                    "HTTP requests answered, by route pattern, method and status",
                                    prometheus::MetricType::Counter,
                                    {}};
  prometheus::MetricFamily duration{"http_request_duration_seconds",
                                    "Time from request headers read to response written",
                                    prometheus::MetricType::Histogram,
                                    {}};
  for (const auto& [key, cell] : total) {
    const auto& [route, method, status] = key;
    // Label names in order, as prometheus-cpp's families write them.
    std::vector<prometheus::ClientMetric::Label> labels{
        {"method", method}, {"route", route}, {"status", std::to_string(status)}};
    prometheus::ClientMetric count;
    count.label = labels;
    count.counter.value = static_cast<double>(cell.count);
    requests.metric.push_back(std::move(count));
    prometheus::ClientMetric hist;
    hist.label = std::move(labels);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < cell.buckets.size(); ++i) {
      cumulative += cell.buckets[i];
      hist.histogram.bucket.push_back({cumulative, i < kHttpBuckets.size()
                                                       ? kHttpBuckets[i]
                                                       : std::numeric_limits<double>::infinity()});
    }
    hist.histogram.sample_count = cumulative;
    hist.histogram.sample_sum = cell.sum;
    duration.metric.push_back(std::move(hist));
  }
  out.push_back(std::move(requests));
  out.push_back(std::move(duration));
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
  HttpSeries http;
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
  HttpSeries::Record(impl_->http.ShardOfThisThread(impl_->id), route, method, status, seconds);
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
  std::vector<prometheus::MetricFamily> families;
  impl_->http.AppendTo(families);
  auto rest = impl_->registry->Collect();
  families.insert(families.end(), std::make_move_iterator(rest.begin()),
                  std::make_move_iterator(rest.end()));
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(families);
}

}  // namespace coffee::app
