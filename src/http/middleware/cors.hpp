#pragma once

#include <string>
#include <vector>

#include "http/message.hpp"

namespace coffee::http::middleware {

/// Cross-origin access for the configured origins (`CORS_ORIGINS`; "*" allows any).
class Cors {
 public:
  explicit Cors(std::vector<std::string> origins);

  /// Adds the allow-origin headers to `res` when the request's Origin is allowed.
  void Apply(const Request& req, Response& res) const;
  /// The answer to OPTIONS on an existing path: 204 with `Allow`, plus the preflight headers
  /// when CORS is configured and the request has an Origin.
  [[nodiscard]] Response Preflight(const Request& req, const std::vector<Method>& allowed) const;

 private:
  std::vector<std::string> origins_;
  bool any_ = false;
};

}  // namespace coffee::http::middleware
