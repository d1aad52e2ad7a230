#include "app/rules_cache.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace coffee::app {

namespace {

std::int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RulesCache::RulesCache(Store& store, std::chrono::seconds ttl, const date::time_zone* zone,
                       Metrics* metrics)
    : store_(store), ttl_(ttl), zone_(zone), metrics_(metrics) {}

RulesCache::~RulesCache() { Stop(); }

void RulesCache::Load() {
  std::lock_guard load_lock(load_mu_);
  RulesData data;
  store_.Read([&](Tx& tx) { data = tx.Rules().LoadAll(); });
  rules::SnapshotData input;
  input.availability = std::move(data.availability);
  input.pricing_rules = std::move(data.pricing_rules);
  input.pricing_settings = data.pricing_settings;
  input.prep_times = std::move(data.prep_times);
  input.prep_settings = data.prep_time_settings;
  input.loyalty = std::move(data.loyalty);
  input.zone = zone_;
  input.version = data.version;
  auto snapshot = std::make_shared<const rules::Snapshot>(rules::Snapshot::Build(std::move(input)));
  std::uint64_t malformed = data.malformed.size() + snapshot->skipped().size();
  for (const auto& problem : data.malformed) {
    spdlog::error("Skipping malformed business rule row: {}", problem);
  }
  for (const auto& row : snapshot->skipped()) {
    spdlog::error("Skipping malformed business rule row: {} {}: {}", row.kind, row.id, row.message);
  }
  malformed_total_ += malformed;
  if (metrics_ != nullptr) metrics_->SetMalformedRules(malformed);
  std::atomic_store(&current_, std::move(snapshot));
  loaded_at_ns_ = SteadyNowNs();
  ++generation_;
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

std::shared_ptr<const rules::Snapshot> RulesCache::Peek() const {
  return std::atomic_load(&current_);
}

std::shared_ptr<const rules::Snapshot> RulesCache::Acquire() {
  auto snapshot = Peek();
  const bool fresh = snapshot != nullptr && !Stale();
  if (metrics_ != nullptr) metrics_->RecordCacheLookup(fresh);
  if (!fresh) Invalidate();
  return snapshot;
}

bool RulesCache::Stale() const {
  return std::chrono::nanoseconds(SteadyNowNs() - loaded_at_ns_.load()) >= ttl_;
}

bool RulesCache::ReloadNow() {
  try {
    Load();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("Business rules reload failed; keeping the previous snapshot: {}", e.what());
    return false;
  }
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
    const bool ok = ReloadNow();
    lock.lock();
    if (!ok) {
      // Back off while the database is down instead of spinning.
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
    }
  }
}

}  // namespace coffee::app
