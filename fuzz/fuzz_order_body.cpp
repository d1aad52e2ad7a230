// POST /api/orders (and /quote) bodies through the handler's reader. Invariants: a refusal is a
// 400 validation error with a JSON error body; an accepted body yields at most 1001 lines, and
// writing those lines back as a body reads to the same lines.

#include <boost/json.hpp>
#include <cstdint>

#include "fuzz_support.hpp"
#include "http/json/readers.hpp"

namespace {

using coffee::fuzz::Check;
using coffee::fuzz::JsonPost;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto items =
      coffee::http::json::ReadItems(JsonPost(std::string(coffee::fuzz::AsText(data, size))));
  if (!items) {
    coffee::fuzz::CheckRefusal(items.error());
    return 0;
  }
  Check(items->size() <= 1001, "reading stops after 1001 lines");

  boost::json::array lines;
  for (const auto& item : *items) {
    lines.push_back(
        boost::json::object{{"coffee_item_id", item.coffee_item_id}, {"quantity", item.quantity}});
  }
  const boost::json::object body{{"items", std::move(lines)}};
  auto again = coffee::http::json::ReadItems(JsonPost(coffee::http::json::SerializeJson(body)));
  Check(again.ok() && again->size() == items->size(), "written lines read back");
  for (std::size_t i = 0; i < items->size(); ++i) {
    Check((*again)[i].coffee_item_id == (*items)[i].coffee_item_id &&
              (*again)[i].quantity == (*items)[i].quantity,
          "each line reads back unchanged");
  }
  return 0;
}
