#include "storage/sqlite/sqlite_database.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

constexpr std::string_view kBeginImmediate = "BEGIN IMMEDIATE";
constexpr std::string_view kBeginDeferred = "BEGIN";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
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

/// How long Read() waits for a free reader connection before reporting the database unavailable.
constexpr std::chrono::seconds kReaderWait{5};

struct AppliedMigration {
  std::string name;
  std::string checksum;
  std::string applied_at;
};

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

std::map<int, AppliedMigration> ReadApplied(Connection& conn) {
  std::map<int, AppliedMigration> applied;
  Statement stmt = conn.Prepare(kListAppliedMigrations);
  while (stmt.Step()) {
    applied.emplace(static_cast<int>(stmt.Int(0)),
                    AppliedMigration{stmt.Text(1), stmt.Text(2), stmt.Text(3)});
  }
  return applied;
}

std::string Describe(const Migration& m) {
  return "migration " + std::to_string(m.version) + " (" + m.name + ")";
}

/// The SQLite Database: one writer connection behind a mutex, a pool of reader connections.
class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, int readers, const std::string& synchronous) {
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
    writer_ = std::make_unique<Connection>(path);
    const std::string mode = writer_->QueryText("PRAGMA journal_mode = WAL");
    if (mode != "wal" && sqlite3_db_readonly(writer_->handle(), "main") == 0) {
      throw app::DatabaseUnavailable("sqlite: cannot enable WAL journal mode on " + path +
                                     " (got '" + mode + "')");
    }
    writer_->Exec("PRAGMA synchronous = " + sync);
    const int count = std::max(1, readers);
    for (int i = 0; i < count; ++i) {
      auto reader = std::make_unique<Connection>(path);
      reader->Exec("PRAGMA synchronous = " + sync);
      // Read() promises a read-only transaction; a write there would bypass the writer lock.
      reader->Exec("PRAGMA query_only = ON");
      idle_readers_.push_back(reader.get());
      readers_.push_back(std::move(reader));
    }
  }

  void Write(const std::function<bool(app::Tx&)>& fn) override {
    const std::lock_guard lock(writer_mutex_);
    Connection& conn = *writer_;
    conn.Prepare(kBeginImmediate).Run();
    bool commit = false;
    try {
      Tx tx(conn);
      commit = fn(tx);
    } catch (...) {
      RollbackQuietly(conn);
      throw;
    }
    if (commit) {
      Commit(conn);
    } else {
      RollbackQuietly(conn);
    }
  }

  void Read(const std::function<void(app::Tx&)>& fn) override {
    ReaderLease lease(*this);
    Connection& conn = lease.connection();
    conn.Prepare(kBeginDeferred).Run();
    try {
      Tx tx(conn);
      fn(tx);
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

  // One process owns the file, so there is nobody to tell and nobody to hear.
  void AnnounceRulesChange() override {}
  void ListenForRulesChanges(std::function<void()> /*on_change*/) override {}
  void StopListening() override {}

  int Migrate() override {
    const std::lock_guard lock(writer_mutex_);
    Connection& conn = *writer_;
    conn.Exec(std::string(kCreateMigrationsTable));
    const auto applied = ReadApplied(conn);
    const auto embedded = EmbeddedMigrations("sqlite");
    for (const auto& m : embedded) {
      const auto it = applied.find(m.version);
      const std::string checksum = MigrationChecksum(m.sql);
      if (it != applied.end() && it->second.checksum != checksum) {
        throw MigrationError(Describe(m) + " was changed after it was applied: checksum " +
                             it->second.checksum + " in the database, " + checksum + " embedded");
      }
    }
    int count = 0;
    for (const auto& m : embedded) {
      if (applied.contains(m.version)) continue;
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
    std::map<int, AppliedMigration> applied;
    if (conn.QueryText(kMigrationsTableExists) != "0") applied = ReadApplied(conn);
    std::map<int, MigrationState> states;
    for (const auto& m : EmbeddedMigrations("sqlite")) {
      MigrationState s;
      s.version = m.version;
      s.name = m.name;
      s.checksum = MigrationChecksum(m.sql);
      if (const auto it = applied.find(m.version); it != applied.end()) {
        s.applied = true;
        s.applied_at = it->second.applied_at;
        s.checksum_mismatch = it->second.checksum != s.checksum;
      }
      states.emplace(m.version, std::move(s));
    }
    for (const auto& [version, a] : applied) {
      if (states.contains(version)) continue;
      states.emplace(version,
                     MigrationState{version, a.name, a.checksum, true, a.applied_at, false});
    }
    std::vector<MigrationState> out;
    out.reserve(states.size());
    for (auto& [version, s] : states) out.push_back(std::move(s));
    return out;
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
      conn_ = db_.idle_readers_.back();
      db_.idle_readers_.pop_back();
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
      throw MigrationError(Describe(m) + " failed: " + e.what());
    } catch (...) {
      RollbackQuietly(conn);
      throw;
    }
    Commit(conn);
    return true;
  }

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
};

}  // namespace

std::unique_ptr<Database> Open(const std::string& path, int readers,
                               const std::string& synchronous) {
  return std::make_unique<SqliteDatabase>(path, readers, synchronous);
}

}  // namespace coffee::storage::sqlite
