#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/errors.hpp"
#include "app/ports/store.hpp"

namespace coffee::app {

/// Query parameters as received (already percent-decoded), by name.
using QueryParams = std::map<std::string, std::string, std::less<>>;

/// page (≥ 1, default 1) and limit (1–100, default 10); errors name the parameter.
struct PageRequest {
  std::int64_t page = 1;
  std::int64_t limit = 10;
  [[nodiscard]] std::int64_t offset() const { return (page - 1) * limit; }
};
Outcome<PageRequest> ParsePage(const QueryParams& params);

/// GET /api/coffees parameters → a repository query (SPEC §4); errors name the parameter.
Outcome<CoffeeQuery> ParseCoffeeQuery(const QueryParams& params);

/// Field checks for create (all required) and update (present fields only).
Status ValidateNewCoffee(const domain::NewCoffee& coffee);
Status ValidateCoffeePatch(const domain::CoffeePatch& patch);

struct CoffeePage {
  std::vector<domain::Coffee> coffees;
  std::int64_t total = 0;
};

/// The catalog (SPEC §4). Blocking: runs on a worker thread.
class CoffeeService {
 public:
  explicit CoffeeService(Store& store) : store_(store) {}

  /// The page `query` asks for (query.reversed is not read). The total is counted first and a
  /// page nearer the end is read from there, in the same read transaction (app/paging.hpp).
  Outcome<CoffeePage> List(const CoffeeQuery& query);
  Outcome<domain::Coffee> Get(domain::CoffeeId id);
  Outcome<domain::Coffee> Create(const domain::NewCoffee& coffee);
  Outcome<domain::Coffee> Update(domain::CoffeeId id, const domain::CoffeePatch& patch);
  Status Delete(domain::CoffeeId id);
  /// Changes with every catalog change made through this service or noted by another one
  /// (for response caches).
  [[nodiscard]] std::uint64_t Version() const { return version_.load(); }
  /// A change that the catalog shows was committed elsewhere (a review changed a coffee's
  /// average_rating or review_count): cached catalog answers are stale.
  void NoteChange() { ++version_; }

 private:
  Store& store_;
  std::atomic<std::uint64_t> version_{1};
};

}  // namespace coffee::app
