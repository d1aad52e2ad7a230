// PUT /api/business-rules/loyalty-config bodies: the handler's reader, applied to the default
// configuration and validated as the service does. Invariants: a refusal is a 400 validation
// error with a JSON error body; a configuration that
// passes validation is written by the API (LoyaltyConfigJson) in a form the reader accepts
// again, to the same configuration.

#include <cstdint>

#include "app/rules_json.hpp"
#include "fuzz_support.hpp"
#include "http/json/readers.hpp"
#include "rules/validation.hpp"

namespace {

using coffee::fuzz::Check;
using coffee::fuzz::JsonPost;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto update =
      coffee::http::json::ReadLoyalty(JsonPost(std::string(coffee::fuzz::AsText(data, size))));
  if (!update) {
    coffee::fuzz::CheckRefusal(update.error());
    return 0;
  }
  // Not checked: {"points_per_dollar": null} is accepted and changes nothing (a null key counts
  // as given for "at least one of", then reads as absent). Kept as corpus case null-points-noop.

  coffee::domain::LoyaltyConfig config;
  if (update->points_per_dollar) config.points_per_dollar = *update->points_per_dollar;
  if (update->bonus_multipliers) config.bonus_multipliers = *update->bonus_multipliers;
  if (!coffee::rules::ValidateLoyaltyConfig(config).empty()) return 0;

  const std::string written =
      coffee::http::json::SerializeJson(coffee::app::LoyaltyConfigJson(config));
  auto again = coffee::http::json::ReadLoyalty(JsonPost(written));
  Check(again.ok() && again->points_per_dollar && again->bonus_multipliers,
        "the API's own loyalty JSON reads back with both fields");
  Check(*again->points_per_dollar == config.points_per_dollar &&
            *again->bonus_multipliers == config.bonus_multipliers,
        "a valid configuration reads back unchanged");
  return 0;
}
