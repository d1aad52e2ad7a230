#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/postgres/connection.hpp"

namespace coffee::storage::postgres {

/// LISTENs on a set of channels over a dedicated connection (not from the pool), on its own
/// thread, and calls back with each notification's channel and payload. Channels are plain
/// lowercase identifiers. A lost connection is retried with backoff (1 s doubling up to 5 s);
/// once it is back, every channel is called with `missed` set, since notifications sent
/// meanwhile were lost. Stops and joins in Stop() or the destructor.
class NotifyListener {
 public:
  /// Makes the first connection and LISTEN synchronously, so the caller is listening when this
  /// returns; if that fails it is logged and retried in the background.
  using Callback = std::function<void(std::string_view channel, const app::ChangeNotice&)>;

  NotifyListener(ConnectSpec spec, std::vector<std::string> channels, Callback on_notice);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  /// Stops the thread and waits for it; `on_notice` is not called once this returns.
  void Stop();

 private:
  bool TryListen();
  void Run(bool listening);
  /// Waits for notifications until the connection is lost or Stop() is called.
  void Receive();
  void Lost(const std::string& reason);
  /// Sleeps up to `duration`; true when Stop() was called meanwhile.
  bool SleepUnlessStopped(std::chrono::milliseconds duration) const;
  void Deliver(std::string_view channel, const app::ChangeNotice& notice) const;

  ConnectSpec spec_;
  Connection conn_;  // refers to spec_; used by the constructor, then only by thread_
  std::vector<std::string> channels_;
  Callback on_notice_;
  std::atomic<bool> stop_{false};
  int wake_read_ = -1;  // a pipe: Stop() writes a byte to interrupt poll() at once
  int wake_write_ = -1;
  std::thread thread_;
};

}  // namespace coffee::storage::postgres
