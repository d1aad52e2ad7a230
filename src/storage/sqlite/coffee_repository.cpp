#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "storage/coffee_filters.hpp"
#include "storage/json_columns.hpp"
#include "storage/name_search.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

// name has COLLATE NOCASE (column and unique index), so `=` and ORDER BY name ignore case.
constexpr std::string_view kCoffeeColumns =
    "SELECT id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count FROM "
    "coffees";
// The filters, each with its own parameter number: ?1 search, ?2 type, ?3 min and ?4 max price
// (?5 and ?6 are the page's limit and offset, ?7 the search as an FTS5 phrase). instr() rather
// than LIKE keeps % and _ in the search text literal. A search the trigram index can answer
// (storage/name_search.hpp) takes its candidates from coffee_name_search (migration 0011);
// instr() stays as the final check, because FTS5 folds the case of non-ASCII letters and
// SQLite's lower() does not, so the index alone would match more names than the scan.
// Their values are bound by BindFilters.
constexpr CoffeeFilterSql kConditions{
    .search_scan = "instr(lower(name), lower(?1)) > 0",
    .search_trigram =
        "id IN (SELECT rowid FROM coffee_name_search WHERE coffee_name_search"
        " MATCH ?7) AND instr(lower(name), lower(?1)) > 0",
    .type = "lower(coffee_type) = lower(?2)",
    .min_price = "price_cents >= ?3",
    .max_price = "price_cents <= ?4",
};
constexpr std::string_view kCoffeePage = " LIMIT ?5 OFFSET ?6";
/// The sort keys' columns, by CoffeeSort (CoffeeOrderBy adds the id tiebreaker).
constexpr std::array<std::string_view, 4> kCoffeeSortKeys{"id", "price_cents", "rating", "name"};
/// Orders per sort key: ascending or descending, each forward or reversed.
constexpr std::size_t kCoffeeOrders = 4;

/// The list and count statements, one per combination of filters (storage/coffee_filters.hpp)
/// and per sort key, direction and reversal for the list, built once: only the filters given
/// appear in the WHERE, so that the planner can use an index for them ("?1 IS NULL OR ..." in
/// one statement for all combinations reads every row).
class FilteredStatements {
 public:
  FilteredStatements() {
    for (std::size_t variant = 0; variant < kCoffeeFilterVariants; ++variant) {
      std::string where;
      for (const CoffeeFilter filter : CoffeeFilters(variant)) {
        where += where.empty() ? " WHERE " : " AND ";
        where += kConditions.Of(filter);
      }
      // Without filters the total is the row triggers keep (migration 0013): counting would
      // read the whole catalog.
      count_.at(variant) = where.empty() ? "SELECT coffees FROM coffee_total WHERE id = 1"
                                         : "SELECT count(*) FROM coffees" + where;
      for (std::size_t sort = 0; sort < kCoffeeSortKeys.size(); ++sort) {
        for (const bool descending : {false, true}) {
          for (const bool reversed : {false, true}) {
            list_.at(variant).at(Index(sort, descending, reversed)) =
                std::string(kCoffeeColumns) + where +
                CoffeeOrderBy(kCoffeeSortKeys.at(sort), static_cast<app::CoffeeSort>(sort),
                              descending, reversed) +
                std::string(kCoffeePage);
          }
        }
      }
    }
  }

  [[nodiscard]] const std::string& List(const app::CoffeeQuery& query) const {
    return list_.at(CoffeeFilterVariant(query))
        .at(Index(static_cast<std::size_t>(query.sort), query.descending, query.reversed));
  }
  [[nodiscard]] const std::string& Count(const app::CoffeeQuery& query) const {
    return count_.at(CoffeeFilterVariant(query));
  }

 private:
  static std::size_t Index(std::size_t sort, bool descending, bool reversed) {
    return sort * kCoffeeOrders + (descending ? 2 : 0) + (reversed ? 1 : 0);
  }

  std::array<std::string, kCoffeeFilterVariants> count_;
  std::array<std::array<std::string, kCoffeeOrders * kCoffeeSortKeys.size()>, kCoffeeFilterVariants>
      list_;
};

const FilteredStatements& Filtered() {
  static const FilteredStatements statements;
  return statements;
}

constexpr std::string_view kFindCoffee =
    "SELECT id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count FROM "
    "coffees WHERE id = ?1";
constexpr std::string_view kFindCoffeeByName =
    "SELECT id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count FROM "
    "coffees WHERE name = ?1";
constexpr std::string_view kInsertCoffee =
    "INSERT INTO coffees (name, coffee_type, price_cents, rating, image_url, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
    " RETURNING id, name, coffee_type, price_cents, rating, image_url, rating_sum, review_count";
constexpr std::string_view kUpdateCoffee =
    "UPDATE coffees SET name = coalesce(?2, name), coffee_type = coalesce(?3, coffee_type),"
    " price_cents = coalesce(?4, price_cents), rating = coalesce(?5, rating),"
    " image_url = coalesce(?6, image_url), updated_at = ?7 WHERE id = ?1";
constexpr std::string_view kDeleteCoffee = "DELETE FROM coffees WHERE id = ?1";
constexpr std::string_view kExistingCoffeeIds =
    "SELECT id FROM coffees WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

domain::Coffee ReadCoffee(const Statement& row) {
  domain::Coffee c;
  c.id = domain::CoffeeId{row.Int(0)};
  c.name = row.Text(1);
  c.coffee_type = row.Text(2);
  c.price = domain::Money::FromCents(row.Int(3));
  c.rating = row.Real(4);
  c.image_url = row.Text(5);
  c.rating_sum = row.Int(6);
  c.review_count = row.Int(7);
  return c;
}

/// Binds the parameters of the filters `query` gives (the others are not in its statement).
void BindFilters(Statement& stmt, const app::CoffeeQuery& query) {
  for (const CoffeeFilter filter : CoffeeFilters(query)) {
    switch (filter) {
      case CoffeeFilter::kSearchScan:
        stmt.Bind(1, *query.search);
        break;
      case CoffeeFilter::kSearchTrigram:
        stmt.Bind(1, *query.search).Bind(7, Fts5Phrase(*query.search));
        break;
      case CoffeeFilter::kType:
        stmt.Bind(2, *query.type_filter);
        break;
      case CoffeeFilter::kMinPrice:
        stmt.Bind(3, query.min_price->cents());
        break;
      case CoffeeFilter::kMaxPrice:
        stmt.Bind(4, query.max_price->cents());
        break;
    }
  }
}

bool IsUniqueViolation(int constraint) {
  return constraint == SQLITE_CONSTRAINT_UNIQUE || constraint == SQLITE_CONSTRAINT_PRIMARYKEY;
}

}  // namespace

std::vector<domain::Coffee> CoffeeRepository::List(const app::CoffeeQuery& query) {
  Statement stmt = conn_.Prepare(Filtered().List(query));
  BindFilters(stmt, query);
  stmt.Bind(5, query.limit).Bind(6, query.offset);
  std::vector<domain::Coffee> coffees;
  while (stmt.Step()) coffees.push_back(ReadCoffee(stmt));
  return coffees;
}

std::int64_t CoffeeRepository::Count(const app::CoffeeQuery& query) {
  Statement stmt = conn_.Prepare(Filtered().Count(query));
  BindFilters(stmt, query);
  stmt.Step();
  return stmt.Int(0);
}

std::optional<domain::Coffee> CoffeeRepository::Find(domain::CoffeeId id) {
  Statement stmt = conn_.Prepare(kFindCoffee);
  stmt.Bind(1, id.value);
  if (!stmt.Step()) return std::nullopt;
  return ReadCoffee(stmt);
}

std::optional<domain::Coffee> CoffeeRepository::FindByName(std::string_view name) {
  Statement stmt = conn_.Prepare(kFindCoffeeByName);
  stmt.Bind(1, name);
  if (!stmt.Step()) return std::nullopt;
  return ReadCoffee(stmt);
}

std::optional<domain::Coffee> CoffeeRepository::Create(const domain::NewCoffee& coffee) {
  Statement stmt = conn_.Prepare(kInsertCoffee);
  stmt.Bind(1, coffee.name).Bind(2, coffee.coffee_type).Bind(3, coffee.price.cents());
  stmt.Bind(4, coffee.rating).Bind(5, coffee.image_url).Bind(6, domain::FormatTimestamp(Now()));
  bool has_row = false;
  const int constraint = stmt.StepOrConstraint(has_row);
  if (IsUniqueViolation(constraint)) return std::nullopt;
  if (constraint != 0 || !has_row) {
    ThrowSqliteError(conn_.handle(), constraint != 0 ? constraint : SQLITE_ERROR, "insert coffee");
  }
  auto created = ReadCoffee(stmt);
  stmt.Run();
  return created;
}

app::WriteResult CoffeeRepository::Update(domain::CoffeeId id, const domain::CoffeePatch& patch) {
  Statement stmt = conn_.Prepare(kUpdateCoffee);
  stmt.Bind(1, id.value).Bind(2, patch.name).Bind(3, patch.coffee_type);
  if (patch.price) {
    stmt.Bind(4, patch.price->cents());
  } else {
    stmt.BindNull(4);
  }
  stmt.Bind(5, patch.rating).Bind(6, patch.image_url).Bind(7, domain::FormatTimestamp(Now()));
  bool has_row = false;
  const int constraint = stmt.StepOrConstraint(has_row);
  if (IsUniqueViolation(constraint)) return app::WriteResult::kConflict;
  if (constraint != 0) ThrowSqliteError(conn_.handle(), constraint, "update coffee");
  return conn_.Changes() > 0 ? app::WriteResult::kOk : app::WriteResult::kNotFound;
}

app::WriteResult CoffeeRepository::Delete(domain::CoffeeId id) {
  Statement stmt = conn_.Prepare(kDeleteCoffee);
  stmt.Bind(1, id.value);
  bool has_row = false;
  const int constraint = stmt.StepOrConstraint(has_row);
  // ON DELETE RESTRICT is enforced through SQLite's foreign-key triggers, so the violation
  // arrives as SQLITE_CONSTRAINT_TRIGGER; the schema's own triggers on coffees (the name
  // search index, migration 0011) raise no errors.
  if (constraint == SQLITE_CONSTRAINT_FOREIGNKEY || constraint == SQLITE_CONSTRAINT_TRIGGER) {
    return app::WriteResult::kConflict;
  }
  if (constraint != 0) ThrowSqliteError(conn_.handle(), constraint, "delete coffee");
  return conn_.Changes() > 0 ? app::WriteResult::kOk : app::WriteResult::kNotFound;
}

std::vector<domain::CoffeeId> CoffeeRepository::ExistingIds(
    const std::vector<domain::CoffeeId>& ids) {
  std::vector<domain::CoffeeId> existing;
  if (ids.empty()) return existing;
  Statement stmt = conn_.Prepare(kExistingCoffeeIds);
  stmt.Bind(1, *EncodeCoffeeIds(ids));
  while (stmt.Step()) existing.emplace_back(stmt.Int(0));
  return existing;
}

}  // namespace coffee::storage::sqlite
