#include "http/middleware/cors.hpp"

#include <algorithm>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http::middleware {

Cors::Cors(std::vector<std::string> origins)
    : origins_(std::move(origins)),
      any_(std::find(origins_.begin(), origins_.end(), "*") != origins_.end()) {}

void Cors::Apply(const Request& req, Response& res) const {
  if (origins_.empty()) return;
  auto origin = req.headers.Get("origin");
  if (!origin) return;
  const bool listed = std::find(origins_.begin(), origins_.end(), *origin) != origins_.end();
  if (!any_ && !listed) return;
  res.headers.emplace_back("Access-Control-Allow-Origin", any_ ? "*" : std::string(*origin));
  res.headers.emplace_back("Vary", "Origin");
  res.headers.emplace_back("Access-Control-Expose-Headers",
                           "X-Request-Id, X-Total-Count, Idempotent-Replayed");
}

Response Cors::Preflight(const Request& req, const std::vector<Method>& allowed) const {
  Response res = json::NoContent();
  std::string allow = "OPTIONS";
  for (auto m : allowed) allow += std::string(", ") + std::string(ToString(m));
  res.headers.emplace_back("Allow", allow);
  if (!origins_.empty() && req.headers.Get("origin")) {
    res.headers.emplace_back("Access-Control-Allow-Methods", allow);
    res.headers.emplace_back("Access-Control-Allow-Headers",
                             "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
    res.headers.emplace_back("Access-Control-Max-Age", "600");
  }
  return res;
}

}  // namespace coffee::http::middleware
