#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

// verified_purchase is read, not stored: the author has a completed order with the coffee now.
constexpr Statement kReviewInsert{
    "review_insert",
    "WITH r AS (INSERT INTO reviews (user_id, coffee_id, rating, comment) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, coffee_id) DO NOTHING RETURNING *) "
    "SELECT r.id, r.user_id, r.coffee_id, r.rating, r.comment, r.hidden, r.hidden_reason, "
    "r.created_at, r.updated_at, EXISTS (SELECT 1 FROM orders o JOIN order_items i "
    "ON i.order_id = o.id WHERE o.user_id = r.user_id AND o.status = 'completed' "
    "AND i.coffee_id = r.coffee_id) FROM r"};
constexpr Statement kReviewFind{
    "review_find",
    "SELECT r.id, r.user_id, r.coffee_id, r.rating, r.comment, r.hidden, r.hidden_reason, "
    "r.created_at, r.updated_at, EXISTS (SELECT 1 FROM orders o JOIN order_items i "
    "ON i.order_id = o.id WHERE o.user_id = r.user_id AND o.status = 'completed' "
    "AND i.coffee_id = r.coffee_id) FROM reviews r WHERE r.id = $1"};
constexpr Statement kReviewList{
    "review_list_visible",
    "SELECT r.id, r.user_id, r.coffee_id, r.rating, r.comment, r.hidden, r.hidden_reason, "
    "r.created_at, r.updated_at, EXISTS (SELECT 1 FROM orders o JOIN order_items i "
    "ON i.order_id = o.id WHERE o.user_id = r.user_id AND o.status = 'completed' "
    "AND i.coffee_id = r.coffee_id) FROM reviews r WHERE r.coffee_id = $1 AND NOT r.hidden "
    "ORDER BY r.created_at DESC, r.id DESC OFFSET $2 LIMIT $3"};
/// kReviewList in the exact reverse order (ListVisible's oldest_first).
constexpr Statement kReviewListOldest{
    "review_list_visible_oldest",
    "SELECT r.id, r.user_id, r.coffee_id, r.rating, r.comment, r.hidden, r.hidden_reason, "
    "r.created_at, r.updated_at, EXISTS (SELECT 1 FROM orders o JOIN order_items i "
    "ON i.order_id = o.id WHERE o.user_id = r.user_id AND o.status = 'completed' "
    "AND i.coffee_id = r.coffee_id) FROM reviews r WHERE r.coffee_id = $1 AND NOT r.hidden "
    "ORDER BY r.created_at ASC, r.id ASC OFFSET $2 LIMIT $3"};
constexpr Statement kReviewCount{
    "review_count_visible", "SELECT count(*) FROM reviews WHERE coffee_id = $1 AND NOT hidden"};
constexpr Statement kReviewUpdate{
    "review_update",
    "UPDATE reviews SET rating = $2, comment = $3, updated_at = now() WHERE id = $1"};
constexpr Statement kReviewHide{
    "review_hide",
    "UPDATE reviews SET hidden = $2, hidden_reason = $3, updated_at = now() WHERE id = $1"};
constexpr Statement kReviewDelete{"review_delete", "DELETE FROM reviews WHERE id = $1"};
constexpr Statement kCoffeeExists{"review_coffee_exists",
                                  "SELECT 1 FROM coffees WHERE id = $1 FOR KEY SHARE"};

app::Review ReadReview(const Result& result, int row) {
  RowReader r(result, row);
  app::Review review;
  review.id = r.Int64();
  review.user_id = domain::UserId(r.Int64());
  review.coffee_id = domain::CoffeeId(r.Int64());
  review.rating = r.Int();
  review.comment = r.OptString();
  review.hidden = r.Bool();
  review.hidden_reason = r.OptString();
  review.created_at = r.Time();
  review.updated_at = r.Time();
  review.verified_purchase = r.Bool();
  return review;
}

}  // namespace

app::ReviewInsert ReviewRepository::Insert(domain::UserId user, domain::CoffeeId coffee, int rating,
                                           const std::optional<std::string>& comment) {
  // The coffee is checked and locked against deletion first, so that a missing one is a value,
  // not a foreign-key error that would abort the transaction.
  if (conn_.Run(kCoffeeExists, Params().Int(coffee.value)).Rows() == 0) {
    return {app::WriteResult::kNotFound, std::nullopt};
  }
  const Result result = conn_.Run(
      kReviewInsert, Params().Int(user.value).Int(coffee.value).Int(rating).OptText(comment));
  if (result.Rows() == 0) return {app::WriteResult::kConflict, std::nullopt};
  return {app::WriteResult::kOk, ReadReview(result, 0)};
}

std::optional<app::Review> ReviewRepository::Find(std::int64_t id) {
  const Result result = conn_.Run(kReviewFind, Params().Int(id));
  if (result.Rows() == 0) return std::nullopt;
  return ReadReview(result, 0);
}

bool ReviewRepository::Update(std::int64_t id, int rating,
                              const std::optional<std::string>& comment) {
  return conn_.Run(kReviewUpdate, Params().Int(id).Int(rating).OptText(comment)).Affected() > 0;
}

bool ReviewRepository::SetHidden(std::int64_t id, bool hidden,
                                 const std::optional<std::string>& reason) {
  return conn_.Run(kReviewHide, Params().Int(id).Bool(hidden).OptText(reason)).Affected() > 0;
}

bool ReviewRepository::Delete(std::int64_t id) {
  return conn_.Run(kReviewDelete, Params().Int(id)).Affected() > 0;
}

std::vector<app::Review> ReviewRepository::ListVisible(domain::CoffeeId coffee, std::int64_t offset,
                                                       std::int64_t limit, bool oldest_first) {
  const Result result = conn_.Run(oldest_first ? kReviewListOldest : kReviewList,
                                  Params()
                                      .Int(coffee.value)
                                      .Int(std::max<std::int64_t>(offset, 0))
                                      .Int(std::max<std::int64_t>(limit, 0)));
  std::vector<app::Review> reviews;
  reviews.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) reviews.push_back(ReadReview(result, i));
  return reviews;
}

std::int64_t ReviewRepository::CountVisible(domain::CoffeeId coffee) {
  const Result result = conn_.Run(kReviewCount, Params().Int(coffee.value));
  return RowReader(result, 0).Int64();
}

}  // namespace coffee::storage::postgres
