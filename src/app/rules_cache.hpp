#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "app/ports.hpp"

namespace coffee::app {

/// Holds the immutable rules configuration loaded from the database and swaps in a fresh one
/// when it is older than the TTL or after Invalidate(). Readers never wait: they get the
/// current pointer; a reload happens on a background thread and a failed reload keeps the
/// previous data (logged as ERROR).
class RulesCache {
 public:
  RulesCache(Store& store, std::chrono::seconds ttl);
  ~RulesCache();
  RulesCache(const RulesCache&) = delete;
  RulesCache& operator=(const RulesCache&) = delete;

  /// Loads once, synchronously (start-up); throws if the database cannot be read.
  void Warm();
  /// Starts the background reloader.
  void Start();
  /// Stops the background reloader.
  void Stop();
  /// The current data (null before Warm). Never blocks on a reload.
  [[nodiscard]] std::shared_ptr<const RulesData> Current() const;
  /// True when the current data is older than the TTL.
  [[nodiscard]] bool Stale() const;
  /// Asks for a reload now (after a change made through the API).
  void Invalidate();
  [[nodiscard]] bool Loaded() const { return Current() != nullptr; }
  /// Rows skipped as malformed, summed over every load.
  [[nodiscard]] std::uint64_t MalformedRows() const { return malformed_total_.load(); }

 private:
  void Load();
  void Loop();

  Store& store_;
  std::chrono::seconds ttl_;
  std::shared_ptr<const RulesData> current_;  // accessed with std::atomic_load/store
  std::atomic<std::int64_t> loaded_at_ns_{0};
  std::atomic<std::uint64_t> malformed_total_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool reload_requested_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coffee::app
