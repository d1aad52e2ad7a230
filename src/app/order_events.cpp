#include "app/order_events.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <vector>

namespace coffee::app {

namespace {
/// Events waiting for the hub beyond this are dropped and reported as missed: a stalled database
/// must not let the queue grow without bound.
constexpr std::size_t kMaxQueued = 10'000;
}  // namespace

OrderEvents::OrderEvents(Store& store, ChangeFeed& feed) : store_(store) {
  feed.Listen(kOrdersChannel, [this](const ChangeNotice& notice) {
    {
      const std::lock_guard lock(mu_);
      if (subscribers_.empty()) return;  // nobody watches: nothing to read or send
      if (notice.missed || queue_.size() >= kMaxQueued) {
        queue_.clear();
        queue_.emplace_back(std::nullopt);
      } else {
        queue_.emplace_back(notice.payload);
      }
    }
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Run(); });
}

OrderEvents::~OrderEvents() { Stop(); }

void OrderEvents::Stop() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t OrderEvents::Subscribe(OnOrder on_order, OnMissed on_missed) {
  const std::lock_guard deliver(deliver_mu_);
  const std::lock_guard lock(mu_);
  const std::uint64_t id = next_id_++;
  subscribers_.emplace(id, Subscriber{std::move(on_order), std::move(on_missed)});
  return id;
}

void OrderEvents::Unsubscribe(std::uint64_t id) {
  if (id == 0) return;
  const std::lock_guard deliver(deliver_mu_);
  const std::lock_guard lock(mu_);
  subscribers_.erase(id);
}

std::size_t OrderEvents::Subscribers() const {
  const std::lock_guard lock(mu_);
  return subscribers_.size();
}

void OrderEvents::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto next = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Publish(next);
    lock.lock();
  }
}

void OrderEvents::Publish(const std::optional<std::string>& order_id) {
  std::optional<Order> order;
  if (order_id) {
    const auto id = domain::OrderId::Parse(*order_id);
    if (!id) {
      spdlog::warn("Order event with a malformed order id ignored: '{}'", *order_id);
      return;
    }
    try {
      store_.Read([&](Tx& tx) { order = tx.Orders().Find(*id); });
    } catch (const std::exception& e) {
      spdlog::warn("Order event for {} not sent: {}", *order_id, e.what());
    }
    if (!order) return;
  }
  const std::lock_guard deliver(deliver_mu_);
  std::vector<Subscriber*> targets;
  {
    const std::lock_guard lock(mu_);
    for (auto& [id, subscriber] : subscribers_) targets.push_back(&subscriber);
  }
  // Unsubscribe and Subscribe wait on deliver_mu_, so the pointers stay valid here.
  for (Subscriber* s : targets) {
    try {
      if (order) {
        s->on_order(*order);
      } else {
        s->on_missed();
      }
    } catch (const std::exception& e) {
      spdlog::error("Order event subscriber failed: {}", e.what());
    }
  }
}

}  // namespace coffee::app
