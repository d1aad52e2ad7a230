#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

// verified_purchase is read, not stored: the author has a completed order with the coffee now.
constexpr std::string_view kReviewColumns =
    "SELECT r.id, r.user_id, r.coffee_id, r.rating, r.comment, r.hidden, r.hidden_reason,"
    " r.created_at, r.updated_at,"
    " EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id"
    " WHERE o.user_id = r.user_id AND o.status = 'completed' AND +i.coffee_id = r.coffee_id)"
    " FROM reviews r";
constexpr std::string_view kInsertReview =
    "INSERT INTO reviews (user_id, coffee_id, rating, comment, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id";
constexpr std::string_view kUpdateReview =
    "UPDATE reviews SET rating = ?2, comment = ?3, updated_at = ?4 WHERE id = ?1";
constexpr std::string_view kHideReview =
    "UPDATE reviews SET hidden = ?2, hidden_reason = ?3, updated_at = ?4 WHERE id = ?1";
constexpr std::string_view kDeleteReview = "DELETE FROM reviews WHERE id = ?1";
constexpr std::string_view kCountVisibleReviews =
    "SELECT count(*) FROM reviews WHERE coffee_id = ?1 AND hidden = 0";

std::string FindSql() { return std::string(kReviewColumns) + " WHERE r.id = ?1"; }

/// Newest first, or (`oldest_first`) its exact reverse: reviews_coffee_visible_idx either way.
std::string ListSql(bool oldest_first) {
  return std::string(kReviewColumns) + " WHERE r.coffee_id = ?1 AND r.hidden = 0" +
         (oldest_first ? " ORDER BY r.created_at ASC, r.id ASC"
                       : " ORDER BY r.created_at DESC, r.id DESC") +
         " LIMIT ?2 OFFSET ?3";
}

app::Review ReadReview(const Statement& row) {
  app::Review r;
  r.id = row.Int(0);
  r.user_id = domain::UserId{row.Int(1)};
  r.coffee_id = domain::CoffeeId{row.Int(2)};
  r.rating = static_cast<int>(row.Int(3));
  r.comment = row.OptText(4);
  r.hidden = row.Int(5) != 0;
  r.hidden_reason = row.OptText(6);
  r.created_at = ReadTimestamp(row.Text(7), "reviews.created_at");
  r.updated_at = ReadTimestamp(row.Text(8), "reviews.updated_at");
  r.verified_purchase = row.Int(9) != 0;
  return r;
}

}  // namespace

app::ReviewInsert ReviewRepository::Insert(domain::UserId user, domain::CoffeeId coffee, int rating,
                                           const std::optional<std::string>& comment) {
  std::int64_t id = 0;
  {
    Statement stmt = conn_.Prepare(kInsertReview);
    stmt.Bind(1, user.value).Bind(2, coffee.value).Bind(3, rating).Bind(4, comment);
    stmt.Bind(5, domain::FormatTimestamp(Now()));
    bool has_row = false;
    const int constraint = stmt.StepOrConstraint(has_row);
    if (constraint == SQLITE_CONSTRAINT_UNIQUE) return {app::WriteResult::kConflict, std::nullopt};
    if (constraint == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return {app::WriteResult::kNotFound, std::nullopt};
    }
    if (constraint != 0 || !has_row) {
      ThrowSqliteError(conn_.handle(), constraint != 0 ? constraint : SQLITE_ERROR,
                       "insert review");
    }
    id = stmt.Int(0);
    stmt.Run();
  }
  return {app::WriteResult::kOk, Find(id)};
}

std::optional<app::Review> ReviewRepository::Find(std::int64_t id) {
  Statement stmt = conn_.Prepare(FindSql());
  stmt.Bind(1, id);
  if (!stmt.Step()) return std::nullopt;
  return ReadReview(stmt);
}

bool ReviewRepository::Update(std::int64_t id, int rating,
                              const std::optional<std::string>& comment) {
  Statement stmt = conn_.Prepare(kUpdateReview);
  stmt.Bind(1, id).Bind(2, rating).Bind(3, comment).Bind(4, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

bool ReviewRepository::SetHidden(std::int64_t id, bool hidden,
                                 const std::optional<std::string>& reason) {
  Statement stmt = conn_.Prepare(kHideReview);
  stmt.Bind(1, id).Bind(2, hidden).Bind(3, reason).Bind(4, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

bool ReviewRepository::Delete(std::int64_t id) {
  Statement stmt = conn_.Prepare(kDeleteReview);
  stmt.Bind(1, id);
  stmt.Run();
  return conn_.Changes() > 0;
}

std::vector<app::Review> ReviewRepository::ListVisible(domain::CoffeeId coffee, std::int64_t offset,
                                                       std::int64_t limit, bool oldest_first) {
  Statement stmt = conn_.Prepare(ListSql(oldest_first));
  stmt.Bind(1, coffee.value).Bind(2, limit).Bind(3, offset);
  std::vector<app::Review> reviews;
  while (stmt.Step()) reviews.push_back(ReadReview(stmt));
  return reviews;
}

std::int64_t ReviewRepository::CountVisible(domain::CoffeeId coffee) {
  Statement stmt = conn_.Prepare(kCountVisibleReviews);
  stmt.Bind(1, coffee.value);
  stmt.Step();
  return stmt.Int(0);
}

}  // namespace coffee::storage::sqlite
