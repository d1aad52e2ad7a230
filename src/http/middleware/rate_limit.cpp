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

app::RequestBudget OverallBudget(const Request& req) {
  const bool read =
      req.method == Method::kGet || req.method == Method::kHead || req.method == Method::kOptions;
  return read ? app::RequestBudget::kRead : app::RequestBudget::kWrite;
}

bool LimitsBlock(const app::RequestLimiter& limiter, const Request& req, const Route* route) {
  return limiter.Blocking(OverallBudget(req)) ||
         (route != nullptr && SpendsCredentials(*route) &&
          limiter.Blocking(app::RequestBudget::kCredentials));
}

Response RateLimited(std::chrono::seconds retry_after) {
  const std::string seconds = std::to_string(retry_after.count());
  Response res = json::ErrorResponse(app::AppError{
      app::ErrorCode::kRateLimited, "Too many requests; retry in " + seconds + " seconds", {}, {}});
  res.headers.emplace_back("Retry-After", seconds);
  return res;
}

std::optional<Response> CheckRateLimits(app::RequestLimiter& limiter, const Request& req,
                                        const Route* route) {
  if (auto d = limiter.Take(OverallBudget(req), req.client_ip); !d.allowed) {
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
