#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/migrations.hpp"

namespace coffee::storage {

/// How busy the connection pool is.
struct PoolStats {
  int max = 0;     // configured size
  int open = 0;    // connections opened so far
  int in_use = 0;  // leased right now
};

/// A store and its change feed, plus the operations only the composition root and the CLI need.
class Database : public app::Store, public app::ChangeFeed {
 public:
  /// Applies pending migrations, each in its own transaction, recording version, name,
  /// checksum and time in schema_migrations. Throws MigrationError (changed checksum, SQL error).
  /// Returns the number applied.
  virtual int Migrate() = 0;
  virtual std::vector<MigrationState> MigrationInfo() = 0;
  /// Connections of the pool now (PostgreSQL pool; SQLite reader connections).
  [[nodiscard]] virtual PoolStats PoolStatistics() = 0;
};

struct DatabaseOptions {
  std::string url;           // sqlite://PATH or postgresql://…
  int max_connections = 10;  // PostgreSQL pool size; SQLite reader connections
  /// SQLite PRAGMA synchronous: "NORMAL" (default; WAL commits survive a process crash)
  /// or "FULL" (also survive power loss).
  std::string sqlite_synchronous = "NORMAL";
  /// The longest one query may take, lock waits included (DATABASE_QUERY_TIMEOUT); past it the
  /// query fails with app::DatabaseUnavailable and its transaction is rolled back.
  std::chrono::milliseconds query_timeout{5000};
  /// PostgreSQL: batches of writes this instance runs at once (DATABASE_WRITE_LANES), at most
  /// max_connections - 1 so that a read always finds a connection; SQLite has one writer.
  int write_lanes = 2;
};

/// Opens the database named by the URL. Throws app::DatabaseUnavailable if it cannot be reached
/// and std::invalid_argument for an unsupported URL.
std::unique_ptr<Database> Open(const DatabaseOptions& options);

}  // namespace coffee::storage
