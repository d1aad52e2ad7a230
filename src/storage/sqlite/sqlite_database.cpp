#include "storage/sqlite/sqlite_database.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>

#include "storage/change_listeners.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

constexpr std::string_view kBeginImmediate = "BEGIN IMMEDIATE";
constexpr std::string_view kBeginDeferred = "BEGIN";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
constexpr std::string_view kSavepoint = "SAVEPOINT coffee_write";
constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO coffee_write";
constexpr std::string_view kReleaseSavepoint = "RELEASE coffee_write";
constexpr std::string_view kPing = "SELECT 1";

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";
constexpr std::string_view kMigrationsTableExists =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr std::string_view kListAppliedMigrations =
    "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version";
constexpr std::string_view kFindAppliedMigration =
    "SELECT checksum FROM schema_migrations WHERE version = ?1";
constexpr std::string_view kInsertAppliedMigration =
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)";

/// Most Write calls committed together: bounds how long the last of a batch waits.
constexpr std::size_t kMaxBatch = 64;

/// How long Read() waits for a free reader connection before reporting the database unavailable.
constexpr std::chrono::seconds kReaderWait{5};

std::string NormalizeSynchronous(const std::string& synchronous) {
  std::string upper = synchronous;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper != "OFF" && upper != "NORMAL" && upper != "FULL" && upper != "EXTRA") {
    throw std::invalid_argument("SQLite synchronous must be NORMAL or FULL, got '" + synchronous +
                                "'");
  }
  return upper;
}

/// Ends the open transaction, if any, ignoring errors (the original failure matters more).
void RollbackQuietly(Connection& conn) noexcept {
  if (!conn.InTransaction()) return;
  try {
    conn.Prepare(kRollback).Run();
  } catch (...) {  // NOLINT(bugprone-empty-catch): best effort after a failure
  }
}

void Commit(Connection& conn) {
  try {
    conn.Prepare(kCommit).Run();
  } catch (...) {
    RollbackQuietly(conn);
    throw;
  }
}

AppliedMigrations ReadApplied(Connection& conn) {
  AppliedMigrations applied;
  Statement stmt = conn.Prepare(kListAppliedMigrations);
  while (stmt.Step()) {
    applied.emplace(static_cast<int>(stmt.Int(0)),
                    AppliedMigration{stmt.Text(1), stmt.Text(2), stmt.Text(3)});
  }
  return applied;
}

/// One Write call in the writer queue; lives on its caller's stack until it is settled.
struct PendingWrite {
  explicit PendingWrite(const std::function<bool(app::Tx&)>& f) : fn(&f) {}
  const std::function<bool(app::Tx&)>* fn;
  /// Set by the leader: fn's own exception, or the failure that lost the batch's changes.
  std::exception_ptr error;
  /// Leader only: fn returned true and its savepoint was released into the batch.
  bool kept = false;
  /// Guarded by the queue mutex: the leader settled this write (its caller may return).
  bool done = false;
  /// Signalled when this write is done or has reached the front of the queue (it leads).
  std::condition_variable wake;
};

/// The database whose batch this thread is running, to refuse a Write from inside a Write
/// (it would wait for itself).
thread_local const void* t_leading = nullptr;

/// Marks this thread as running a batch of `db` while alive.
class LeadingScope {
 public:
  explicit LeadingScope(const void* db) : previous_(t_leading) { t_leading = db; }
  ~LeadingScope() { t_leading = previous_; }
  LeadingScope(const LeadingScope&) = delete;
  LeadingScope& operator=(const LeadingScope&) = delete;
  LeadingScope(LeadingScope&&) = delete;
  LeadingScope& operator=(LeadingScope&&) = delete;

 private:
  const void* previous_;
};

/// Runs w.fn inside a savepoint: keeps its changes if it returned true, undoes them if it
/// returned false or threw (the exception goes to w.error). Returns null while the enclosing
/// transaction is still usable, else the error that ended it (SQLite rolled the whole
/// transaction back, or a savepoint statement failed).
std::exception_ptr RunInSavepoint(Connection& conn, Tx& tx, PendingWrite& w) noexcept {
  try {
    conn.Prepare(kSavepoint).Run();
  } catch (...) {
    w.error = std::current_exception();
    return w.error;
  }
  bool keep = false;
  const std::size_t announced_before = tx.announcements().size();
  try {
    keep = (*w.fn)(tx);
  } catch (...) {
    w.error = std::current_exception();
  }
  if (!keep) tx.KeepAnnouncements(announced_before);  // its savepoint is rolled back
  if (!conn.InTransaction()) {
    // Some errors (disk full, I/O error) make SQLite roll back the whole transaction.
    if (!w.error) {
      w.error = std::make_exception_ptr(
          app::StorageError("sqlite: the transaction was rolled back during a write"));
    }
    return w.error;
  }
  try {
    if (!keep) conn.Prepare(kRollbackToSavepoint).Run();
    conn.Prepare(kReleaseSavepoint).Run();
  } catch (...) {
    std::exception_ptr error = std::current_exception();
    if (!w.error) w.error = error;
    return error;
  }
  w.kept = keep;
  return nullptr;
}

/// The SQLite Database: one writer connection that group-commits concurrent Write calls, and
/// a pool of reader connections.
class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, int readers, const std::string& synchronous,
                 std::chrono::milliseconds query_timeout) {
    const std::string sync = NormalizeSynchronous(synchronous);
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        throw app::DatabaseUnavailable("sqlite: cannot create directory " + parent.string() + ": " +
                                       ec.message());
      }
    }
    writer_ = std::make_unique<Connection>(path, query_timeout);
    const std::string mode = writer_->QueryText("PRAGMA journal_mode = WAL");
    if (mode != "wal" && sqlite3_db_readonly(writer_->handle(), "main") == 0) {
      throw app::DatabaseUnavailable("sqlite: cannot enable WAL journal mode on " + path +
                                     " (got '" + mode + "')");
    }
    writer_->Exec("PRAGMA synchronous = " + sync);
    // Each batched Write runs in a savepoint, whose sub-journal would otherwise be a temporary
    // file written for every page the Write touches; in memory it is a few pages per Write.
    writer_->Exec("PRAGMA temp_store = MEMORY");
    const int count = std::max(1, readers);
    for (int i = 0; i < count; ++i) {
      auto reader = std::make_unique<Connection>(path, query_timeout);
      reader->Exec("PRAGMA synchronous = " + sync);
      // Read() promises a read-only transaction; a write there would bypass the writer lock.
      reader->Exec("PRAGMA query_only = ON");
      // Page cache per reader: 64 KiB (SQLite's default is 2 MiB). In WAL mode a connection
      // empties its page cache when it starts a read transaction after any other connection
      // committed, so under writes a reader's cache only ever holds the pages of its last
      // transaction: a larger cache saves no reads, it only keeps that many pages allocated
      // per reader, and a scan that grows with the data (counting a customer's orders) would
      // take the process's memory up with it until the bound. A miss within a transaction is
      // a read from the OS page cache.
      reader->Exec("PRAGMA cache_size = -64");
      idle_readers_.push_back(reader.get());
      readers_.push_back(std::move(reader));
    }
    StartCheckpointer(path, query_timeout);
  }

  ~SqliteDatabase() override { StopCheckpointer(); }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  SqliteDatabase(SqliteDatabase&&) = delete;
  SqliteDatabase& operator=(SqliteDatabase&&) = delete;

  /// Group commit by leader/follower, with no writer thread of its own: each call joins a
  /// queue, and the call at its front leads. The leader takes up to kMaxBatch calls from the
  /// front (itself first) and runs their fns one after another on its own thread, on the writer
  /// connection under writer_mutex_, in one BEGIN IMMEDIATE … COMMIT with a savepoint per fn,
  /// so a fn that returns false or throws undoes only its own changes. It then wakes them and
  /// hands the lead to the new front. A lone call leads at once and commits alone (no timer);
  /// calls that arrive while a batch commits form the next batch. Every caller returns, or
  /// rethrows its own exception, only after its batch's COMMIT succeeded. A fn sees the changes
  /// of the fns before it in the batch, so if the COMMIT fails every caller of the batch gets
  /// the error, even one whose fn returned false. A Write from inside fn is not supported (it
  /// would wait for itself): it throws StorageError.
  void Write(const std::function<bool(app::Tx&)>& fn) override {
    if (t_leading == this) {
      throw app::StorageError("sqlite: Write called from inside a Write; nesting is unsupported");
    }
    PendingWrite self(fn);
    std::array<PendingWrite*, kMaxBatch> batch{};
    std::size_t size = 0;
    {
      std::unique_lock lock(queue_mutex_);
      queue_.push_back(&self);
      self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
      if (!self.done) {
        size = std::min(queue_.size(), kMaxBatch);
        std::copy_n(queue_.begin(), size, batch.begin());
      }
    }
    if (size > 0) {
      const std::size_t settled = RunBatch(std::span(batch.data(), size));
      const std::lock_guard lock(queue_mutex_);
      for (std::size_t i = 0; i < settled; ++i) {
        queue_.pop_front();
        batch[i]->done = true;
        // Under the lock: once it sees `done` the caller returns and its condition variable dies.
        batch[i]->wake.notify_one();
      }
      if (!queue_.empty()) queue_.front()->wake.notify_one();
    }
    if (self.error) std::rethrow_exception(self.error);
  }

  /// What the writer has done so far.
  [[nodiscard]] WriterStats Statistics() {
    WriterStats stats{
        writes_.load(std::memory_order_relaxed), transactions_.load(std::memory_order_relaxed),
        commits_.load(std::memory_order_relaxed), 0, checkpoints_.load(std::memory_order_relaxed)};
    const std::lock_guard lock(queue_mutex_);
    stats.queued = static_cast<std::int64_t>(queue_.size());
    return stats;
  }

  void Read(const std::function<void(app::Tx&)>& fn) override {
    ReaderLease lease(*this);
    Connection& conn = lease.connection();
    conn.Prepare(kBeginDeferred).Run();
    try {
      Tx tx(conn);
      fn(tx);
      if (!tx.announcements().empty()) {
        throw app::StorageError("Announce in a read transaction: nothing would be committed");
      }
    } catch (...) {
      RollbackQuietly(conn);
      throw;
    }
    Commit(conn);
  }

  bool Ping() override {
    try {
      ReaderLease lease(*this);
      return lease.connection().QueryText(kPing) == "1";
    } catch (const std::exception&) {
      return false;
    }
  }

  [[nodiscard]] std::string_view Backend() const override { return "sqlite"; }

  // One process owns the file: announcements are delivered in-process after their commit.
  void Listen(std::string_view channel, Listener listener) override {
    listeners_.Add(channel, std::move(listener));
  }
  void StopListening() override { listeners_.Clear(); }

  int Migrate() override {
    const std::lock_guard lock(writer_mutex_);
    Connection& conn = *writer_;
    const UnboundedQueries unbounded(conn);
    conn.Exec(std::string(kCreateMigrationsTable));
    const auto applied = ReadApplied(conn);
    const auto embedded = EmbeddedMigrations("sqlite");
    CheckAppliedChecksums(embedded, applied);
    int count = 0;
    for (const auto& m : PendingMigrations(embedded, applied)) {
      if (ApplyMigration(conn, m)) ++count;
    }
    return count;
  }

  PoolStats PoolStatistics() override {
    const std::lock_guard lock(readers_mutex_);
    const int readers = static_cast<int>(readers_.size());
    return PoolStats{readers, readers, readers - static_cast<int>(idle_readers_.size())};
  }

  std::vector<MigrationState> MigrationInfo() override {
    const std::lock_guard lock(writer_mutex_);
    Connection& conn = *writer_;
    AppliedMigrations applied;
    if (conn.QueryText(kMigrationsTableExists) != "0") applied = ReadApplied(conn);
    return MigrationStates(EmbeddedMigrations("sqlite"), applied);
  }

 private:
  /// Borrows an idle reader connection for the lifetime of the lease.
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteDatabase& db) : db_(db) {
      std::unique_lock lock(db_.readers_mutex_);
      if (!db_.readers_cv_.wait_for(lock, kReaderWait,
                                    [this] { return !db_.idle_readers_.empty(); })) {
        throw app::DatabaseUnavailable("sqlite: no reader connection became free in time");
      }
      // Round-robin (oldest idle first) rather than last-in-first-out: every reader's page
      // cache fills at the same pace, so the process reaches its steady memory size within
      // minutes instead of creeping up whenever a rarely used reader is needed.
      conn_ = db_.idle_readers_.front();
      db_.idle_readers_.pop_front();
    }
    ~ReaderLease() {
      {
        const std::lock_guard lock(db_.readers_mutex_);
        db_.idle_readers_.push_back(conn_);
      }
      db_.readers_cv_.notify_one();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    ReaderLease(ReaderLease&&) = delete;
    ReaderLease& operator=(ReaderLease&&) = delete;

    [[nodiscard]] Connection& connection() const { return *conn_; }

   private:
    SqliteDatabase& db_;
    Connection* conn_ = nullptr;
  };

  /// Runs `batch`, the front of the queue, in one transaction on the writer connection and
  /// sets each write's error. Returns how many writes it settled: all of them, unless the
  /// transaction was lost midway, in which case those not yet run stay queued for the next batch.
  std::size_t RunBatch(std::span<PendingWrite* const> batch) noexcept {
    const std::lock_guard lock(writer_mutex_);
    const LeadingScope leading(this);
    Connection& conn = *writer_;
    try {
      conn.Prepare(kBeginImmediate).Run();
    } catch (...) {
      const std::exception_ptr error = std::current_exception();
      for (PendingWrite* w : batch) w->error = error;
      return batch.size();
    }
    transactions_.fetch_add(1, std::memory_order_relaxed);
    Tx tx(conn);
    std::size_t ran = 0;
    bool any_kept = false;
    for (PendingWrite* w : batch) {
      ++ran;
      if (const std::exception_ptr lost = RunInSavepoint(conn, tx, *w)) {
        RollbackQuietly(conn);
        for (std::size_t i = 0; i + 1 < ran; ++i) {
          if (!batch[i]->error) batch[i]->error = lost;
        }
        writes_.fetch_add(static_cast<std::int64_t>(ran), std::memory_order_relaxed);
        return ran;
      }
      any_kept = any_kept || w->kept;
    }
    writes_.fetch_add(static_cast<std::int64_t>(ran), std::memory_order_relaxed);
    if (!any_kept) {
      RollbackQuietly(conn);
      return ran;
    }
    try {
      Commit(conn);
      commits_.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
      const std::exception_ptr error = std::current_exception();
      for (PendingWrite* w : batch) {
        if (!w->error) w->error = error;
      }
      return ran;
    }
    for (const auto& a : tx.TakeAnnouncements()) {
      listeners_.Deliver(a.channel, app::ChangeNotice{a.payload, false});
    }
    return ran;
  }

  /// Applies one migration and records it, in one transaction. False if another process
  /// applied it meanwhile.
  static bool ApplyMigration(Connection& conn, const Migration& m) {
    try {
      conn.Prepare(kBeginImmediate).Run();
      bool already_applied = false;
      {
        Statement found = conn.Prepare(kFindAppliedMigration);
        found.Bind(1, m.version);
        already_applied = found.Step();
      }
      if (already_applied) {
        RollbackQuietly(conn);
        return false;
      }
      conn.Exec(std::string(m.sql));
      Statement record = conn.Prepare(kInsertAppliedMigration);
      record.Bind(1, m.version).Bind(2, m.name).Bind(3, MigrationChecksum(m.sql));
      record.Bind(4, domain::FormatTimestamp(Now()));
      record.Run();
    } catch (const app::StorageError& e) {
      RollbackQuietly(conn);
      throw MigrationError(DescribeMigration(m) + " failed: " + e.what());
    } catch (...) {
      RollbackQuietly(conn);
      throw;
    }
    Commit(conn);
    return true;
  }

  //
  // SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1000 pages,
  // so one batch of orders in every few hundred waited for the copy into the database file and
  // its fdatasync (a tenth of the CPU profile of order placement). Checkpoints run on a thread
  // of their own instead, on their own connection, in PASSIVE mode (they never block the writer
  // or the readers): when a commit reports the WAL at kCheckpointPages or more, and once a
  // second otherwise. Durability is unchanged: a commit is durable once it is in the WAL (and,
  // with synchronous=FULL, fsynced there), whenever the checkpoint copies it.
  //
  // Under continuous writes a background checkpoint never quite catches up with the WAL's end,
  // and SQLite restarts the WAL from its beginning only after a checkpoint that copied
  // everything; so past kInlineCheckpointPages the committing writer checkpoints itself, like
  // SQLite's automatic checkpoint but with most frames already copied by the thread. The WAL
  // file is truncated back to kWalSizeLimit bytes when it restarts.
  static constexpr int kCheckpointPages = 1000;
  static constexpr int kInlineCheckpointPages = 4000;
  static constexpr const char* kWalSizeLimit = "PRAGMA journal_size_limit = 67108864";

  static int OnWalCommit(void* self, sqlite3* db, const char* schema, int pages) {
    if (pages >= kInlineCheckpointPages) {
      int wal_pages = 0;
      int copied = 0;
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
    } else if (pages >= kCheckpointPages) {
      static_cast<SqliteDatabase*>(self)->RequestCheckpoint();
    }
    return SQLITE_OK;
  }

  void StartCheckpointer(const std::string& path, std::chrono::milliseconds query_timeout) {
    try {
      checkpointer_ = std::make_unique<Connection>(path, query_timeout);
      // A connection learns that the file is in WAL mode on its first read; until then a
      // checkpoint through it does nothing (and reports a WAL of -1 pages).
      if (checkpointer_->QueryText("PRAGMA journal_mode") != "wal") {
        checkpointer_.reset();
        return;
      }
      checkpointer_->Exec("PRAGMA cache_size = -128");  // it copies frames; it reads no rows
    } catch (const std::exception&) {
      checkpointer_.reset();
      return;  // keep SQLite's automatic checkpoints on the writer
    }
    writer_->Exec("PRAGMA wal_autocheckpoint = 0");
    writer_->Exec(kWalSizeLimit);
    sqlite3_wal_hook(writer_->handle(), &SqliteDatabase::OnWalCommit, this);
    checkpoint_thread_ = std::thread([this] { RunCheckpointer(); });
  }

  void StopCheckpointer() {
    {
      const std::lock_guard lock(checkpoint_mutex_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  }

  void RequestCheckpoint() {
    {
      const std::lock_guard lock(checkpoint_mutex_);
      checkpoint_wanted_ = true;
    }
    checkpoint_cv_.notify_one();
  }

  void RunCheckpointer() {
    std::unique_lock lock(checkpoint_mutex_);
    while (!checkpoint_stop_) {
      checkpoint_cv_.wait_for(lock, std::chrono::seconds(1),
                              [this] { return checkpoint_wanted_ || checkpoint_stop_; });
      if (checkpoint_stop_) break;
      checkpoint_wanted_ = false;
      lock.unlock();
      int wal_pages = 0;
      int copied = 0;
      // BUSY (another checkpoint) and errors such as a full disk leave the WAL as it is; the
      // next round tries again. The writer's own errors are reported to its callers.
      sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                &wal_pages, &copied);
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
      lock.lock();
    }
  }

  std::unique_ptr<Connection> checkpointer_;
  std::thread checkpoint_thread_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  std::atomic<std::int64_t> checkpoints_{0};

  std::mutex queue_mutex_;
  /// Write calls not yet settled, in arrival order; the front one leads the running batch.
  std::deque<PendingWrite*> queue_;
  std::atomic<std::int64_t> writes_{0};
  std::atomic<std::int64_t> transactions_{0};
  std::atomic<std::int64_t> commits_{0};
  /// Owns the writer connection: the batch leader, Migrate and MigrationInfo.
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  /// Called after each commit with what it announced.
  ChangeListeners listeners_;
  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::deque<Connection*> idle_readers_;
};

}  // namespace

std::unique_ptr<Database> Open(const std::string& path, int readers, const std::string& synchronous,
                               std::chrono::milliseconds query_timeout) {
  return std::make_unique<SqliteDatabase>(path, readers, synchronous, query_timeout);
}

std::optional<WriterStats> WriterStatistics(Database& db) {
  auto* sqlite = dynamic_cast<SqliteDatabase*>(&db);
  if (sqlite == nullptr) return std::nullopt;
  return sqlite->Statistics();
}

}  // namespace coffee::storage::sqlite
