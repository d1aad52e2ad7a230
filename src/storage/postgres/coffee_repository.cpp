#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/coffee_filters.hpp"
#include "storage/name_search.hpp"
#include "storage/postgres/batch_cache.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

constexpr const char* kCoffeeColumns =
    "id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count";

constexpr Statement kCoffeeFind{"coffee_find",
                                "SELECT id, name, coffee_type, price_cents, rating, image_url, "
                                "rating_sum, review_count FROM coffees WHERE id = $1"};
constexpr Statement kCoffeeFindByName{"coffee_find_by_name",
                                      "SELECT id, name, coffee_type, price_cents, rating, "
                                      "image_url, rating_sum, review_count FROM coffees "
                                      "WHERE lower(name) = lower($1)"};
constexpr Statement kCoffeeCreate{
    "coffee_create",
    "INSERT INTO coffees (name, coffee_type, price_cents, rating, image_url) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING "
    "RETURNING id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count"};
constexpr Statement kCoffeeUpdate{"coffee_update",
                                  "UPDATE coffees SET name = COALESCE($2::text, name),"
                                  " coffee_type = COALESCE($3::text, coffee_type),"
                                  " price_cents = COALESCE($4::bigint, price_cents),"
                                  " rating = COALESCE($5::double precision, rating),"
                                  " image_url = COALESCE($6::text, image_url), updated_at = now() "
                                  "WHERE id = $1 RETURNING id"};
constexpr Statement kCoffeeDelete{"coffee_delete", "DELETE FROM coffees WHERE id = $1"};
// Listed in BatchCache (batch_cache.cpp), as a read.
constexpr Statement kCoffeeFindMany{"coffee_find_many",
                                    "SELECT id, name, coffee_type, price_cents, rating, image_url, "
                                    "rating_sum, review_count FROM coffees "
                                    "WHERE id = ANY($1::bigint[])"};
constexpr Statement kCoffeeExistingIds{
    "coffee_existing_ids", "SELECT id FROM coffees WHERE id = ANY($1::bigint[]) ORDER BY id"};

// The filters. A search the trigram index can answer (storage/name_search.hpp) is a LIKE
// pattern that coffees_name_trgm_idx (migration 0011) serves, \, % and _ escaped so they stay
// literal; a shorter one keeps strpos, which keeps them literal too and which that index
// cannot narrow. Both compare lower(name) with the lowered search, so they match the same rows.
// "$%" stands for a filter's parameter number; FilterParams binds its value.
constexpr CoffeeFilterSql kConditions{
    .search_scan = "strpos(lower(name), lower($%::text)) > 0",
    .search_trigram = "lower(name) LIKE lower($%::text)",
    .type = "lower(coffee_type) = lower($%::text)",
    .min_price = "price_cents >= $%::bigint",
    .max_price = "price_cents <= $%::bigint",
};

/// " WHERE a AND b ..." of conditions[first...], or "" when there are none.
std::string Where(const std::vector<std::string>& conditions, std::size_t first) {
  std::string where;
  for (std::size_t i = first; i < conditions.size(); ++i) {
    where += i == first ? " WHERE " : " AND ";
    where += conditions[i];
  }
  return where;
}

/// The prepared list and count statements, one per combination of filters
/// (storage/coffee_filters.hpp) and per sort key, direction and reversal for the list
/// (CoffeeOrderBy): only the filters given appear in the WHERE, their parameters numbered in the
/// order CoffeeFilters lists them, so that each statement's generic plan can use the index its
/// filters allow ("$1 IS NULL OR ..." cannot use any).
class FilteredStatements {
 public:
  FilteredStatements() {
    const std::array<std::pair<app::CoffeeSort, const char*>, kSorts> keys = {{
        {app::CoffeeSort::kId, "id"},
        {app::CoffeeSort::kPrice, "price_cents"},
        {app::CoffeeSort::kRating, "rating"},
        {app::CoffeeSort::kName, "lower(name) COLLATE \"C\""},
    }};
    for (std::size_t variant = 0; variant < kCoffeeFilterVariants; ++variant) {
      const auto& filters = CoffeeFilters(variant);
      std::vector<std::string> conditions;
      for (const CoffeeFilter filter : filters) {
        const std::string_view condition = kConditions.Of(filter);
        const auto slot = condition.find('%');
        conditions.push_back(std::string(condition.substr(0, slot)) +
                             std::to_string(conditions.size() + 1) +
                             std::string(condition.substr(slot + 1)));
      }
      const bool by_trigram = !filters.empty() && filters.front() == CoffeeFilter::kSearchTrigram;
      const std::string suffix = std::to_string(variant);
      // Without filters the total is the row triggers keep (migration 0013): counting would
      // read the whole catalog.
      count_.at(variant) = {"coffee_count_" + suffix,
                            conditions.empty()
                                ? "SELECT coffees FROM coffee_total WHERE id = 1"
                                : "SELECT count(*) FROM coffees" + Where(conditions, 0)};
      // A search through the trigram index collects its matches first (a MATERIALIZED CTE
      // is a planning fence), then filters and sorts them. Left to the planner, the generic
      // plan of "ORDER BY id LIMIT n" walks the primary key and tests every name, expecting a
      // match every 200 rows (LIKE's default estimate): 0.1 s for no match in 100k coffees.
      const std::string rows =
          by_trigram
              ? std::string("WITH matches AS MATERIALIZED (SELECT ") + kCoffeeColumns +
                    " FROM coffees WHERE " + conditions.front() + ") SELECT " + kCoffeeColumns +
                    " FROM matches" + Where(conditions, 1)
              : std::string("SELECT ") + kCoffeeColumns + " FROM coffees" + Where(conditions, 0);
      const std::size_t offset = conditions.size() + 1;
      for (const auto& [sort, key] : keys) {
        for (const bool descending : {false, true}) {
          for (const bool reversed : {false, true}) {
            auto& owned = list_.at(variant).at(Index(sort, descending, reversed));
            owned.name = "coffee_list_" + suffix + "_" + std::to_string(static_cast<int>(sort)) +
                         (descending ? "_desc" : "_asc") + (reversed ? "_rev" : "");
            owned.sql = rows + CoffeeOrderBy(key, sort, descending, reversed) + " OFFSET $" +
                        std::to_string(offset) + " LIMIT $" + std::to_string(offset + 1);
          }
        }
      }
    }
  }

  [[nodiscard]] Statement List(const app::CoffeeQuery& query) const {
    const auto& owned = list_.at(CoffeeFilterVariant(query))
                            .at(Index(query.sort, query.descending, query.reversed));
    return {owned.name.c_str(), owned.sql.c_str()};
  }
  [[nodiscard]] Statement Count(const app::CoffeeQuery& query) const {
    const auto& owned = count_.at(CoffeeFilterVariant(query));
    return {owned.name.c_str(), owned.sql.c_str()};
  }

 private:
  struct Owned {
    std::string name;
    std::string sql;
  };
  static constexpr std::size_t kSorts = 4;
  static constexpr std::size_t kOrders = 4;  // per sort key: asc or desc, forward or reversed

  static std::size_t Index(app::CoffeeSort sort, bool descending, bool reversed) {
    return static_cast<std::size_t>(sort) * kOrders + (descending ? 2 : 0) + (reversed ? 1 : 0);
  }

  std::array<Owned, kCoffeeFilterVariants> count_;
  std::array<std::array<Owned, kOrders * kSorts>, kCoffeeFilterVariants> list_;
};

const FilteredStatements& Filtered() {
  static const FilteredStatements statements;
  return statements;
}

domain::Coffee ReadCoffee(const Result& result, int row) {
  RowReader r(result, row);
  domain::Coffee coffee;
  coffee.id = domain::CoffeeId(r.Int64());
  coffee.name = r.String();
  coffee.coffee_type = r.String();
  coffee.price = domain::Money::FromCents(r.Int64());
  coffee.rating = r.Real();
  coffee.image_url = r.String();
  coffee.rating_sum = r.Int64();
  coffee.review_count = r.Int64();
  return coffee;
}

/// `ids` as a PostgreSQL array literal, e.g. {1,2,3}.
std::string IdArray(const std::vector<domain::CoffeeId>& ids) {
  std::string array = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) array += ',';
    array += std::to_string(ids[i].value);
  }
  array += '}';
  return array;
}

std::optional<domain::Coffee> FirstCoffee(const Result& result) {
  if (result.Rows() == 0) return std::nullopt;
  return ReadCoffee(result, 0);
}

/// The parameters of the filters `query` gives, in the order FilteredStatements numbers them.
Params FilterParams(const app::CoffeeQuery& query) {
  Params params;
  for (const CoffeeFilter filter : CoffeeFilters(query)) {
    switch (filter) {
      case CoffeeFilter::kSearchScan:
        params.Text(*query.search);
        break;
      case CoffeeFilter::kSearchTrigram:
        params.Text(ContainsLikePattern(*query.search));
        break;
      case CoffeeFilter::kType:
        params.Text(*query.type_filter);
        break;
      case CoffeeFilter::kMinPrice:
        params.Int(query.min_price->cents());
        break;
      case CoffeeFilter::kMaxPrice:
        params.Int(query.max_price->cents());
        break;
    }
  }
  return params;
}

}  // namespace

std::vector<domain::Coffee> CoffeeRepository::List(const app::CoffeeQuery& query) {
  Params params = FilterParams(query);
  params.Int(std::max<std::int64_t>(query.offset, 0)).Int(std::max<std::int64_t>(query.limit, 0));
  const Result result = conn_.Run(Filtered().List(query), params);
  std::vector<domain::Coffee> coffees;
  coffees.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) coffees.push_back(ReadCoffee(result, i));
  return coffees;
}

std::int64_t CoffeeRepository::Count(const app::CoffeeQuery& query) {
  const Result result = conn_.Run(Filtered().Count(query), FilterParams(query));
  return RowReader(result, 0).Int64();
}

std::optional<domain::Coffee> CoffeeRepository::Find(domain::CoffeeId id) {
  return FirstCoffee(conn_.Run(kCoffeeFind, Params().Int(id.value)));
}

std::optional<domain::Coffee> CoffeeRepository::FindByName(std::string_view name) {
  return FirstCoffee(conn_.Run(kCoffeeFindByName, Params().Text(name)));
}

std::optional<domain::Coffee> CoffeeRepository::Create(const domain::NewCoffee& coffee) {
  return FirstCoffee(conn_.Run(kCoffeeCreate, Params()
                                                  .Text(coffee.name)
                                                  .Text(coffee.coffee_type)
                                                  .Int(coffee.price.cents())
                                                  .Real(coffee.rating)
                                                  .Text(coffee.image_url)));
}

app::WriteResult CoffeeRepository::Update(domain::CoffeeId id, const domain::CoffeePatch& patch) {
  Params params;
  params.Int(id.value).OptText(patch.name).OptText(patch.coffee_type);
  params.OptInt(patch.price ? std::optional(patch.price->cents()) : std::nullopt);
  if (patch.rating) {
    params.Real(*patch.rating);
  } else {
    params.Null();
  }
  params.OptText(patch.image_url);
  auto outcome = conn_.RunGuarded(kCoffeeUpdate, params);
  if (std::holds_alternative<std::string>(outcome)) return app::WriteResult::kConflict;
  return std::get<Result>(outcome).Rows() > 0 ? app::WriteResult::kOk : app::WriteResult::kNotFound;
}

app::WriteResult CoffeeRepository::Delete(domain::CoffeeId id) {
  auto outcome = conn_.RunGuarded(kCoffeeDelete, Params().Int(id.value));
  if (std::holds_alternative<std::string>(outcome)) return app::WriteResult::kConflict;
  return std::get<Result>(outcome).Affected() > 0 ? app::WriteResult::kOk
                                                  : app::WriteResult::kNotFound;
}

std::vector<domain::Coffee> CoffeeRepository::FindMany(const std::vector<domain::CoffeeId>& ids) {
  std::vector<domain::CoffeeId> wanted = ids;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<domain::Coffee> coffees;
  BatchCache* cache = conn_.batch_cache();
  if (cache != nullptr) {
    // Coffees read earlier in this write batch; only the others are asked for.
    std::vector<domain::CoffeeId> unknown;
    for (const auto id : wanted) {
      if (const domain::Coffee* known = cache->FindCoffee(id)) {
        coffees.push_back(*known);
      } else {
        unknown.push_back(id);
      }
    }
    wanted = std::move(unknown);
  }
  if (wanted.empty()) return coffees;
  const Result result = conn_.Run(kCoffeeFindMany, Params().Text(IdArray(wanted)));
  coffees.reserve(coffees.size() + static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) {
    coffees.push_back(ReadCoffee(result, i));
    if (cache != nullptr) cache->RememberCoffee(coffees.back());
  }
  return coffees;
}

std::vector<domain::CoffeeId> CoffeeRepository::ExistingIds(
    const std::vector<domain::CoffeeId>& ids) {
  if (ids.empty()) return {};
  const Result result = conn_.Run(kCoffeeExistingIds, Params().Text(IdArray(ids)));
  std::vector<domain::CoffeeId> existing;
  existing.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) {
    existing.emplace_back(RowReader(result, i).Int64());
  }
  return existing;
}

}  // namespace coffee::storage::postgres
