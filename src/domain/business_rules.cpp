#include "domain/business_rules.hpp"

namespace coffee::domain {

std::string_view ToString(AvailabilityStatus s) {
  switch (s) {
    case AvailabilityStatus::kAvailable:
      return "available";
    case AvailabilityStatus::kOutOfStock:
      return "out_of_stock";
    case AvailabilityStatus::kSeasonal:
      return "seasonal";
    case AvailabilityStatus::kDiscontinued:
      return "discontinued";
  }
  return "available";
}

std::optional<AvailabilityStatus> ParseAvailabilityStatus(std::string_view text) {
  if (text == "available") return AvailabilityStatus::kAvailable;
  if (text == "out_of_stock") return AvailabilityStatus::kOutOfStock;
  if (text == "seasonal") return AvailabilityStatus::kSeasonal;
  if (text == "discontinued") return AvailabilityStatus::kDiscontinued;
  return std::nullopt;
}

std::string_view ToString(RuleType t) {
  switch (t) {
    case RuleType::kTimeBased:
      return "time_based";
    case RuleType::kQuantityBased:
      return "quantity_based";
    case RuleType::kPromotional:
      return "promotional";
  }
  return "promotional";
}

std::optional<RuleType> ParseRuleType(std::string_view text) {
  if (text == "time_based") return RuleType::kTimeBased;
  if (text == "quantity_based") return RuleType::kQuantityBased;
  if (text == "promotional") return RuleType::kPromotional;
  return std::nullopt;
}

std::string_view ToString(DiscountType t) {
  return t == DiscountType::kPercentage ? "percentage" : "fixed_amount";
}

std::optional<DiscountType> ParseDiscountType(std::string_view text) {
  if (text == "percentage") return DiscountType::kPercentage;
  if (text == "fixed_amount") return DiscountType::kFixedAmount;
  return std::nullopt;
}

std::string_view ToString(CombinationStrategy s) {
  switch (s) {
    case CombinationStrategy::kAdditive:
      return "additive";
    case CombinationStrategy::kMultiplicative:
      return "multiplicative";
    case CombinationStrategy::kBestPrice:
      return "best_price";
  }
  return "best_price";
}

std::optional<CombinationStrategy> ParseCombinationStrategy(std::string_view text) {
  if (text == "additive") return CombinationStrategy::kAdditive;
  if (text == "multiplicative") return CombinationStrategy::kMultiplicative;
  if (text == "best_price") return CombinationStrategy::kBestPrice;
  return std::nullopt;
}

}  // namespace coffee::domain
