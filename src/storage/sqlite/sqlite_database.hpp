#pragma once

#include <memory>
#include <string>

#include "storage/database.hpp"

namespace coffee::storage::sqlite {

/// Opens (creating if needed, with its parent directory) the SQLite file at `path`:
/// WAL, foreign keys on, busy timeout, one writer connection plus `readers` reader connections,
/// PRAGMA synchronous = `synchronous` ("NORMAL" or "FULL").
std::unique_ptr<Database> Open(const std::string& path, int readers,
                               const std::string& synchronous);

}  // namespace coffee::storage::sqlite
