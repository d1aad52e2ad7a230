#include "http/middleware/rate_limit.hpp"

#include <string>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http::middleware {

namespace {

/// True for the routes of credential guessing and account creation.
bool SpendsCredentials(const Route& route) {
  return route.method == Method::kPost &&
         (route.pattern == "/api/auth/login" || route.pattern == "/api/auth/register" ||
          route.pattern == "/api/auth/refresh");
}

}  // namespace

Response RateLimited(std::chrono::seconds retry_after) {
  const std::string seconds = std::to_string(retry_after.count());
  Response res = json::ErrorResponse(app::AppError{
      app::ErrorCode::kRateLimited, "Too many requests; retry in " + seconds + " seconds", {}, {}});
  res.headers.emplace_back("Retry-After", seconds);
  return res;
}

std::optional<Response> CheckRateLimits(app::RequestLimiter& limiter, const Request& req,
                                        const Route* route) {
  if (auto d = limiter.Take(app::RequestBudget::kAll, req.client_ip); !d.allowed) {
    return RateLimited(d.retry_after);
  }
  if (route != nullptr && SpendsCredentials(*route)) {
    if (auto d = limiter.Take(app::RequestBudget::kCredentials, req.client_ip); !d.allowed) {
      return RateLimited(d.retry_after);
    }
  }
  return std::nullopt;
}

}  // namespace coffee::http::middleware
