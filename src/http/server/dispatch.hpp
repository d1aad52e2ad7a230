#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/ports/limits.hpp"
#include "http/message.hpp"
#include "http/middleware/auth.hpp"
#include "http/middleware/cors.hpp"
#include "http/router.hpp"

namespace coffee::http::server {

/// The answer to one request and the label it is counted under in the metrics (the route
/// pattern, "preflight" or "unmatched").
struct Answer {
  Response response;
  std::string route;
};

/// What Dispatch decided: the answer now, or a job that produces it on a worker thread.
struct Dispatched {
  std::optional<Answer> now;
  std::function<Answer()> later;  // set when `now` is not; the request must outlive it
};

/// Everything between a parsed request and its answer, with no I/O of its own: rate limits,
/// routing (404, 405, OPTIONS), authentication and authorization, then the handler — inline
/// and fast-path handlers on the calling I/O thread, the others (and everything, when the
/// limiter may block) as a job for the worker pool.
class Dispatcher {
 public:
  /// `limiter` may be null (rate limiting off). All references must outlive the dispatcher.
  Dispatcher(const Router& router, TokenVerifier verifier, app::RequestLimiter* limiter,
             const middleware::Cors& cors);

  [[nodiscard]] Dispatched Dispatch(Request& req) const;

 private:
  /// Everything after the rate limits.
  [[nodiscard]] Dispatched Route(Request& req, RouteMatch match) const;

  const Router& router_;
  TokenVerifier verifier_;
  app::RequestLimiter* limiter_;
  const middleware::Cors& cors_;
};

/// Runs a route's handler, turning unexpected exceptions into 503/500 (details go to the log
/// only, with the request id).
Response Invoke(const http::Route& route, Request& req);

}  // namespace coffee::http::server
