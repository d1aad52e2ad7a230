#pragma once

#include <memory>
#include <string>

#include "storage/database.hpp"

namespace coffee::storage::postgres {

/// Connects a pool of `pool_size` libpq connections to `url` (postgresql://…).
/// Throws app::DatabaseUnavailable when the server cannot be reached at open.
std::unique_ptr<Database> Open(const std::string& url, int pool_size);

}  // namespace coffee::storage::postgres
