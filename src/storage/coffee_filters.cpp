#include "storage/coffee_filters.hpp"

#include <array>

#include "storage/name_search.hpp"

namespace coffee::storage {

namespace {

// A variant is search * kSearchStride + the bits of the other filters given.
constexpr std::size_t kByMaxPrice = 1;
constexpr std::size_t kByMinPrice = 2;
constexpr std::size_t kByType = 4;
constexpr std::size_t kSearchStride = 8;
constexpr std::size_t kSearchByScan = 1;
constexpr std::size_t kSearchByTrigram = 2;
static_assert(kCoffeeFilterVariants == (kSearchByTrigram + 1) * kSearchStride);

std::array<std::vector<CoffeeFilter>, kCoffeeFilterVariants> BuildFilters() {
  std::array<std::vector<CoffeeFilter>, kCoffeeFilterVariants> all;
  for (std::size_t variant = 0; variant < kCoffeeFilterVariants; ++variant) {
    auto& filters = all.at(variant);
    const std::size_t search = variant / kSearchStride;
    if (search == kSearchByScan) filters.push_back(CoffeeFilter::kSearchScan);
    if (search == kSearchByTrigram) filters.push_back(CoffeeFilter::kSearchTrigram);
    if ((variant & kByType) != 0) filters.push_back(CoffeeFilter::kType);
    if ((variant & kByMinPrice) != 0) filters.push_back(CoffeeFilter::kMinPrice);
    if ((variant & kByMaxPrice) != 0) filters.push_back(CoffeeFilter::kMaxPrice);
  }
  return all;
}

}  // namespace

std::size_t CoffeeFilterVariant(const app::CoffeeQuery& query) {
  std::size_t search = 0;
  if (query.search) search = UsesTrigramIndex(*query.search) ? kSearchByTrigram : kSearchByScan;
  return search * kSearchStride + (query.type_filter ? kByType : 0) +
         (query.min_price ? kByMinPrice : 0) + (query.max_price ? kByMaxPrice : 0);
}

const std::vector<CoffeeFilter>& CoffeeFilters(std::size_t variant) {
  static const auto all = BuildFilters();
  return all.at(variant);
}

std::string CoffeeOrderBy(std::string_view key, app::CoffeeSort sort, bool descending,
                          bool reversed) {
  std::string order = " ORDER BY " + std::string(key) + (descending != reversed ? " DESC" : " ASC");
  if (sort != app::CoffeeSort::kId) order += reversed ? ", id DESC" : ", id ASC";
  return order;
}

}  // namespace coffee::storage
