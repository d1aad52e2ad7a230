#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "storage/postgres/batch_cache.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

constexpr const char* kCoffeeColumns =
    "id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count";

// $1 search (substring of name; strpos keeps % and _ literal), $2 type, $3 min, $4 max.
constexpr const char* kCoffeeFilter =
    " WHERE ($1::text IS NULL OR strpos(lower(name), lower($1::text)) > 0)"
    " AND ($2::text IS NULL OR lower(coffee_type) = lower($2::text))"
    " AND ($3::bigint IS NULL OR price_cents >= $3::bigint)"
    " AND ($4::bigint IS NULL OR price_cents <= $4::bigint)";

constexpr Statement kCoffeeCount{
    "coffee_count",
    "SELECT count(*) FROM coffees"
    " WHERE ($1::text IS NULL OR strpos(lower(name), lower($1::text)) > 0)"
    " AND ($2::text IS NULL OR lower(coffee_type) = lower($2::text))"
    " AND ($3::bigint IS NULL OR price_cents >= $3::bigint)"
    " AND ($4::bigint IS NULL OR price_cents <= $4::bigint)"};
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

/// One prepared list statement per sort key and direction; ties always by id ascending.
class ListStatements {
 public:
  ListStatements() {
    const std::array<std::pair<app::CoffeeSort, const char*>, 4> keys = {{
        {app::CoffeeSort::kId, "id"},
        {app::CoffeeSort::kPrice, "price_cents"},
        {app::CoffeeSort::kRating, "rating"},
        {app::CoffeeSort::kName, "lower(name) COLLATE \"C\""},
    }};
    for (const auto& [sort, key] : keys) {
      for (const bool descending : {false, true}) {
        auto& owned = owned_[Index(sort, descending)];
        owned.name = "coffee_list_" + std::to_string(static_cast<int>(sort)) +
                     (descending ? "_desc" : "_asc");
        owned.sql = std::string("SELECT ") + kCoffeeColumns + " FROM coffees" + kCoffeeFilter +
                    " ORDER BY " + key + (descending ? " DESC" : " ASC") +
                    (sort == app::CoffeeSort::kId ? "" : ", id ASC") + " OFFSET $5 LIMIT $6";
      }
    }
  }

  [[nodiscard]] Statement Get(app::CoffeeSort sort, bool descending) const {
    const auto& owned = owned_[Index(sort, descending)];
    return {owned.name.c_str(), owned.sql.c_str()};
  }

 private:
  struct Owned {
    std::string name;
    std::string sql;
  };
  static std::size_t Index(app::CoffeeSort sort, bool descending) {
    return static_cast<std::size_t>(sort) * 2 + (descending ? 1 : 0);
  }
  std::array<Owned, 8> owned_;
};

const ListStatements& Lists() {
  static const ListStatements lists;
  return lists;
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

Params FilterParams(const app::CoffeeQuery& query) {
  Params params;
  params.OptText(query.search).OptText(query.type_filter);
  params.OptInt(query.min_price ? std::optional(query.min_price->cents()) : std::nullopt);
  params.OptInt(query.max_price ? std::optional(query.max_price->cents()) : std::nullopt);
  return params;
}

}  // namespace

std::vector<domain::Coffee> CoffeeRepository::List(const app::CoffeeQuery& query) {
  Params params = FilterParams(query);
  params.Int(std::max<std::int64_t>(query.offset, 0)).Int(std::max<std::int64_t>(query.limit, 0));
  const Result result = conn_.Run(Lists().Get(query.sort, query.descending), params);
  std::vector<domain::Coffee> coffees;
  coffees.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) coffees.push_back(ReadCoffee(result, i));
  return coffees;
}

std::int64_t CoffeeRepository::Count(const app::CoffeeQuery& query) {
  const Result result = conn_.Run(kCoffeeCount, FilterParams(query));
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
