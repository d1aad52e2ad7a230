#include "storage/postgres/postgres_database.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <chrono>
#include <map>
#include <random>

#include "storage/postgres/notify_listener.hpp"
#include "storage/postgres/pool.hpp"
#include "storage/postgres/repositories.hpp"
#include "storage/repository_tx.hpp"

namespace coffee::storage::postgres {

namespace {

// ---------------------------------------------------------------- SQL

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

/// The channel on which instances announce rules changes; the payload is the sender's id.
constexpr const char* kRulesChannel = "coffee_rules_changed";
constexpr Statement kNotifyRulesChanged{"rules_changed_notify", "SELECT pg_notify($1, $2)"};

// ---------------------------------------------------------------- helpers

/// The password of a postgresql:// URL or conninfo string, to keep it out of messages.
std::string PasswordOf(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  std::string password;
  if (options != nullptr) {
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (std::string_view(o->keyword) == "password" && o->val != nullptr) password = o->val;
    }
    PQconninfoFree(options);
  }
  if (password.empty()) {
    // An unparsable URL may still carry user:password@ before the host.
    const auto scheme = url.find("://");
    const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme != std::string::npos && at != std::string::npos) {
      const auto colon = url.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) {
        password = url.substr(colon + 1, at - colon - 1);
      }
    }
  }
  return password;
}

/// A random id for this process's database handle, so its own announcements can be ignored.
std::string NewInstanceId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) {
    std::array<char, 8> hex{};
    const auto [end, ec] = std::to_chars(hex.data(), hex.data() + hex.size(), random(), 16);
    const auto length = static_cast<std::size_t>(end - hex.data());
    id.append(hex.size() - length, '0').append(hex.data(), length);
  }
  return id;
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

void RollbackQuietly(Connection& conn) noexcept {
  try {
    if (!conn.DropPendingBegin() && !conn.IsBroken()) conn.Exec(kRollback);
  } catch (...) {  // NOLINT(bugprone-empty-catch): the lease reopens a connection left unclean
    conn.MarkBroken();
  }
}

/// The repositories of one transaction, all on its connection.
using PgTx =
    RepositoryTx<Connection, PgUserRepository, PgRefreshTokenRepository, PgCoffeeRepository,
                 PgRulesRepository, PgOrderRepository, PgLoyaltyRepository, PgIdempotencyRepository,
                 PgReviewRepository, PgAnalyticsRepository>;

struct AppliedMigration {
  std::string name;
  std::string checksum;
  std::string applied_at;
};

std::map<int, AppliedMigration> ReadApplied(Connection& conn) {
  std::map<int, AppliedMigration> applied;
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

/// Lifts a connection's answer timeout while alive: a migration may rightly run for minutes, or
/// wait that long for another instance's migration lock.
class UnlimitedAnswerWait {
 public:
  explicit UnlimitedAnswerWait(Connection& conn) : conn_(conn), previous_(conn.AnswerTimeout()) {
    conn_.SetAnswerTimeout(std::chrono::milliseconds::zero());
  }
  ~UnlimitedAnswerWait() { conn_.SetAnswerTimeout(previous_); }
  UnlimitedAnswerWait(const UnlimitedAnswerWait&) = delete;
  UnlimitedAnswerWait& operator=(const UnlimitedAnswerWait&) = delete;
  UnlimitedAnswerWait(UnlimitedAnswerWait&&) = delete;
  UnlimitedAnswerWait& operator=(UnlimitedAnswerWait&&) = delete;

 private:
  Connection& conn_;
  std::chrono::milliseconds previous_;
};

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

// ---------------------------------------------------------------- the database

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(ConnectSpec spec, int pool_size)
      : spec_(spec), pool_(std::move(spec), pool_size, kAcquireTimeout) {}
  ~PostgresDatabase() override { StopListening(); }
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  void Write(const std::function<bool(app::Tx&)>& fn) override {
    auto lease = pool_.Acquire();
    lease->DeferBegin(kBegin);
    PgTx tx(*lease);
    bool commit = false;
    try {
      commit = fn(tx);
    } catch (...) {
      RollbackQuietly(*lease);
      throw;
    }
    if (commit) {
      Commit(*lease);
    } else if (!lease->DropPendingBegin()) {
      lease->Exec(kRollback);
    }
  }

  void Read(const std::function<void(app::Tx&)>& fn) override {
    auto lease = pool_.Acquire();
    lease->DeferBegin(kBeginReadOnly);
    PgTx tx(*lease);
    try {
      fn(tx);
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

  void AnnounceRulesChange() override {
    try {
      auto lease = pool_.Acquire();
      const auto params = Params().Text(kRulesChannel).Text(instance_id_);
      try {
        lease->Run(kNotifyRulesChanged, params);
      } catch (const ServerNotAnswering&) {
        throw;
      } catch (const app::DatabaseUnavailable&) {  // found dead on first use: reopen once
        lease->EnsureOpen();
        lease->Run(kNotifyRulesChanged, params);
      }
    } catch (const std::exception& e) {
      spdlog::warn("Could not announce a rules change to other instances: {}", e.what());
    }
  }

  void ListenForRulesChanges(std::function<void()> on_change) override {
    StopListening();
    listener_ =
        std::make_unique<NotifyListener>(spec_, kRulesChannel, instance_id_, std::move(on_change));
  }

  void StopListening() override { listener_.reset(); }

  int Migrate() override {
    auto lease = pool_.Acquire();
    Connection& conn = *lease;
    ExecFirst(conn, kPing);
    const UnlimitedAnswerWait unlimited(conn);
    const MigrationLock lock(conn);
    conn.Exec(kCreateMigrationsTable);
    const auto applied = ReadApplied(conn);
    const auto embedded = EmbeddedMigrations("postgres");
    for (const auto& m : embedded) {
      const auto it = applied.find(m.version);
      const std::string checksum = MigrationChecksum(m.sql);
      if (it != applied.end() && it->second.checksum != checksum) {
        throw MigrationError("migration " + std::to_string(m.version) + " (" + m.name +
                             ") was changed after it was applied: checksum " + it->second.checksum +
                             " in the database, " + checksum + " embedded");
      }
    }
    int count = 0;
    for (const auto& m : embedded) {
      if (applied.contains(m.version)) continue;
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
        throw MigrationError("migration " + std::to_string(m.version) + " (" + m.name +
                             ") failed: " + e.what());
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
    std::map<int, AppliedMigration> applied;
    try {
      const Result exists = conn.Run(kMigrationsTableExists, Params());
      if (RowReader(exists, 0).Bool()) applied = ReadApplied(conn);
      Commit(conn);
    } catch (...) {
      RollbackQuietly(conn);
      throw;
    }
    std::map<int, MigrationState> states;
    for (const auto& m : EmbeddedMigrations("postgres")) {
      MigrationState& s = states[m.version];
      s.version = m.version;
      s.name = m.name;
      s.checksum = MigrationChecksum(m.sql);
    }
    for (const auto& [version, a] : applied) {
      MigrationState& s = states[version];
      const bool embedded = !s.name.empty();
      s.version = version;
      s.applied = true;
      s.applied_at = a.applied_at;
      if (embedded) {
        s.checksum_mismatch = s.checksum != a.checksum;
      } else {
        s.name = a.name;
        s.checksum = a.checksum;
      }
    }
    std::vector<MigrationState> out;
    out.reserve(states.size());
    for (auto& [version, s] : states) out.push_back(std::move(s));
    return out;
  }

 private:
  ConnectSpec spec_;
  Pool pool_;
  std::string instance_id_ = NewInstanceId();
  std::unique_ptr<NotifyListener> listener_;  // set while listening
};

}  // namespace

std::unique_ptr<Database> Open(const std::string& url, int pool_size) {
  auto db = std::make_unique<PostgresDatabase>(ConnectSpec{url, PasswordOf(url)}, pool_size);
  db->CheckReachable();
  return db;
}

}  // namespace coffee::storage::postgres
