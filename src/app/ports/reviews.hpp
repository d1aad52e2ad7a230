#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/ports/catalog.hpp"
#include "domain/coffee.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// A customer's review of a coffee (SPEC §9).
struct Review {
  std::int64_t id = 0;
  domain::UserId user_id;
  domain::CoffeeId coffee_id;
  int rating = 0;  // 1–5
  std::optional<std::string> comment;
  bool hidden = false;
  std::optional<std::string> hidden_reason;
  /// Computed when read: the author has a `completed` order containing the coffee.
  bool verified_purchase = false;
  domain::Instant created_at;
  domain::Instant updated_at;
};

/// What a review insert did: kOk with the review, kConflict when the user already reviewed the
/// coffee (unique index), kNotFound when the coffee or the user does not exist (foreign key).
struct ReviewInsert {
  WriteResult result = WriteResult::kOk;
  std::optional<Review> review;
};

/// Reviews, and the coffee aggregates that the adapter keeps in step with them: each change of
/// a visible review adjusts coffees.rating_sum and review_count in the same transaction, with
/// atomic increments (and the review rollup of the analytics).
class ReviewRepository {
 public:
  virtual ~ReviewRepository() = default;
  /// Inserts a visible review stamped now.
  virtual ReviewInsert Insert(domain::UserId user, domain::CoffeeId coffee, int rating,
                              const std::optional<std::string>& comment) = 0;
  virtual std::optional<Review> Find(std::int64_t id) = 0;
  /// Replaces rating and comment, stamps updated_at; false when no such review.
  virtual bool Update(std::int64_t id, int rating, const std::optional<std::string>& comment) = 0;
  /// Sets hidden and its reason, stamps updated_at; false when no such review.
  virtual bool SetHidden(std::int64_t id, bool hidden,
                         const std::optional<std::string>& reason) = 0;
  /// false when no such review.
  virtual bool Delete(std::int64_t id) = 0;
  /// Visible reviews of the coffee, newest first (created_at desc, id desc), or in the exact
  /// reverse with `oldest_first` (how ReviewService reads a page nearer the end:
  /// app/paging.hpp).
  virtual std::vector<Review> ListVisible(domain::CoffeeId coffee, std::int64_t offset,
                                          std::int64_t limit, bool oldest_first) = 0;
  virtual std::int64_t CountVisible(domain::CoffeeId coffee) = 0;
};

}  // namespace coffee::app
