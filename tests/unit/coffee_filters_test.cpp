#include "storage/coffee_filters.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace coffee::storage {
namespace {

// Every combination of the catalog's filters, the search in its three forms (none, too short
// for the trigram index, long enough), maps to its own variant, whose filters are exactly the
// ones given, the search first: the order both adapters write conditions and bind values in.
TEST(CoffeeFilters, EachCombinationHasItsOwnVariantListingExactlyItsFilters) {
  std::set<std::size_t> variants;
  const std::vector<std::optional<std::string>> searches = {std::nullopt, "ab", "latte"};
  for (const auto& search : searches) {
    for (int bits = 0; bits < 8; ++bits) {
      app::CoffeeQuery query;
      query.search = search;
      std::vector<CoffeeFilter> expected;
      if (search) {
        expected.push_back(search->size() < 3 ? CoffeeFilter::kSearchScan
                                              : CoffeeFilter::kSearchTrigram);
      }
      if ((bits & 1) != 0) {
        query.type_filter = "Espresso";
        expected.push_back(CoffeeFilter::kType);
      }
      if ((bits & 2) != 0) {
        query.min_price = domain::Money::FromCents(100);
        expected.push_back(CoffeeFilter::kMinPrice);
      }
      if ((bits & 4) != 0) {
        query.max_price = domain::Money::FromCents(500);
        expected.push_back(CoffeeFilter::kMaxPrice);
      }
      const std::size_t variant = CoffeeFilterVariant(query);
      ASSERT_LT(variant, kCoffeeFilterVariants);
      EXPECT_TRUE(variants.insert(variant).second) << "variant " << variant << " reused";
      EXPECT_EQ(CoffeeFilters(query), expected)
          << "search=" << search.value_or("-") << " bits=" << bits;
      EXPECT_EQ(&CoffeeFilters(query), &CoffeeFilters(variant));
    }
  }
  EXPECT_EQ(variants.size(), kCoffeeFilterVariants);
}

TEST(CoffeeFilters, SortAndPageDoNotChangeTheVariant) {
  app::CoffeeQuery query;
  query.search = "mocha";
  const std::size_t variant = CoffeeFilterVariant(query);
  query.sort = app::CoffeeSort::kName;
  query.descending = true;
  query.offset = 40;
  query.limit = 20;
  EXPECT_EQ(CoffeeFilterVariant(query), variant);
}

TEST(CoffeeFilters, EveryVariantListsDistinctFiltersInTheSharedOrder) {
  for (std::size_t variant = 0; variant < kCoffeeFilterVariants; ++variant) {
    const auto& filters = CoffeeFilters(variant);
    EXPECT_TRUE(std::is_sorted(filters.begin(), filters.end())) << variant;
    EXPECT_EQ(std::adjacent_find(filters.begin(), filters.end()), filters.end()) << variant;
    EXPECT_LE(std::count_if(filters.begin(), filters.end(),
                            [](CoffeeFilter f) {
                              return f == CoffeeFilter::kSearchScan ||
                                     f == CoffeeFilter::kSearchTrigram;
                            }),
              1)
        << variant;
  }
}

// Ties are broken by id ascending; the reversed order flips every term, the tiebreaker too, so
// that it is the forward order read backwards (a page near the end is read that way).
TEST(CoffeeFilters, ReversedOrderFlipsEveryTermTheIdTiebreakerToo) {
  using app::CoffeeSort;
  EXPECT_EQ(CoffeeOrderBy("price_cents", CoffeeSort::kPrice, false, false),
            " ORDER BY price_cents ASC, id ASC");
  EXPECT_EQ(CoffeeOrderBy("price_cents", CoffeeSort::kPrice, false, true),
            " ORDER BY price_cents DESC, id DESC");
  EXPECT_EQ(CoffeeOrderBy("rating", CoffeeSort::kRating, true, false),
            " ORDER BY rating DESC, id ASC");
  EXPECT_EQ(CoffeeOrderBy("rating", CoffeeSort::kRating, true, true),
            " ORDER BY rating ASC, id DESC");
  EXPECT_EQ(CoffeeOrderBy("id", CoffeeSort::kId, false, false), " ORDER BY id ASC");
  EXPECT_EQ(CoffeeOrderBy("id", CoffeeSort::kId, false, true), " ORDER BY id DESC");
  EXPECT_EQ(CoffeeOrderBy("id", CoffeeSort::kId, true, true), " ORDER BY id ASC");
}

}  // namespace
}  // namespace coffee::storage
