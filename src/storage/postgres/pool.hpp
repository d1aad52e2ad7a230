#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/database.hpp"
#include "storage/postgres/connection.hpp"

namespace coffee::storage::postgres {

/// A bounded pool of connections, created lazily up to `size`.
class Pool {
 public:
  /// Exclusive use of one connection; gives it back when destroyed.
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  Pool(ConnectSpec spec, int size, std::chrono::milliseconds acquire_timeout);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// An open connection, waiting at most the acquire timeout for a free one.
  /// Throws app::DatabaseUnavailable when none frees up in time or the server is unreachable.
  Lease Acquire();
  /// Configured size, connections opened and connections leased now.
  [[nodiscard]] PoolStats Stats();

 private:
  void Release(std::unique_ptr<Connection> connection);

  ConnectSpec spec_;
  int size_;
  std::chrono::milliseconds acquire_timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int created_ = 0;
};

}  // namespace coffee::storage::postgres
