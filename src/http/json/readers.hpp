#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/errors.hpp"
#include "app/order_service.hpp"
#include "app/review_service.hpp"
#include "app/rules_admin_service.hpp"
#include "app/simulation_service.hpp"
#include "domain/business_rules.hpp"
#include "domain/coffee.hpp"
#include "domain/order_status.hpp"
#include "domain/user.hpp"
#include "http/message.hpp"

namespace coffee::http::json {

// The request-body readers (DTO → use-case input) that the handlers call; exposed so the fuzz
// targets exercise exactly the server's parsing. Each checks Content-Type and JSON first.

/// Parses a positive integer path parameter; error names the parameter.
app::Outcome<std::int64_t> PathId(const Request& req, std::string_view name);

/// POST /api/auth/register and /api/auth/login: {email, password}.
struct Credentials {
  std::string email;
  std::string password;
};
app::Outcome<Credentials> ReadCredentials(const Request& req);
/// POST /api/auth/refresh and /api/auth/logout: {refresh_token}.
app::Outcome<std::string> ReadRefreshToken(const Request& req);
/// POST /api/auth/password: {current_password, new_password}.
struct PasswordChange {
  std::string current_password;
  std::string new_password;
};
app::Outcome<PasswordChange> ReadPasswordChange(const Request& req);
/// PATCH /api/admin/users/:id/role: {role}.
app::Outcome<domain::Role> ReadRole(const Request& req);

/// POST /api/coffees (every field required) and PUT /api/coffees/:id (any subset).
app::Outcome<domain::CoffeePatch> ReadCoffee(const Request& req, bool required);

/// POST /api/orders and /api/orders/quote: {"items":[{"coffee_item_id":1,"quantity":2}]};
/// other fields (prices included) are ignored.
app::Outcome<std::vector<app::RequestedItem>> ReadItems(const Request& req);
/// POST /api/orders and /api/orders/quote with the optional promo_code (a string or null).
struct OrderRequest {
  std::vector<app::RequestedItem> items;
  std::optional<std::string> promo_code;
};
app::Outcome<OrderRequest> ReadOrderRequest(const Request& req);
/// PATCH /api/orders/:id/status: {status}.
app::Outcome<domain::OrderStatus> ReadOrderStatus(const Request& req);
/// PATCH /api/orders/:id/payment: {payment_status}.
app::Outcome<domain::PaymentStatus> ReadPaymentStatus(const Request& req);

/// POST /api/business-rules/availability.
app::Outcome<domain::Availability> ReadAvailability(const Request& req);
/// POST and PUT /api/business-rules/pricing[/:id].
app::Outcome<app::PricingRuleInput> ReadRule(const Request& req);
/// POST /api/business-rules/simulate: {start_date?, end_date?, largest?, pricing_rules?: [rule
/// bodies, each with an optional id], pricing_settings?}; errors name the nested field
/// ("pricing_rules[2].discount_value").
app::Outcome<app::SimulationRequest> ReadSimulation(const Request& req);
/// PUT /api/business-rules/pricing-settings: at least one of its fields.
app::Outcome<app::PricingSettingsUpdate> ReadPricingSettings(const Request& req);
/// PUT /api/business-rules/prep-time: at least one of its fields.
app::Outcome<app::PrepTimeSettingsUpdate> ReadPrepTimeSettings(const Request& req);
/// PUT /api/business-rules/prep-time/:coffee_id: at least one of its fields.
app::Outcome<app::PrepTimeUpdate> ReadPrepTime(const Request& req);
/// PUT /api/business-rules/loyalty-config: at least one of points_per_dollar, bonus_multipliers.
app::Outcome<app::LoyaltyConfigUpdate> ReadLoyalty(const Request& req);

/// POST /api/reviews: {coffee_id, rating, comment?}.
struct NewReview {
  std::int64_t coffee_id = 0;
  std::int64_t rating = 0;
  std::optional<std::string> comment;
};
app::Outcome<NewReview> ReadNewReview(const Request& req);
/// PUT /api/reviews/:id: {rating?, comment?}; a null comment clears it.
app::Outcome<app::ReviewPatch> ReadReviewPatch(const Request& req);
/// PATCH /api/admin/reviews/:id: {hidden, reason?}.
struct Moderation {
  bool hidden = false;
  std::optional<std::string> reason;
};
app::Outcome<Moderation> ReadModeration(const Request& req);

}  // namespace coffee::http::json
