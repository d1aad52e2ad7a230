#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "app/metrics.hpp"
#include "app/ports/store.hpp"
#include "rules/snapshot.hpp"

namespace coffee::app {

/// Holds the immutable rules snapshot (SPEC §5) and swaps in a fresh one when it is older than
/// the TTL, when asked after a change made through the API, or when Invalidate() is called.
/// Readers never wait: they take the current pointer. A failed reload keeps the previous
/// snapshot (logged as ERROR); a malformed row is skipped, logged and counted.
class RulesCache {
 public:
  RulesCache(Store& store, std::chrono::seconds ttl, const date::time_zone* zone, Metrics* metrics);
  ~RulesCache();
  RulesCache(const RulesCache&) = delete;
  RulesCache& operator=(const RulesCache&) = delete;

  /// Loads once, synchronously (start-up); throws if the database cannot be read.
  void Warm();
  /// Starts / stops the background reloader.
  void Start();
  void Stop();

  /// The snapshot for one rules lookup; counts a hit when fresh, a miss when stale (which also
  /// wakes the reloader). Null only before Warm().
  [[nodiscard]] std::shared_ptr<const rules::Snapshot> Acquire();
  /// The current snapshot without counting a lookup.
  [[nodiscard]] std::shared_ptr<const rules::Snapshot> Peek() const;
  /// Reloads on the calling thread (a worker, after a committed API change) so the next
  /// request sees the change. On failure keeps the old snapshot, logs ERROR, returns false.
  bool ReloadNow();
  /// Asks the background reloader for a reload soon (a change was announced on the feed).
  void Invalidate();

  [[nodiscard]] bool Loaded() const { return Peek() != nullptr; }
  [[nodiscard]] bool Stale() const;
  /// Increments with every successful load; lets callers cache bytes per snapshot.
  [[nodiscard]] std::uint64_t Generation() const { return generation_.load(); }
  /// Rows skipped as malformed, summed over every load.
  [[nodiscard]] std::uint64_t MalformedRows() const { return malformed_total_.load(); }
  [[nodiscard]] const date::time_zone* zone() const { return zone_; }

 private:
  void Load();
  void Loop();

  Store& store_;
  std::chrono::seconds ttl_;
  const date::time_zone* zone_;
  Metrics* metrics_;
  std::shared_ptr<const rules::Snapshot> current_;  // std::atomic_load / atomic_store only
  std::atomic<std::int64_t> loaded_at_ns_{0};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> malformed_total_{0};
  std::mutex load_mu_;  // one load at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool reload_requested_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coffee::app
