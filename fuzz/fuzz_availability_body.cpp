// POST /api/business-rules/availability bodies: the handler's reader, then the rules
// validation the service applies. Invariants: a refusal is a 400 validation error with a JSON
// error body; a row that passes validation is written by the API (AvailabilityJson) in a form
// the reader accepts again, to the same row.

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
  auto row =
      coffee::http::json::ReadAvailability(JsonPost(std::string(coffee::fuzz::AsText(data, size))));
  if (!row) {
    coffee::fuzz::CheckRefusal(row.error());
    return 0;
  }
  if (!coffee::rules::ValidateAvailability(*row).empty()) return 0;
  Check(!row->available_from || *row->available_from != *row->available_until,
        "a valid window is not empty");

  coffee::app::AvailabilityView view{*row, true, true};
  const std::string written =
      coffee::http::json::SerializeJson(coffee::app::AvailabilityJson(view));
  auto again = coffee::http::json::ReadAvailability(JsonPost(written));
  Check(again.ok(), "the API's own availability JSON reads back");
  Check(again->coffee_id == row->coffee_id && again->status == row->status &&
            again->reason == row->reason && again->available_from == row->available_from &&
            again->available_until == row->available_until,
        "availability reads back unchanged");
  return 0;
}
