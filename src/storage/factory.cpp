#include <stdexcept>

#include "storage/database.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace coffee::storage {

std::unique_ptr<Database> Open(const DatabaseOptions& options) {
  const std::string_view url = options.url;
  if (url.starts_with("sqlite://")) {
    return sqlite::Open(std::string(url.substr(9)), options.max_connections,
                        options.sqlite_synchronous, options.query_timeout);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return postgres::Open(options.url, options.max_connections, options.query_timeout,
                          options.write_lanes);
  }
  throw std::invalid_argument(
      "DATABASE_URL must start with sqlite:// or postgresql:// (got an unsupported scheme)");
}

}  // namespace coffee::storage
