#pragma once

#include "app/rules_admin_service.hpp"
#include "app/simulation_service.hpp"
#include "http/router.hpp"

namespace coffee::http {

/// /api/business-rules/{availability,pricing,pricing-settings,prep-time,loyalty-config,audit,
/// changes,versions}*: reading (public) and managing (admin) the business rules of SPEC §5.1–5.5.
void AddBusinessRulesRoutes(Router& router, app::RulesAdminService& rules);
/// POST /api/business-rules/simulate (admin): a draft replayed over recorded orders (issue 14).
void AddSimulationRoutes(Router& router, app::SimulationService& simulation);

}  // namespace coffee::http
