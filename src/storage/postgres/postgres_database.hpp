#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/database.hpp"
#include "storage/postgres/group_commit.hpp"

namespace coffee::storage::postgres {

/// Connects a pool of `pool_size` libpq connections to `url` (postgresql://…).
/// Throws app::DatabaseUnavailable when the server cannot be reached at open.
std::unique_ptr<Database> Open(const std::string& url, int pool_size);

/// The group-commit statistics of `db` if Open made it, else nullopt (tests, diagnostics).
std::optional<GroupCommitStats> WriteStatistics(Database& db);

}  // namespace coffee::storage::postgres
