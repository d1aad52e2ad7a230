#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "storage/database.hpp"
#include "storage/postgres/group_commit.hpp"

namespace coffee::storage::postgres {

/// Connects a pool of `pool_size` libpq connections to `url` (postgresql://…), each session
/// bounding a query to `query_timeout` (statement_timeout, and the wait for an answer). Up to
/// `write_lanes` batches of writes run at once (GroupCommit), fewer when the pool is small: at
/// most pool_size - 1, at least 1. Throws app::DatabaseUnavailable when the server cannot be
/// reached at open.
std::unique_ptr<Database> Open(const std::string& url, int pool_size,
                               std::chrono::milliseconds query_timeout, int write_lanes = 1);

/// The group-commit statistics of `db` if Open made it, else nullopt (tests, diagnostics).
std::optional<GroupCommitStats> WriteStatistics(Database& db);

}  // namespace coffee::storage::postgres
