#pragma once

#include "app/ports/store.hpp"

namespace coffee::storage {

/// A stored value that cannot be decoded into the domain (a malformed row: unknown enum, bad
/// JSON shape, …). The message names the column or the row.
class DecodeError : public app::StorageError {
 public:
  using app::StorageError::StorageError;
};

}  // namespace coffee::storage
