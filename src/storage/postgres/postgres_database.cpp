#include "storage/postgres/postgres_database.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "storage/change_listeners.hpp"
#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/group_commit.hpp"
#include "storage/postgres/notify_listener.hpp"
#include "storage/postgres/pool.hpp"
#include "storage/postgres/repositories.hpp"
#include "storage/repository_tx.hpp"

namespace coffee::storage::postgres {

namespace {

/// Advisory lock key serializing Migrate() across instances ("coffee" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x636F66666565;

constexpr const char* kBegin = "BEGIN";
constexpr const char* kBeginReadOnly = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kPing = "SELECT 1";
constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, "
    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

constexpr Statement kAdvisoryLock{"migration_lock", "SELECT pg_advisory_lock($1::bigint)"};
constexpr Statement kAdvisoryUnlock{"migration_unlock", "SELECT pg_advisory_unlock($1::bigint)"};
constexpr Statement kMigrationsTableExists{"migrations_table_exists",
                                           "SELECT to_regclass('schema_migrations') IS NOT NULL"};
constexpr Statement kAppliedMigrations{
    "migrations_applied",
    "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"};
constexpr Statement kRecordMigration{
    "migration_record",
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"};

constexpr auto kAcquireTimeout = std::chrono::seconds(5);

/// The write lanes a pool of `pool_size` can serve: one connection stays free for reads.
std::size_t LanesFor(int pool_size, int write_lanes) {
  return static_cast<std::size_t>(std::clamp(write_lanes, 1, std::max(1, pool_size - 1)));
}

/// Runs the first command on a leased connection; a connection found dead at this point is
/// reopened once, since nothing has been done on it yet. A server that did not answer at all is
/// not asked again.
void ExecFirst(Connection& conn, const std::string& sql) {
  try {
    conn.Exec(sql);
  } catch (const ServerNotAnswering&) {
    throw;
  } catch (const app::DatabaseUnavailable&) {
    conn.EnsureOpen();
    conn.Exec(sql);
  }
}

void Commit(Connection& conn) {
  if (conn.DropPendingBegin()) return;  // the transaction ran no statement
  const Result result = conn.Exec(kCommit);
  if (result.CommandStatus() == "ROLLBACK") {
    throw app::StorageError("transaction was aborted by an earlier error; COMMIT rolled it back");
  }
}

/// Commits a write batch; the transaction's announcements go in the same round trip, as
/// NOTIFYs before the COMMIT, so PostgreSQL delivers them exactly when (and only if) the
/// transaction commits. The announcements of one channel are joined (kAnnouncementSeparator)
/// into as few NOTIFYs as the payload limit allows, in order: the notify listener splits them
/// again.
///
/// The round trip first lifts the lock_timeout that take_write_lane set for the batch's
/// statements (migration 0014): that bound is for rows another lane holds, which a batch gives
/// up on and retries, not for what a COMMIT must wait for. A COMMIT with NOTIFYs takes the
/// database's notification lock, which the other lanes' committing batches hold until their
/// WAL flush ends: on a slow disk that is longer than 200 ms, and the whole batch would fail.
void CommitAnnouncing(Connection& conn, const std::vector<Announcement>& announcements) {
  if (conn.DropPendingBegin()) return;  // the transaction ran no statement
  std::string sql = "SET LOCAL lock_timeout = 0;";
  std::vector<Announcement> joined;
  for (const auto& a : announcements) {
    auto open = std::find_if(joined.rbegin(), joined.rend(),
                             [&](const Announcement& j) { return j.channel == a.channel; });
    if (open != joined.rend() &&
        open->payload.size() + 1 + a.payload.size() <= kMaxAnnouncementBytes) {
      open->payload += kAnnouncementSeparator;
      open->payload += a.payload;
    } else {
      joined.push_back(a);
    }
  }
  for (const auto& a : joined) {
    sql += "SELECT pg_notify(" + conn.Literal(a.channel) + ", " + conn.Literal(a.payload) + ");";
  }
  sql += kCommit;
  const Result result = conn.Exec(sql, "NOTIFY and COMMIT");
  if (result.CommandStatus() == "ROLLBACK") {
    throw app::StorageError("transaction was aborted by an earlier error; COMMIT rolled it back");
  }
}

void RollbackQuietly(Connection& conn) noexcept {
  try {
    if (!conn.DropPendingBegin() && !conn.IsBroken()) conn.Exec(kRollback);
  } catch (...) {  // NOLINT(bugprone-empty-catch): the lease reopens a connection left unclean
    conn.MarkBroken();
  }
}

/// The repositories of one transaction, all on its connection.
using PgTx =
    RepositoryTx<Connection, UserRepository, RefreshTokenRepository, CoffeeRepository,
                 RulesRepository, AuditLog, OrderRepository, LoyaltyRepository,
                 IdempotencyRepository, ReviewRepository, AnalyticsRepository, RuleUsageRepository>;

AppliedMigrations ReadApplied(Connection& conn) {
  AppliedMigrations applied;
  const Result result = conn.Run(kAppliedMigrations, Params());
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const int version = r.Int();
    AppliedMigration m;
    m.name = r.String();
    m.checksum = r.String();
    m.applied_at = domain::FormatTimestamp(r.Time());
    applied.emplace(version, std::move(m));
  }
  return applied;
}

/// Releases the migration advisory lock when Migrate() leaves, however it leaves.
class MigrationLock {
 public:
  explicit MigrationLock(Connection& conn) : conn_(conn) {
    conn_.Run(kAdvisoryLock, Params().Int(kMigrationLockKey));
  }
  ~MigrationLock() {
    try {
      if (!conn_.IsBroken()) conn_.Run(kAdvisoryUnlock, Params().Int(kMigrationLockKey));
    } catch (...) {  // NOLINT(bugprone-empty-catch): the session ending releases it too
      conn_.MarkBroken();
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Connection& conn_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(ConnectSpec spec, int pool_size, int write_lanes)
      : spec_(spec),
        pool_(std::move(spec), pool_size, kAcquireTimeout),
        writes_(pool_, LanesFor(pool_size, write_lanes), &CommitAnnouncing) {}
  ~PostgresDatabase() override { StopListening(); }
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  /// Concurrent writes are committed together (GroupCommit).
  void Write(const std::function<bool(app::Tx&)>& fn) override { writes_.Write(fn); }

  [[nodiscard]] GroupCommitStats WriteStatistics() { return writes_.Statistics(); }

  void Read(const std::function<void(app::Tx&)>& fn) override {
    auto lease = pool_.Acquire();
    lease->DeferBegin(kBeginReadOnly);
    PgTx tx(*lease);
    try {
      fn(tx);
      if (!tx.announcements().empty()) {
        throw app::StorageError("Announce in a read transaction: nothing would be committed");
      }
    } catch (...) {
      RollbackQuietly(*lease);
      throw;
    }
    Commit(*lease);
  }

  bool Ping() override {
    try {
      auto lease = pool_.Acquire();
      ExecFirst(*lease, kPing);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  [[nodiscard]] std::string_view Backend() const override { return "postgres"; }

  /// Throws app::DatabaseUnavailable with libpq's reason when the server cannot be reached.
  void CheckReachable() {
    auto lease = pool_.Acquire();
    ExecFirst(*lease, kPing);
  }

  void Listen(std::string_view channel, Listener listener) override {
    const std::lock_guard lock(listen_mu_);
    auto previous = listeners_.Channels();
    listeners_.Add(channel, std::move(listener));
    // One connection LISTENs on every channel: restart it with the new set. Notifications in
    // the moment between the two are reported to the earlier channels as possibly missed.
    listener_.reset();
    listener_ = std::make_unique<NotifyListener>(
        spec_, listeners_.Channels(), [this](std::string_view ch, const app::ChangeNotice& notice) {
          listeners_.Deliver(ch, notice);
        });
    for (const auto& ch : previous) listeners_.Deliver(ch, app::ChangeNotice{{}, true});
  }

  void StopListening() override {
    const std::lock_guard lock(listen_mu_);
    listener_.reset();
    listeners_.Clear();
  }

  int Migrate() override {
    auto lease = pool_.Acquire();
    Connection& conn = *lease;
    ExecFirst(conn, kPing);
    const UnboundedQueries unbounded(conn);
    const MigrationLock lock(conn);
    conn.Exec(kCreateMigrationsTable);
    const auto applied = ReadApplied(conn);
    const auto embedded = EmbeddedMigrations("postgres");
    CheckAppliedChecksums(embedded, applied);
    int count = 0;
    for (const auto& m : PendingMigrations(embedded, applied)) {
      conn.Exec(kBegin);
      try {
        conn.Exec(std::string(m.sql), "migration SQL");
        conn.Run(kRecordMigration,
                 Params().Int(m.version).Text(m.name).Text(MigrationChecksum(m.sql)));
        Commit(conn);
      } catch (const app::DatabaseUnavailable&) {
        throw;
      } catch (const std::exception& e) {
        RollbackQuietly(conn);
        throw MigrationError(DescribeMigration(m) + " failed: " + e.what());
      }
      ++count;
    }
    return count;
  }

  PoolStats PoolStatistics() override { return pool_.Stats(); }

  std::vector<MigrationState> MigrationInfo() override {
    auto lease = pool_.Acquire();
    Connection& conn = *lease;
    ExecFirst(conn, kBeginReadOnly);
    AppliedMigrations applied;
    try {
      const Result exists = conn.Run(kMigrationsTableExists, Params());
      if (RowReader(exists, 0).Bool()) applied = ReadApplied(conn);
      Commit(conn);
    } catch (...) {
      RollbackQuietly(conn);
      throw;
    }
    return MigrationStates(EmbeddedMigrations("postgres"), applied);
  }

 private:
  ConnectSpec spec_;
  Pool pool_;
  GroupCommit<PgTx> writes_;
  std::mutex listen_mu_;
  ChangeListeners listeners_;
  std::unique_ptr<NotifyListener> listener_;  // set while listening
};

}  // namespace

std::optional<GroupCommitStats> WriteStatistics(Database& db) {
  auto* postgres = dynamic_cast<PostgresDatabase*>(&db);
  if (postgres == nullptr) return std::nullopt;
  return postgres->WriteStatistics();
}

std::unique_ptr<Database> Open(const std::string& url, int pool_size,
                               std::chrono::milliseconds query_timeout, int write_lanes) {
  auto db = std::make_unique<PostgresDatabase>(ConnectSpec{url, PasswordOf(url), query_timeout},
                                               pool_size, write_lanes);
  db->CheckReachable();
  return db;
}

}  // namespace coffee::storage::postgres
