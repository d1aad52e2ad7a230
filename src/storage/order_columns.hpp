#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "domain/business_rules.hpp"
#include "domain/order_id.hpp"

namespace coffee::storage {

/// An order id read from a row; throws DecodeError naming `what` when it is not a UUID.
domain::OrderId ReadOrderId(std::string_view text, std::string_view what);
/// Same for a nullable column.
std::optional<domain::OrderId> ReadOptOrderId(const std::optional<std::string>& text,
                                              std::string_view what);

/// The text of an optional order id, for a nullable parameter.
std::optional<std::string> OrderIdText(const std::optional<domain::OrderId>& id);

/// The orders.pricing_strategy column: "<configured strategy>:<combination used>", e.g.
/// "best_price:additive", "additive:none" (one text, as every version of the schema stored it).
std::string EncodePricingStrategy(domain::CombinationStrategy strategy,
                                  std::string_view combination);
/// The column back as (strategy, combination). Rows written before the combination was kept
/// hold the strategy alone, which was then also the combination. Throws DecodeError.
std::pair<domain::CombinationStrategy, std::string> DecodePricingStrategy(std::string_view text);

}  // namespace coffee::storage
