#pragma once

#include <string>

namespace coffee::storage::postgres {

/// The password of a postgresql:// URL or conninfo string (empty when it has none), to keep it
/// out of messages and logs.
std::string PasswordOf(const std::string& url);

}  // namespace coffee::storage::postgres
