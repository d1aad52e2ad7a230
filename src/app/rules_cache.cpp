#include "app/rules_cache.hpp"

#include <spdlog/spdlog.h>

namespace coffee::app {

namespace {

std::int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RulesCache::RulesCache(Store& store, std::chrono::seconds ttl) : store_(store), ttl_(ttl) {}

RulesCache::~RulesCache() { Stop(); }

void RulesCache::Load() {
  auto data = std::make_shared<RulesData>();
  store_.Read([&](Tx& tx) { *data = tx.Rules().LoadAll(); });
  for (const auto& problem : data->malformed) {
    spdlog::error("Skipping malformed business rule row: {}", problem);
  }
  malformed_total_ += data->malformed.size();
  std::atomic_store(&current_, std::shared_ptr<const RulesData>(std::move(data)));
  loaded_at_ns_ = SteadyNowNs();
}

void RulesCache::Warm() { Load(); }

void RulesCache::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void RulesCache::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const RulesData> RulesCache::Current() const { return std::atomic_load(&current_); }

bool RulesCache::Stale() const {
  const auto age = std::chrono::nanoseconds(SteadyNowNs() - loaded_at_ns_.load());
  return age >= ttl_;
}

void RulesCache::Invalidate() {
  {
    std::lock_guard lock(mu_);
    reload_requested_ = true;
  }
  cv_.notify_all();
}

void RulesCache::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto age = std::chrono::nanoseconds(SteadyNowNs() - loaded_at_ns_.load());
    const auto wait = age >= ttl_ ? std::chrono::nanoseconds(0) : ttl_ - age;
    cv_.wait_for(lock, wait, [this] { return stop_ || reload_requested_; });
    if (stop_) break;
    if (!reload_requested_ && !Stale()) continue;
    reload_requested_ = false;
    lock.unlock();
    try {
      Load();
    } catch (const std::exception& e) {
      spdlog::error("Business rules reload failed; keeping the previous snapshot: {}", e.what());
      // Retry after a short pause rather than spinning while the database is down.
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
      continue;
    }
    lock.lock();
  }
}

}  // namespace coffee::app
