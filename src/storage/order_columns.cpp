#include "storage/order_columns.hpp"

#include "storage/decode_error.hpp"

namespace coffee::storage {

domain::OrderId ReadOrderId(std::string_view text, std::string_view what) {
  auto id = domain::OrderId::Parse(text);
  if (!id) {
    throw DecodeError(std::string(what) + ": order id '" + std::string(text) + "' is not a UUID");
  }
  return std::move(*id);
}

std::optional<domain::OrderId> ReadOptOrderId(const std::optional<std::string>& text,
                                              std::string_view what) {
  if (!text) return std::nullopt;
  return ReadOrderId(*text, what);
}

std::optional<std::string> OrderIdText(const std::optional<domain::OrderId>& id) {
  if (!id) return std::nullopt;
  return id->str();
}

std::string EncodePricingStrategy(domain::CombinationStrategy strategy,
                                  std::string_view combination) {
  std::string out(domain::ToString(strategy));
  out += ':';
  out += combination;
  return out;
}

std::pair<domain::CombinationStrategy, std::string> DecodePricingStrategy(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view strategy_text =
      colon == std::string_view::npos ? text : text.substr(0, colon);
  const std::string_view combination =
      colon == std::string_view::npos ? text : text.substr(colon + 1);
  const auto strategy = domain::ParseCombinationStrategy(strategy_text);
  if (!strategy || combination.empty()) {
    throw DecodeError("orders.pricing_strategy: '" + std::string(text) + "'");
  }
  return {*strategy, std::string(combination)};
}

}  // namespace coffee::storage
