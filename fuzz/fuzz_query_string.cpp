// Request targets: the origin-form split into path and query parameters the server does for
// every request, then the query readers the list endpoints use (paging, the coffee filters).
// Invariants: a parsed path starts with "/"; paging stays within its documented bounds and its
// offset is never negative; accepted coffee filters are consistent (positive prices, min ≤ max,
// search ≤ 100 characters); refusals are validation errors naming the parameter.

#include <cstdint>
#include <string>

#include "app/coffee_service.hpp"
#include "fuzz_support.hpp"
#include "http/message.hpp"

namespace {

using coffee::fuzz::Check;
using coffee::fuzz::CheckRefusal;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target = coffee::fuzz::AsText(data, size);
  std::string path;
  coffee::app::QueryParams query;
  if (!coffee::http::ParseTarget(target, path, query)) return 0;
  Check(!path.empty() && path.front() == '/', "an origin-form path starts with /");
  Check(target.find('?') != std::string_view::npos || query.empty(),
        "no query parameters without a query");

  if (auto page = coffee::app::ParsePage(query)) {
    Check(page->page >= 1 && page->page <= 1'000'000, "page within 1..1000000");
    Check(page->limit >= 1 && page->limit <= 100, "limit within 1..100");
    Check(page->offset() >= 0, "offset is not negative");
  } else {
    CheckRefusal(page.error());
  }

  if (auto q = coffee::app::ParseCoffeeQuery(query)) {
    Check(q->limit >= 1 && q->limit <= 100 && q->offset >= 0, "coffee paging within bounds");
    Check(!q->min_price || q->min_price->cents() > 0, "min_price is positive");
    Check(!q->max_price || q->max_price->cents() > 0, "max_price is positive");
    Check(!q->min_price || !q->max_price || *q->min_price <= *q->max_price,
          "min_price ≤ max_price");
    Check(!q->search || q->search->size() <= 100, "search is at most 100 bytes");
  } else {
    CheckRefusal(q.error());
  }
  return 0;
}
