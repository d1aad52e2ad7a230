#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace coffee::app {

/// Which rows to read for the page [offset, offset + limit) of a list of `total` rows, and from
/// which end. LIMIT … OFFSET … steps over every row before the page, so a page nearer the end
/// is read from there: the same query with every ORDER BY term reversed, skipping the rows
/// after the page. Either way the rows stepped over are min(offset, total − offset − limit).
struct PageSlice {
  bool from_end = false;    // read in the reversed order (the page's rows come out reversed)
  std::int64_t offset = 0;  // rows to skip, in the order read
  std::int64_t limit = 0;   // rows to read; 0 when the page is past the end: read nothing
};

/// `total` must be counted in the same read transaction as the page is then read (one
/// snapshot): the slice from the end is only the page if the total is that of its rows.
PageSlice SlicePage(std::int64_t total, std::int64_t offset, std::int64_t limit);

/// The page read through `read(const PageSlice&)`, which returns the slice's rows in the order
/// it reads them; a slice read from the end is put back in the list's order.
template <typename Row, typename Read>
std::vector<Row> ReadPage(std::int64_t total, std::int64_t offset, std::int64_t limit,
                          Read&& read) {
  const PageSlice slice = SlicePage(total, offset, limit);
  if (slice.limit == 0) return {};
  std::vector<Row> rows = read(slice);
  if (slice.from_end) std::reverse(rows.begin(), rows.end());
  return rows;
}

}  // namespace coffee::app
