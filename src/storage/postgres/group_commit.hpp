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
  std::int64_t retries = 0;       // fn runs undone after losing a lock conflict
};

/// Group commit for PostgreSQL Write calls, by leader/follower like the SQLite adapter's. A call
/// joins a queue; when it is at the front and fewer than `lanes` batches of this instance run,
/// it leads: it takes up to kMaxBatch calls from the front (itself first) and runs their fns one
/// after another in one transaction on one pooled connection, then one COMMIT (with every kept
/// fn's announcements as NOTIFYs in the same round trip), then wakes them. A lone call leads at
/// once; calls that arrive while the lanes are busy form the next batch, so batches grow with
/// the load and one commit (and one serialized NOTIFY commit) serves many orders. No caller
/// returns before its batch's COMMIT succeeded.
///
/// Every batch first takes a write lane of the database (take_write_lane, migration 0014, in
/// the BEGIN's round trip): a transaction-scoped advisory lock no other batch of any instance
/// holds, whose number is the shard every change of the batch to the running totals lands in.
/// Batches therefore never update the same total row, which they all touch in no particular
/// order (an order adds to the queue total, to its status's total and to its audit rows'), and
/// cannot deadlock on those. They can on other rows (two writes updating the same two rows in
/// opposite orders): PostgreSQL then fails one statement after deadlock_timeout, its fn is undone
/// alone and runs again in the next batch (app::WriteConflict), up to kMaxConflicts times.
/// Savepoints cost no round trip: each fn's `SAVEPOINT` is deferred into the pipeline of its
/// first statement and never released (a release would be a round trip of its own); a fn that
/// returns false or throws is undone alone with `ROLLBACK TO SAVEPOINT` and the batch goes on. A
/// fn sees the changes of the fns before it in its batch, so a failed COMMIT, or a connection
/// lost midway, is reported to every caller of the batch (those not run yet included: they fail
/// fast instead of queueing for a database that is likely unreachable). `Write` from inside a fn
/// is refused with StorageError (it would wait for itself), as on SQLite. A batch remembers the
/// queue total and the coffees its fns read (BatchCache), so that each order after the first
/// costs one round trip.
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
    std::unique_lock lock(mutex_);
    queue_.push_back(&self);
    ++queued_;
    for (;;) {
      self.wake.wait(lock,
                     [&] { return self.done || (queue_.front() == &self && leaders_ < lanes_); });
      if (self.done) break;
      const bool alone = self.alone;
      const std::size_t size = std::min(queue_.size(), kMaxBatch);
      std::copy_n(queue_.begin(), size, batch.begin());
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(size));
      ++leaders_;
      if (!queue_.empty() && leaders_ < lanes_) queue_.front()->wake.notify_one();
      lock.unlock();
      RunBatch(std::span(batch.data(), size), alone);
      lock.lock();
      --leaders_;
      // Settles the batch's calls, except those that lost a lock conflict: they go back to the
      // front, in their order, for the next batch (this one's leader may be one of them: it then
      // leads again).
      std::size_t again = 0;
      for (std::size_t i = 0; i < size; ++i) {
        Pending* w = batch[i];
        if (w->retry) {
          w->retry = false;
          batch[again++] = w;
          continue;
        }
        --queued_;
        w->done = true;
        // Under the lock: once it sees `done` the caller returns and its condition variable dies.
        w->wake.notify_one();
      }
      for (std::size_t i = again; i-- > 0;) queue_.push_front(batch[i]);
      if (!queue_.empty()) queue_.front()->wake.notify_one();
    }
    lock.unlock();
    if (self.error) std::rethrow_exception(self.error);
  }

  [[nodiscard]] GroupCommitStats Statistics() {
    GroupCommitStats stats{
        writes_.load(), transactions_.load(), commits_.load(), 0, static_cast<std::int64_t>(lanes_),
        retries_.load()};
    const std::lock_guard lock(mutex_);
    stats.queued = queued_;
    return stats;
  }

 private:
  static constexpr const char* kBegin = "BEGIN";
  static constexpr const char* kSavepoint = "SAVEPOINT coffee_batch";
  static constexpr const char* kRollbackToSavepoint = "ROLLBACK TO SAVEPOINT coffee_batch";
  static constexpr const char* kRollback = "ROLLBACK";
  /// A fn that lost this many lock conflicts in a row fails with the last one.
  static constexpr int kMaxConflicts = 5;
  /// Takes a write lane of the database (migration 0014): an advisory lock that no other batch
  /// of any instance holds, whose number names the shard of the running totals this batch's
  /// changes land in, so that batches running at once never update the same total row.
  static constexpr Statement kTakeLane{"group_commit_lane", "SELECT take_write_lane()"};
  /// Takes every lane, waiting for the batches running in them to end: for the calls that lost
  /// a lock conflict in a lane, which then cannot lose one to another batch again.
  static constexpr Statement kTakeEveryLane{"group_commit_every_lane",
                                            "SELECT take_every_write_lane()"};

  /// One Write call; lives on its caller's stack until it is settled.
  struct Pending {
    explicit Pending(const std::function<bool(app::Tx&)>& f) : fn(&f) {}
    const std::function<bool(app::Tx&)>* fn;
    std::exception_ptr error;  // fn's own exception, or the failure that lost the batch
    bool kept = false;         // leader only: fn returned true
    bool retry = false;  // leader only: run it in the next batch (not run, or lost a conflict)
    bool alone = false;  // lost a lock conflict: its batch takes every lane
    int conflicts = 0;   // lock conflicts lost so far
    bool done = false;   // guarded by mutex_: settled, the caller may return
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

  /// Gives `error` to every call of `batch` that has none yet (a call that was to run again
  /// included: its batch is lost).
  static void Fail(std::span<Pending* const> batch, const std::exception_ptr& error) {
    for (Pending* w : batch) {
      if (!w->error) w->error = error;
      w->retry = false;
    }
  }

  /// Runs `batch` in one transaction and sets each call's error.
  void RunBatch(std::span<Pending* const> batch, bool alone) noexcept {
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
      // BEGIN and the lane in one round trip.
      conn.DeferBegin(kBegin);
      conn.Run(alone ? kTakeEveryLane : kTakeLane, Params());
    } catch (...) {
      conn.MarkBroken();
      Fail(batch, std::current_exception());
      return;
    }
    TxType tx(conn);
    // The queue total and the coffees read by one fn serve the next ones (see BatchCache for
    // what they are exact to).
    BatchCache cache;
    const BatchCache::Attached attached(conn, cache);
    bool any_kept = false;
    std::size_t ran = 0;
    while (ran < batch.size()) {
      Pending* w = batch[ran++];
      const std::size_t announced = tx.announcements().size();
      conn.DeferBegin(kSavepoint);
      bool keep = false;
      bool conflict = false;
      try {
        keep = (*w->fn)(tx);
      } catch (const app::WriteConflict&) {
        // Waited too long for a row another batch holds, or a deadlock: undone below and run
        // again in a batch of its own lane set (alone), unless it keeps losing.
        conflict = true;
        retries_.fetch_add(1, std::memory_order_relaxed);
        if (++w->conflicts < kMaxConflicts) {
          w->retry = true;
          w->alone = true;
        } else {
          w->error = std::current_exception();
        }
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
      if (sent) {
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
      if (conflict && !alone) {
        // This batch holds rows another batch waits for, or waits for: commit what it has
        // now, and leave the calls not run yet for the next batch rather than have each of
        // them wait in turn.
        for (Pending* rest : batch.subspan(ran)) rest->retry = true;
        break;
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
  std::atomic<std::int64_t> retries_{0};
};

}  // namespace coffee::storage::postgres
