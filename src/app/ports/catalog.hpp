#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/coffee.hpp"

namespace coffee::app {

enum class CoffeeSort { kId, kPrice, kRating, kName };

struct CoffeeQuery {
  std::optional<std::string> search;       // case-insensitive substring; % and _ are literal
  std::optional<std::string> type_filter;  // case-insensitive exact match
  std::optional<domain::Money> min_price;  // inclusive
  std::optional<domain::Money> max_price;  // inclusive
  CoffeeSort sort = CoffeeSort::kId;
  bool descending = false;  // ties are always broken by id ascending
  std::int64_t offset = 0;
  std::int64_t limit = 10;
  /// The exact reverse of the order sort and descending give, every ORDER BY term flipped (the
  /// id tiebreaker too): how CoffeeService reads a page nearer the end (app/paging.hpp).
  bool reversed = false;
};

enum class WriteResult { kOk, kNotFound, kConflict };

class CoffeeRepository {
 public:
  virtual ~CoffeeRepository() = default;
  virtual std::vector<domain::Coffee> List(const CoffeeQuery& query) = 0;
  /// Number of coffees matching the filters of `query` (offset, limit and order ignored).
  virtual std::int64_t Count(const CoffeeQuery& query) = 0;
  virtual std::optional<domain::Coffee> Find(domain::CoffeeId id) = 0;
  /// The coffees of `ids` that exist, in no particular order. Adapters where a query costs a
  /// network round trip answer it with one statement; the default asks one id at a time.
  virtual std::vector<domain::Coffee> FindMany(const std::vector<domain::CoffeeId>& ids) {
    std::vector<domain::Coffee> found;
    for (const auto id : ids) {
      if (auto coffee = Find(id)) found.push_back(std::move(*coffee));
    }
    return found;
  }
  /// Case-insensitive exact name.
  virtual std::optional<domain::Coffee> FindByName(std::string_view name) = 0;
  /// nullopt when the name exists already (case-insensitively, enforced by a unique index).
  virtual std::optional<domain::Coffee> Create(const domain::NewCoffee& coffee) = 0;
  /// kConflict when the new name is taken by another coffee.
  virtual WriteResult Update(domain::CoffeeId id, const domain::CoffeePatch& patch) = 0;
  /// kConflict when order lines reference the coffee (foreign key).
  virtual WriteResult Delete(domain::CoffeeId id) = 0;
  /// The subset of `ids` that exist, ascending.
  virtual std::vector<domain::CoffeeId> ExistingIds(const std::vector<domain::CoffeeId>& ids) = 0;
};

}  // namespace coffee::app
