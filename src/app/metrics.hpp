#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace coffee::app {

/// The four rules operations timed and counted (SPEC §5.6).
enum class RulesOp { kAvailability, kPricing, kPrepTime, kLoyalty };

/// Totals of one rules operation.
struct RulesOpStats {
  std::uint64_t count = 0;
  std::uint64_t total_ns = 0;
  std::uint64_t slow = 0;
};

/// What GET /api/business-rules/metrics reports.
struct RulesMetricsView {
  std::uint64_t cache_hits = 0;
  std::uint64_t cache_misses = 0;
  std::array<RulesOpStats, 4> ops{};  // indexed by RulesOp
};

/// Process metrics: rules operations, snapshot cache, HTTP requests. Thread-safe and cheap on
/// the hot path (atomics; Prometheus families for labelled series).
class Metrics {
 public:
  explicit Metrics(std::chrono::milliseconds slow_threshold);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Counts one rules operation; above the slow threshold it is counted as slow and logged at
  /// WARN as "Slow pricing calculation: Nms" (availability check / prep time estimate /
  /// loyalty calculation).
  void RecordRulesOp(RulesOp op, std::chrono::nanoseconds elapsed);
  /// A rules lookup served from a fresh snapshot (hit) or a missing/stale one (miss).
  void RecordCacheLookup(bool hit);
  /// One answered HTTP request.
  void RecordHttp(std::string_view route, std::string_view method, int status, double seconds);
  /// Rows skipped as malformed when loading rules (gauge of the last load).
  void SetMalformedRules(std::uint64_t rows);
  /// Database connection pool gauges.
  void SetDbPool(int max, int open, int in_use);
  /// Orders currently in a status (gauge).
  void SetOrdersByStatus(std::string_view status, std::int64_t count);

  [[nodiscard]] RulesMetricsView ReadRules() const;
  /// Everything in Prometheus text exposition format 0.0.4.
  [[nodiscard]] std::string PrometheusText() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Measures a scope and records it as one rules operation.
class RulesOpTimer {
 public:
  RulesOpTimer(Metrics* metrics, RulesOp op)
      : metrics_(metrics), op_(op), start_(std::chrono::steady_clock::now()) {}
  ~RulesOpTimer() {
    if (metrics_ != nullptr) {
      metrics_->RecordRulesOp(op_, std::chrono::steady_clock::now() - start_);
    }
  }
  RulesOpTimer(const RulesOpTimer&) = delete;
  RulesOpTimer& operator=(const RulesOpTimer&) = delete;

 private:
  Metrics* metrics_;
  RulesOp op_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace coffee::app
