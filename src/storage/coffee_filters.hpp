#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/catalog.hpp"

/// Which conditions the catalog's list and count (GET /api/coffees) carry, shared by both
/// adapters. Each adapter prepares one statement per combination of the filters a query gives
/// (a "variant"), so that only those filters appear in its WHERE and the planner can use the
/// index they allow; each writes a filter's condition in its own SQL.
namespace coffee::storage {

enum class CoffeeFilter : std::uint8_t {
  kSearchScan,     // a search no trigram index can narrow (storage/name_search.hpp): it scans
  kSearchTrigram,  // a search the trigram index answers
  kType,           // type_filter
  kMinPrice,       // min_price
  kMaxPrice,       // max_price
};

/// The SQL condition of each filter in one adapter's dialect, given by name (designated
/// initializers) so that no adapter can list them out of order.
struct CoffeeFilterSql {
  std::string_view search_scan;
  std::string_view search_trigram;
  std::string_view type;
  std::string_view min_price;
  std::string_view max_price;

  [[nodiscard]] constexpr std::string_view Of(CoffeeFilter filter) const {
    switch (filter) {
      case CoffeeFilter::kSearchScan:
        return search_scan;
      case CoffeeFilter::kSearchTrigram:
        return search_trigram;
      case CoffeeFilter::kType:
        return type;
      case CoffeeFilter::kMinPrice:
        return min_price;
      case CoffeeFilter::kMaxPrice:
        return max_price;
    }
    return {};
  }
};

/// The number of variants: three ways to search (none, scan, trigram) times the eight
/// combinations of type, minimum and maximum price.
inline constexpr std::size_t kCoffeeFilterVariants = 24;

/// The variant that answers `query`, in [0, kCoffeeFilterVariants).
std::size_t CoffeeFilterVariant(const app::CoffeeQuery& query);

/// The filters of `variant`, in the one order every statement lists its conditions and binds
/// their values (PostgreSQL numbers its parameters by it).
const std::vector<CoffeeFilter>& CoffeeFilters(std::size_t variant);

/// The filters `query` gives: CoffeeFilters(CoffeeFilterVariant(query)).
inline const std::vector<CoffeeFilter>& CoffeeFilters(const app::CoffeeQuery& query) {
  return CoffeeFilters(CoffeeFilterVariant(query));
}

/// The catalog list's " ORDER BY …" for `sort`, whose column is `key` in the adapter's dialect:
/// the key in the direction asked, ties by id ascending; `reversed` flips every term, the id
/// tiebreaker too, so that the reversed list is the forward one backwards.
std::string CoffeeOrderBy(std::string_view key, app::CoffeeSort sort, bool descending,
                          bool reversed);

}  // namespace coffee::storage
