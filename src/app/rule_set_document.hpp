#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/rules.hpp"

namespace coffee::app {

/// The whole rules configuration as one JSON document, in the API's own bodies (SPEC §5):
/// {availability: […], pricing_rules: […], pricing_settings, prep_time_settings,
/// prep_times: […], loyalty_config}. It is what a rule-set version stores and shows.
boost::json::object RuleSetJson(const RulesData& data);

/// Reads a RuleSetJson document back (exactly: decimals and timestamps round-trip); nullopt
/// when `text` is not one.
std::optional<RulesData> ParseRuleSet(std::string_view text);

/// One entity that differs between two rule-set documents.
struct RuleSetDifference {
  std::string entity;     // "availability", "pricing_rule", "prep_time", "pricing_settings", …
  std::string entity_id;  // coffee or rule id; "" for the singletons
  std::string action;     // "added", "removed" or "changed"
  boost::json::value before;  // null when added
  boost::json::value after;   // null when removed
};

/// What differs from `from` to `to`, entity by entity (created_at and updated_at are
/// ignored: a restored rule set equals its source). Singletons first, then rows by entity
/// and id.
std::vector<RuleSetDifference> DiffRuleSets(const boost::json::object& from,
                                            const boost::json::object& to);

/// True when two documents describe the same configuration (timestamps ignored).
bool SameRuleSet(const boost::json::object& a, const boost::json::object& b);

}  // namespace coffee::app
