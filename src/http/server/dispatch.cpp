#include "http/server/dispatch.hpp"

#include <spdlog/spdlog.h>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/middleware/rate_limit.hpp"

namespace coffee::http::server {

namespace {

const std::string kUnmatched = "unmatched";

Answer NoRoute(const Request& req, const RouteMatch& match) {
  if (!match.path_exists) {
    return {json::ErrorResponse(
                app::AppError{app::ErrorCode::kRouteNotFound, "No route for " + req.path, {}, {}}),
            kUnmatched};
  }
  Response res = json::ErrorResponse(app::AppError{
      app::ErrorCode::kMethodNotAllowed,
      "Method " + std::string(ToString(req.method)) + " is not allowed on " + req.path,
      {},
      {}});
  std::string allow;
  for (auto m : match.allowed) {
    if (!allow.empty()) allow += ", ";
    allow += ToString(m);
    if (m == Method::kGet) allow += ", HEAD";
  }
  allow += ", OPTIONS";
  res.headers.emplace_back("Allow", allow);
  return {std::move(res), kUnmatched};
}

}  // namespace

Response Invoke(const http::Route& route, Request& req) {
  try {
    return route.handler(req);
  } catch (const app::WriteConflict& e) {
    // Store::Write runs a fn that lost a lock conflict again; this one lost five in a row (a
    // writer outside the server holding its rows): the client may retry, like an outage.
    spdlog::warn("request {}: write kept losing lock conflicts: {}", req.request_id, e.what());
    return json::ErrorResponse(
        app::AppError{app::ErrorCode::kUnavailable, "The database is busy; retry shortly", {}, {}});
  } catch (const app::DatabaseUnavailable& e) {
    spdlog::error("request {}: database unavailable: {}", req.request_id, e.what());
    return json::ErrorResponse(app::AppError{
        app::ErrorCode::kUnavailable, "The database is unavailable; retry shortly", {}, {}});
  } catch (const std::exception& e) {
    spdlog::error("request {}: unhandled error: {}", req.request_id, e.what());
    return json::ErrorResponse(
        app::AppError{app::ErrorCode::kInternal,
                      "An unexpected error occurred (request id " + req.request_id + ")",
                      {},
                      {}});
  }
}

Dispatcher::Dispatcher(const Router& router, TokenVerifier verifier, app::RequestLimiter* limiter,
                       const middleware::Cors& cors)
    : router_(router), verifier_(std::move(verifier)), limiter_(limiter), cors_(cors) {}

Dispatched Dispatcher::Dispatch(Request& req) const {
  auto match = router_.Find(req.method, req.path);
  if (limiter_ == nullptr) return Route(req, std::move(match));
  const std::string& label = match.route != nullptr ? match.route->pattern : kUnmatched;
  if (!middleware::LimitsBlock(*limiter_, req, match.route)) {
    if (auto limited = middleware::CheckRateLimits(*limiter_, req, match.route)) {
      return {Answer{std::move(*limited), label}, {}};
    }
    return Route(req, std::move(match));
  }
  // A limiter that may block is asked on a worker; the rest of the request follows it there.
  return {std::nullopt, [this, &req, match = std::move(match), label]() mutable {
            if (auto limited = middleware::CheckRateLimits(*limiter_, req, match.route)) {
              return Answer{std::move(*limited), label};
            }
            Dispatched rest = Route(req, std::move(match));
            return rest.now ? std::move(*rest.now) : rest.later();
          }};
}

Dispatched Dispatcher::Route(Request& req, RouteMatch match) const {
  if (req.method == Method::kOptions && match.path_exists) {
    return {Answer{cors_.Preflight(req, match.allowed), "preflight"}, {}};
  }
  if (match.route == nullptr) return {NoRoute(req, match), {}};
  const http::Route& route = *match.route;
  req.params = std::move(match.params);
  if (auto refused = middleware::Authenticate(route, req, verifier_)) {
    return {Answer{std::move(*refused), route.pattern}, {}};
  }
  if (route.exec == Exec::kInline) return {Answer{Invoke(route, req), route.pattern}, {}};
  if (route.fast) {
    std::optional<Response> quick;
    try {
      quick = route.fast(req);
    } catch (const std::exception& e) {  // a cache problem: let the worker answer
      spdlog::warn("request {}: fast path failed: {}", req.request_id, e.what());
    }
    if (quick) return {Answer{std::move(*quick), route.pattern}, {}};
  }
  return {std::nullopt, [&route, &req] { return Answer{Invoke(route, req), route.pattern}; }};
}

}  // namespace coffee::http::server
