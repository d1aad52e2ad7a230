#include "storage/postgres/conninfo.hpp"

#include <libpq-fe.h>

#include <string_view>

namespace coffee::storage::postgres {

std::string PasswordOf(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  std::string password;
  if (options != nullptr) {
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (std::string_view(o->keyword) == "password" && o->val != nullptr) password = o->val;
    }
    PQconninfoFree(options);
  }
  if (password.empty()) {
    // An unparsable URL may still carry user:password@ before the host.
    const auto scheme = url.find("://");
    const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme != std::string::npos && at != std::string::npos) {
      const auto colon = url.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) {
        password = url.substr(colon + 1, at - colon - 1);
      }
    }
  }
  return password;
}

}  // namespace coffee::storage::postgres
