#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "storage/postgres/connection.hpp"

namespace coffee::storage::postgres {

/// LISTENs on one channel over a dedicated connection (not from the pool) on its own thread and
/// calls back when a notification arrives whose payload is not `own_id`. `channel` is a plain
/// lowercase identifier. A lost connection is
/// retried with backoff (1 s doubling up to 5 s); after it is back, `on_change` runs once, since
/// notifications sent meanwhile were lost. Stops and joins in Stop() or the destructor.
class NotifyListener {
 public:
  /// Makes the first connection and LISTEN synchronously, so the caller is listening when this
  /// returns; if that fails it is logged and retried in the background.
  NotifyListener(ConnectSpec spec, std::string channel, std::string own_id,
                 std::function<void()> on_change);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  /// Stops the thread and waits for it; `on_change` is not called once this returns.
  void Stop();

 private:
  bool TryListen();
  void Run(bool listening);
  /// Waits for notifications until the connection is lost or Stop() is called.
  void Receive();
  void Lost(const std::string& reason);
  /// Sleeps up to `duration`; true when Stop() was called meanwhile.
  bool SleepUnlessStopped(std::chrono::milliseconds duration) const;
  void Notify() const;

  ConnectSpec spec_;
  Connection conn_;  // refers to spec_; used by the constructor, then only by thread_
  std::string channel_;
  std::string own_id_;
  std::function<void()> on_change_;
  std::atomic<bool> stop_{false};
  int wake_read_ = -1;  // a pipe: Stop() writes a byte to interrupt poll() at once
  int wake_write_ = -1;
  std::thread thread_;
};

}  // namespace coffee::storage::postgres
