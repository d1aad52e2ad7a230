#pragma once

#include "app/scheduled_changes.hpp"
#include "http/router.hpp"

namespace coffee::http {

/// /api/business-rules/scheduled-changes[/:id] (admin): scheduling, listing and cancelling
/// changes of the rules configuration that take effect at a future instant (issue 14).
void AddScheduledChangeRoutes(Router& router, app::ScheduledChangeService& scheduled);

}  // namespace coffee::http
