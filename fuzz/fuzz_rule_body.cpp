// POST/PUT /api/business-rules/pricing bodies: the handler's reader, then the rules validation
// the service applies. Invariants: a refusal is a 400 validation error with a JSON error body; a
// rule that passes validation is written by the API (PricingRuleJson) in a form the reader
// accepts again, to the same rule.

#include <cstdint>

#include "app/rules_json.hpp"
#include "fuzz_support.hpp"
#include "http/json/readers.hpp"
#include "rules/validation.hpp"

namespace {

using coffee::domain::PricingRule;
using coffee::fuzz::Check;
using coffee::fuzz::JsonPost;

bool SameRule(const PricingRule& a, const PricingRule& b) {
  return a.rule_type == b.rule_type && a.description == b.description &&
         a.discount_type == b.discount_type && a.discount_value == b.discount_value &&
         a.priority == b.priority && a.is_active == b.is_active && a.valid_from == b.valid_from &&
         a.valid_until == b.valid_until && a.coffee_ids == b.coffee_ids &&
         a.time_ranges == b.time_ranges && a.days_of_week == b.days_of_week &&
         a.min_quantity == b.min_quantity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input =
      coffee::http::json::ReadRule(JsonPost(std::string(coffee::fuzz::AsText(data, size))));
  if (!input) {
    coffee::fuzz::CheckRefusal(input.error());
    return 0;
  }
  // As the service does on create: valid_from defaults to "now" (here: the epoch).
  PricingRule rule = input->rule;
  rule.valid_from = input->valid_from.value_or(coffee::domain::Instant{});
  if (!coffee::rules::ValidatePricingRule(rule).empty()) return 0;

  const std::string written = coffee::http::json::SerializeJson(coffee::app::PricingRuleJson(rule));
  auto again = coffee::http::json::ReadRule(JsonPost(written));
  Check(again.ok(), "the API's own rule JSON reads back");
  Check(again->valid_from.has_value(), "the written rule carries valid_from");
  PricingRule reread = again->rule;
  reread.valid_from = *again->valid_from;
  Check(SameRule(rule, reread), "a valid rule reads back unchanged");
  return 0;
}
