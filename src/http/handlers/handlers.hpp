#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <string_view>

#include "app/analytics_service.hpp"
#include "app/auth_service.hpp"
#include "app/coffee_service.hpp"
#include "app/metrics.hpp"
#include "app/order_events.hpp"
#include "app/order_service.hpp"
#include "app/review_service.hpp"
#include "http/router.hpp"

namespace coffee::http {

/// /api/auth/* and /api/admin/users*.
void AddAuthRoutes(Router& router, app::AuthService& auth);
/// /api/coffees*; list answers are cached per query for one catalog version and at most `ttl`.
void AddCoffeeRoutes(Router& router, app::CoffeeService& coffees, std::chrono::seconds ttl);

/// /api/orders* and /api/loyalty/*.
void AddOrderRoutes(Router& router, app::OrderService& orders);
/// GET /api/orders/events (staff): Server-Sent Events of every order placed or changed, for the
/// baristas' board (docs/CONSOLE.md). The stream ends when the caller's access token expires.
void AddOrderEventsRoute(Router& router, app::OrderEvents& events);

/// /api/reviews*, /api/admin/reviews/:id and GET /api/coffees/:id/reviews (SPEC §9).
void AddReviewRoutes(Router& router, app::ReviewService& reviews);
/// GET /api/v1/admin/analytics/* (SPEC §10), admin only.
void AddAnalyticsRoutes(Router& router, app::AnalyticsService& analytics);

/// GET /api/business-rules/metrics (SPEC §5.6 shape) and GET /metrics (Prometheus text);
/// `refresh` updates database-backed gauges (orders by status) before a scrape.
void AddMetricsRoutes(Router& router, app::Metrics& metrics, std::function<void()> refresh);
/// The SPEC §5.6 JSON of the rules metrics.
boost::json::object RulesMetricsJson(const app::RulesMetricsView& view);

/// docs/openapi.json, embedded at build time.
std::string_view OpenApiDocument();

/// Readiness: database reachable and rules snapshot loaded.
using ReadinessProbe = std::function<bool()>;
/// /healthz, /readyz and GET /api/openapi.json.
void AddHealthRoutes(Router& router, ReadinessProbe ready);

}  // namespace coffee::http
