#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "app/ports/store.hpp"
#include "rules/snapshot.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace coffee::app {

/// What `coffee-api analytics generate` writes.
struct HistoryOptions {
  std::int64_t orders = 1'000'000;
  std::int64_t days = 365;  // the history covers the days before `end`
  std::int64_t customers = 20'000;
  std::int64_t reviews = 50'000;  // at most one per (customer, coffee)
  std::uint64_t seed = 42;
  std::int64_t batch = 20'000;  // orders per transaction
  domain::Instant end;
};

/// What was written, and how long each phase took.
struct HistoryReport {
  std::int64_t orders = 0;
  std::int64_t lines = 0;
  std::int64_t audit_rows = 0;
  std::int64_t customers = 0;
  std::int64_t reviews = 0;
  RollupCounts rollups;
  double insert_seconds = 0;
  double rollup_seconds = 0;
  double analyze_seconds = 0;
};

/// Writes a realistic order history for benchmarks and demos: customers, orders placed over the
/// last `days` days at shop hours (busier mornings, in `zone`), 1–3 coffees each, priced, timed
/// and rewarded by the current rules as if they had been in force then (their validity dates are
/// ignored, time windows apply), with their pricing audit rows; mostly completed and paid, some
/// cancelled or refunded; then reviews, the customers' loyalty balances, the rollups (rebuilt from
/// the raw rows) and the planner's statistics. Deterministic for a given seed. Throws
/// std::invalid_argument when the catalog is empty.
HistoryReport GenerateHistory(Store& store, const rules::Snapshot& snapshot,
                              const date::time_zone* zone, const HistoryOptions& options,
                              const std::function<void(std::string_view)>& progress);

}  // namespace coffee::app
