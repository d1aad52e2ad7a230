#include "app/paging.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace coffee::app {
namespace {

/// A list of `total` rows 0 … total−1 read the way a statement does: in the list's order or
/// reversed, `offset` rows skipped, at most `limit` rows.
std::vector<std::int64_t> Read(std::int64_t total, const PageSlice& slice) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(total));
  std::iota(rows.begin(), rows.end(), 0);
  if (slice.from_end) std::reverse(rows.begin(), rows.end());
  std::vector<std::int64_t> out;
  for (std::int64_t i = slice.offset; i < total && i < slice.offset + slice.limit; ++i) {
    out.push_back(rows[static_cast<std::size_t>(i)]);
  }
  return out;
}

// Whatever the page, reading its slice (and putting a slice from the end back in order) gives
// exactly the rows [offset, offset + limit) of the list, none past the end.
TEST(Paging, EveryPageIsTheSliceOfTheListFromEitherEnd) {
  for (std::int64_t total = 0; total <= 30; ++total) {
    for (std::int64_t limit = 1; limit <= 12; ++limit) {
      for (std::int64_t offset = 0; offset <= total + limit; ++offset) {
        std::vector<std::int64_t> expected;
        for (std::int64_t i = offset; i < std::min(total, offset + limit); ++i) {
          expected.push_back(i);
        }
        const auto page = ReadPage<std::int64_t>(
            total, offset, limit, [&](const PageSlice& slice) { return Read(total, slice); });
        EXPECT_EQ(page, expected) << "total " << total << " offset " << offset << " limit "
                                  << limit;
      }
    }
  }
}

// The rows stepped over are those before the page or those after it, whichever are fewer.
TEST(Paging, TheNearerEndIsRead) {
  for (std::int64_t total = 1; total <= 40; ++total) {
    for (std::int64_t limit = 1; limit <= 12; ++limit) {
      for (std::int64_t offset = 0; offset < total; ++offset) {
        const PageSlice slice = SlicePage(total, offset, limit);
        const std::int64_t after = std::max<std::int64_t>(total - offset - limit, 0);
        const std::string what = "total " + std::to_string(total) + " offset " +
                                 std::to_string(offset) + " limit " + std::to_string(limit);
        EXPECT_EQ(slice.offset, std::min(offset, after)) << what;
        EXPECT_EQ(slice.from_end, after < offset) << what;
        // From the end the limit stops at the page's first row; from the start the statement
        // stops at the list's end by itself.
        EXPECT_EQ(slice.limit, slice.from_end ? std::min(limit, total - offset) : limit) << what;
      }
    }
  }
}

TEST(Paging, FirstPagesKeepTheListsOrderAndLastPagesReadFromTheEnd) {
  EXPECT_FALSE(SlicePage(1'000'000, 0, 10).from_end);
  const PageSlice last = SlicePage(1'000'005, 1'000'000, 10);
  EXPECT_TRUE(last.from_end);
  EXPECT_EQ(last.offset, 0);
  EXPECT_EQ(last.limit, 5);
  // Exactly in the middle both ends are as far: the list's own order.
  EXPECT_FALSE(SlicePage(30, 10, 10).from_end);
  EXPECT_TRUE(SlicePage(30, 11, 10).from_end);
}

TEST(Paging, APagePastTheEndReadsNothing) {
  bool read = false;
  const auto page = ReadPage<int>(5, 5, 10, [&](const PageSlice&) {
    read = true;
    return std::vector<int>{1};
  });
  EXPECT_TRUE(page.empty());
  EXPECT_FALSE(read);
  EXPECT_EQ(SlicePage(0, 0, 10).limit, 0);
  EXPECT_EQ(SlicePage(10, 3, 0).limit, 0);
}

}  // namespace
}  // namespace coffee::app
