#include "storage/postgres/pool.hpp"

#include <string>
#include <utility>

namespace coffee::storage::postgres {

Pool::Lease::~Lease() {
  if (connection_ == nullptr) return;
  connection_->DropPendingBegin();  // a transaction that never ran a statement
  // A connection left inside a transaction (or in an unknown state) is reopened on next use.
  if (!connection_->IsIdle()) connection_->MarkBroken();
  pool_->Release(std::move(connection_));
}

Pool::Pool(ConnectSpec spec, int size, std::chrono::milliseconds acquire_timeout)
    : spec_(std::move(spec)), size_(size < 1 ? 1 : size), acquire_timeout_(acquire_timeout) {}

Pool::Lease Pool::Acquire() {
  std::unique_ptr<Connection> connection;
  {
    std::unique_lock lock(mutex_);
    const bool got = available_.wait_for(lock, acquire_timeout_,
                                         [this] { return !idle_.empty() || created_ < size_; });
    if (!got) {
      throw app::DatabaseUnavailable("no free PostgreSQL connection within " +
                                     std::to_string(acquire_timeout_.count()) + " ms (pool size " +
                                     std::to_string(size_) + ")");
    }
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    } else {
      connection = std::make_unique<Connection>(spec_);
      ++created_;
    }
  }
  Lease lease(*this, std::move(connection));
  lease->EnsureOpen();
  return lease;
}

PoolStats Pool::Stats() {
  const std::lock_guard lock(mutex_);
  return PoolStats{size_, created_, created_ - static_cast<int>(idle_.size())};
}

void Pool::Release(std::unique_ptr<Connection> connection) {
  {
    const std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

}  // namespace coffee::storage::postgres
