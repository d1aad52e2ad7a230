#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "storage/database.hpp"

namespace coffee::storage::sqlite {

/// Opens (creating if needed, with its parent directory) the SQLite file at `path`:
/// WAL, foreign keys on, one writer connection plus `readers` reader connections, PRAGMA
/// synchronous = `synchronous` ("NORMAL" or "FULL"). A statement that waits for a lock or runs
/// longer than `query_timeout` fails with app::DatabaseUnavailable (migrations excepted).
std::unique_ptr<Database> Open(const std::string& path, int readers, const std::string& synchronous,
                               std::chrono::milliseconds query_timeout);

/// What the group-committing writer of a database opened by Open has done so far.
struct WriterStats {
  std::int64_t writes = 0;        // Write calls whose fn ran
  std::int64_t transactions = 0;  // batches: BEGIN IMMEDIATE that succeeded
  std::int64_t commits = 0;       // COMMITs that succeeded
  std::int64_t queued = 0;        // Write calls running or waiting now
  std::int64_t checkpoints = 0;   // background WAL checkpoints run so far
};

/// The writer statistics of `db` if Open made it, else nullopt (for tests and diagnostics).
std::optional<WriterStats> WriterStatistics(Database& db);

}  // namespace coffee::storage::sqlite
