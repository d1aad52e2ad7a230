#pragma once

#include <vector>

#include "app/errors.hpp"
#include "app/order_service.hpp"
#include "app/rules_admin_service.hpp"
#include "domain/business_rules.hpp"
#include "http/message.hpp"

namespace coffee::http {

// The request-body readers (DTO → use-case input) that the handlers call; exposed so the fuzz
// targets exercise exactly the server's parsing. Each checks Content-Type and JSON first.

/// POST /api/orders and /api/orders/quote: {"items":[{"coffee_item_id":1,"quantity":2}]};
/// other fields (prices included) are ignored.
app::Outcome<std::vector<app::RequestedItem>> ReadItems(const Request& req);
/// POST /api/business-rules/availability.
app::Outcome<domain::Availability> ReadAvailability(const Request& req);
/// POST and PUT /api/business-rules/pricing[/:id].
app::Outcome<app::PricingRuleInput> ReadRule(const Request& req);
/// PUT /api/business-rules/loyalty-config: at least one of points_per_dollar, bonus_multipliers.
app::Outcome<app::LoyaltyConfigUpdate> ReadLoyalty(const Request& req);

}  // namespace coffee::http
