#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "app/auth_service.hpp"
#include "app/order_service.hpp"
#include "app/ports/store.hpp"
#include "app/rules_admin_service.hpp"
#include "domain/coffee.hpp"
#include "domain/user.hpp"

namespace coffee::http::json {

// The response mappers: use-case results → the JSON bodies of the SPEC (snake_case fields).

/// {id, email, role, created_at}.
boost::json::object ToJson(const domain::User& user);
/// A catalog entry (SPEC §4), price with two decimals.
boost::json::object ToJson(const domain::Coffee& coffee);
/// {access_token, refresh_token, token_type, expires_in, user}.
boost::json::object ToJson(const app::AuthTokens& tokens);

/// An order as the API shows it (SPEC §6).
boost::json::object OrderJson(const app::Order& order);
/// POST /api/orders/quote: the price and prep time an order would get now.
boost::json::object QuoteJson(const app::OrderDecision& decision);
/// [{code, rule_id, message, other_rule_id?, coffee_id?}, …].
boost::json::array WarningsJson(const std::vector<rules::RuleWarning>& warnings);
/// GET /api/loyalty/*: balance and transactions.
boost::json::object LoyaltyJson(const app::LoyaltySummary& summary);

/// An audit record (SPEC §5.5); rule_data is parsed back into JSON (kept as a string if it is not
/// valid JSON).
boost::json::object AuditRecordJson(const app::AuditRecord& record);
/// A change-log entry; before/after are parsed back into JSON (null when absent).
boost::json::object ConfigChangeJson(const app::ConfigChange& change);
/// A rule-set version: {version, actor_id, source, restored_from, summary, created_at}, and
/// with `with_configuration` its whole configuration document.
boost::json::object RuleSetVersionJson(const app::RuleSetVersion& version, bool with_configuration);
/// {from, to, changes: [{entity, entity_id, action, before, after}]}.
boost::json::object VersionDiffJson(const app::VersionDiff& diff);

}  // namespace coffee::http::json
