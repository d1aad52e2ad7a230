#include "app/paging.hpp"

namespace coffee::app {

PageSlice SlicePage(std::int64_t total, std::int64_t offset, std::int64_t limit) {
  offset = std::max<std::int64_t>(offset, 0);
  if (limit <= 0 || offset >= total) return {};
  const std::int64_t after = std::max<std::int64_t>(total - offset - limit, 0);
  // From the start the read steps over `offset` rows, from the end over `after`: the nearer
  // end wins, and a tie keeps the list's own order.
  if (after < offset) return {true, after, std::min(limit, total - offset)};
  return {false, offset, limit};
}

}  // namespace coffee::app
