#pragma once

#include <chrono>
#include <optional>

#include "app/ports/limits.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace coffee::http::middleware {

/// The 429 answer (SPEC §2 error shape) with its `Retry-After`.
Response RateLimited(std::chrono::seconds retry_after);

/// The overall budget `req` spends: a read (GET, HEAD, OPTIONS) or a write.
app::RequestBudget OverallBudget(const Request& req);

/// True when checking `req`'s limits (on `route`, which may be null) may block.
bool LimitsBlock(const app::RequestLimiter& limiter, const Request& req, const Route* route);

/// The 429 to answer when the request's client is over a limit of `limiter` (every request
/// first, then the credential routes), else nullopt. `route` may be null (no route matched).
std::optional<Response> CheckRateLimits(app::RequestLimiter& limiter, const Request& req,
                                        const Route* route);

}  // namespace coffee::http::middleware
