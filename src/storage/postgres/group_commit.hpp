#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/postgres/batch_cache.hpp"
#include "storage/postgres/connection.hpp"
#include "storage/postgres/pool.hpp"
#include "storage/repository_tx.hpp"

namespace coffee::storage::postgres {

/// What the group commit of a PostgreSQL database has done so far (tests, diagnostics).
struct GroupCommitStats {
  std::int64_t writes = 0;        // Write calls whose fn ran
  std::int64_t transactions = 0;  // batches run to their end
  std::int64_t commits = 0;       // COMMITs that succeeded
  std::int64_t queued = 0;        // Write calls running or waiting now
  std::int64_t lanes = 0;         // batches of this instance that may run at the same time
};

/// Group commit for PostgreSQL Write calls, by leader/follower like the SQLite adapter's. A call
/// joins a queue; when it is at the front and no batch of this instance runs (`lanes`, 1 in
/// production) it leads: it takes up to kMaxBatch calls from the front (itself first) and runs
/// their fns one after another in one transaction on one pooled connection, then one COMMIT
/// (with every kept fn's announcements as NOTIFYs in the same round trip), then wakes them. A
/// lone call leads at once; calls that arrive while a batch runs form the next one, so the batch
/// grows with the load and one commit (and one serialized NOTIFY commit) serves many orders. No
/// caller returns before its batch's COMMIT succeeded.
///
/// Every batch first takes a transaction-scoped advisory lock, so the batches of all instances
/// on the database run one at a time: a batch of orders updates several prep_queue_shards rows
/// in no particular order, and two batches at once deadlock (PostgreSQL then aborts one of them
/// after deadlock_timeout). The lock rides in the BEGIN's round trip. Savepoints cost no round
/// trip either: each fn's `SAVEPOINT` is deferred into the pipeline of its first statement and
/// never released (a release would be a round trip of its own); a fn that returns false or
/// throws is undone alone with `ROLLBACK TO SAVEPOINT` and the batch goes on. A fn sees the
/// changes of the fns before it in its batch, so a failed COMMIT, or a connection lost midway,
/// is reported to every caller of the batch (those not run yet included: they fail fast instead
/// of queueing for a database that is likely unreachable). `Write` from inside a fn is refused
/// with StorageError (it would wait for itself), as on SQLite. A batch remembers the queue total
/// and the coffees its fns read (BatchCache), so that each order after the first costs one round
/// trip.
template <typename TxType>
class GroupCommit {
 public:
  /// Batches stay below PostgreSQL's 64 cached subtransactions per transaction (beyond it every
  /// snapshot of every session gets slower).
  static constexpr std::size_t kMaxBatch = 32;
  /// Commits `tx`'s connection, sending `announcements` with the COMMIT; throws on failure.
  using CommitFn = void (*)(Connection&, const std::vector<Announcement>&);

  GroupCommit(Pool& pool, std::size_t lanes, CommitFn commit)
      : pool_(pool), lanes_(std::max<std::size_t>(1, lanes)), commit_(commit) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void Write(const std::function<bool(app::Tx&)>& fn) {
    if (Leading() == this) {
      throw app::StorageError("postgres: Write called from inside a Write; nesting is unsupported");
    }
    Pending self(fn);
    std::array<Pending*, kMaxBatch> batch{};
    std::size_t size = 0;
    {
      std::unique_lock lock(mutex_);
      queue_.push_back(&self);
      ++queued_;
      self.wake.wait(lock,
                     [&] { return self.done || (queue_.front() == &self && leaders_ < lanes_); });
      if (!self.done) {
        size = std::min(queue_.size(), kMaxBatch);
        std::copy_n(queue_.begin(), size, batch.begin());
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(size));
        ++leaders_;
        if (!queue_.empty() && leaders_ < lanes_) queue_.front()->wake.notify_one();
      }
    }
    if (size > 0) {
      RunBatch(std::span(batch.data(), size));
      const std::lock_guard lock(mutex_);
      --leaders_;
      for (std::size_t i = 0; i < size; ++i) {
        --queued_;
        batch[i]->done = true;
        // Under the lock: once it sees `done` the caller returns and its condition variable dies.
        batch[i]->wake.notify_one();
      }
      if (!queue_.empty()) queue_.front()->wake.notify_one();
    }
    if (self.error) std::rethrow_exception(self.error);
  }

  [[nodiscard]] GroupCommitStats Statistics() {
    GroupCommitStats stats{writes_.load(), transactions_.load(), commits_.load(), 0,
                           static_cast<std::int64_t>(lanes_)};
    const std::lock_guard lock(mutex_);
    stats.queued = queued_;
    return stats;
  }

 private:
  static constexpr const char* kBegin = "BEGIN";
  static constexpr const char* kSavepoint = "SAVEPOINT coffee_batch";
  static constexpr const char* kRollbackToSavepoint = "ROLLBACK TO SAVEPOINT coffee_batch";
  static constexpr const char* kRollback = "ROLLBACK";
  /// Batches of every instance on the database run one at a time: a batch updates several
  /// prep_queue_shards rows in no particular order, so two batches running at once deadlock.
  /// BatchCache is exact only because of it, too. Class 0x636F6677 ("cofw"), apart from the
  /// login throttle's class and the migration lock.
  static constexpr Statement kLockBatches{"group_commit_lock",
                                          "SELECT pg_advisory_xact_lock(x'636F6677'::int, 0)"};

  /// One Write call; lives on its caller's stack until it is settled.
  struct Pending {
    explicit Pending(const std::function<bool(app::Tx&)>& f) : fn(&f) {}
    const std::function<bool(app::Tx&)>* fn;
    std::exception_ptr error;  // fn's own exception, or the failure that lost the batch
    bool kept = false;         // leader only: fn returned true
    bool done = false;         // guarded by mutex_: settled, the caller may return
    std::condition_variable wake;
  };

  /// The batcher whose batch this thread is running, to refuse a nested Write.
  static const void*& Leading() {
    thread_local const void* leading = nullptr;
    return leading;
  }

  /// Marks this thread as running a batch of `owner` while alive.
  class LeadingScope {
   public:
    explicit LeadingScope(const void* owner) : previous_(Leading()) { Leading() = owner; }
    ~LeadingScope() { Leading() = previous_; }
    LeadingScope(const LeadingScope&) = delete;
    LeadingScope& operator=(const LeadingScope&) = delete;
    LeadingScope(LeadingScope&&) = delete;
    LeadingScope& operator=(LeadingScope&&) = delete;

   private:
    const void* previous_;
  };

  /// Gives `error` to every call of `batch` that has none yet.
  static void Fail(std::span<Pending* const> batch, const std::exception_ptr& error) {
    for (Pending* w : batch) {
      if (!w->error) w->error = error;
    }
  }

  /// Runs `batch` in one transaction and sets each call's error.
  void RunBatch(std::span<Pending* const> batch) noexcept {
    const LeadingScope leading(this);
    std::optional<Pool::Lease> lease;
    try {
      lease.emplace(pool_.Acquire());
    } catch (...) {
      Fail(batch, std::current_exception());
      return;
    }
    Connection& conn = **lease;
    try {
      // BEGIN and the lock in one round trip.
      conn.DeferBegin(kBegin);
      conn.Run(kLockBatches, Params());
    } catch (...) {
      conn.MarkBroken();
      Fail(batch, std::current_exception());
      return;
    }
    TxType tx(conn);
    // The queue total and the coffees read by one fn serve the next ones: exact, because the
    // advisory lock just taken keeps every other batch (of every instance) out until COMMIT.
    BatchCache cache;
    const BatchCache::Attached attached(conn, cache);
    bool any_kept = false;
    std::size_t ran = 0;
    for (Pending* w : batch) {
      ++ran;
      const std::size_t announced = tx.announcements().size();
      conn.DeferBegin(kSavepoint);
      bool keep = false;
      try {
        keep = (*w->fn)(tx);
      } catch (...) {
        w->error = std::current_exception();
      }
      const bool sent = !conn.DropPendingBegin();
      if (keep) {
        w->kept = true;
        any_kept = true;
        continue;
      }
      tx.KeepAnnouncements(announced);
      // It ran no statement: nothing to undo, and the cache learns only from statements.
      if (!sent) continue;
      cache.Forget();
      try {
        conn.Exec(kRollbackToSavepoint);
      } catch (...) {
        // The transaction is gone (typically the connection): the calls not run yet fail with
        // it rather than wait for another batch on a database that is likely unreachable.
        conn.MarkBroken();
        writes_.fetch_add(static_cast<std::int64_t>(ran), std::memory_order_relaxed);
        transactions_.fetch_add(1, std::memory_order_relaxed);
        Fail(batch, std::current_exception());
        return;
      }
    }
    writes_.fetch_add(static_cast<std::int64_t>(ran), std::memory_order_relaxed);
    transactions_.fetch_add(1, std::memory_order_relaxed);
    try {
      if (!any_kept) {
        conn.Exec(kRollback);
        return;
      }
      if (conn.IsIdle()) {
        // The session was replaced midway (a reconnect): the batch's changes are gone.
        throw app::DatabaseUnavailable("PostgreSQL connection lost during a batch of writes");
      }
      commit_(conn, tx.announcements());
      commits_.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
      conn.MarkBroken();
      Fail(batch, std::current_exception());
    }
  }

  Pool& pool_;
  const std::size_t lanes_;
  CommitFn commit_;
  std::mutex mutex_;
  std::deque<Pending*> queue_;  // waiting calls, in arrival order
  std::size_t leaders_ = 0;     // batches running now
  std::int64_t queued_ = 0;     // calls running or waiting
  std::atomic<std::int64_t> writes_{0};
  std::atomic<std::int64_t> transactions_{0};
  std::atomic<std::int64_t> commits_{0};
};

}  // namespace coffee::storage::postgres
