#pragma once

#include <functional>

#include "app/auth_service.hpp"
#include "app/coffee_service.hpp"
#include "http/router.hpp"

namespace coffee::http {

/// /api/auth/* and /api/admin/users*.
void AddAuthRoutes(Router& router, app::AuthService& auth);
/// /api/coffees*.
void AddCoffeeRoutes(Router& router, app::CoffeeService& coffees);

/// Readiness: database reachable and rules snapshot loaded.
using ReadinessProbe = std::function<bool()>;
/// /healthz and /readyz.
void AddHealthRoutes(Router& router, ReadinessProbe ready);

}  // namespace coffee::http
