#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/ports/store.hpp"

namespace coffee::app {

/// The live feed of orders for the baristas' board: every order placed or changed on any
/// instance sharing the database reaches every subscriber of every instance, as the order now
/// stands. Orders announce on the change feed (kOrdersChannel) from their own transaction; this
/// hub listens there and, on its own thread, reads each announced order once and hands it to
/// the subscribers (nothing is read while nobody subscribes).
class OrderEvents {
 public:
  /// Called on the hub's thread with each order; must not block.
  using OnOrder = std::function<void(const Order&)>;
  /// Called on the hub's thread when events may have been missed (the feed reconnected): the
  /// subscriber should reload what it shows.
  using OnMissed = std::function<void()>;

  /// Listens on `feed` (call before serving) and starts the hub's thread.
  OrderEvents(Store& store, ChangeFeed& feed);
  ~OrderEvents();
  OrderEvents(const OrderEvents&) = delete;
  OrderEvents& operator=(const OrderEvents&) = delete;

  /// Returns an id for Unsubscribe (never 0).
  std::uint64_t Subscribe(OnOrder on_order, OnMissed on_missed);
  /// Idempotent; 0 is ignored. After it returns the subscriber is not called again.
  void Unsubscribe(std::uint64_t id);
  [[nodiscard]] std::size_t Subscribers() const;
  /// Stops the thread; queued events are dropped.
  void Stop();

 private:
  struct Subscriber {
    OnOrder on_order;
    OnMissed on_missed;
  };
  void Run();
  void Publish(const std::optional<std::string>& order_id);

  Store& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::optional<std::string>> queue_;  // an order id, or nullopt: missed
  bool stop_ = false;
  /// Held while subscribers are called, so Unsubscribe waits for a call in progress.
  std::mutex deliver_mu_;
  std::map<std::uint64_t, Subscriber> subscribers_;  // guarded by mu_ and deliver_mu_
  std::uint64_t next_id_ = 1;
  std::thread thread_;
};

}  // namespace coffee::app
