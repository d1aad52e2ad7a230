#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "storage/database.hpp"

namespace coffee::storage::postgres {

/// Connects a pool of `pool_size` libpq connections to `url` (postgresql://…), each session
/// bounding a query to `query_timeout` (statement_timeout, and the wait for an answer).
/// Throws app::DatabaseUnavailable when the server cannot be reached at open.
std::unique_ptr<Database> Open(const std::string& url, int pool_size,
                               std::chrono::milliseconds query_timeout);

}  // namespace coffee::storage::postgres
