#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/coffee_service.hpp"
#include "app/errors.hpp"
#include "app/order_service.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"

namespace coffee::app {

/// Longest review comment, in Unicode code points.
inline constexpr std::size_t kMaxCommentLength = 1000;
/// Longest moderation reason, in Unicode code points.
inline constexpr std::size_t kMaxReasonLength = 500;

/// PUT of a review: absent fields keep their value; `comment` present as null clears it.
struct ReviewPatch {
  std::optional<std::int64_t> rating;
  bool has_comment = false;
  std::optional<std::string> comment;
};

struct ReviewPage {
  std::vector<Review> reviews;
  std::int64_t total = 0;
};

/// {id, user_id, coffee_id, rating, comment, verified_purchase, hidden, hidden_reason,
/// created_at, updated_at}: the API's body and the change log's before/after.
boost::json::object ReviewJson(const Review& review);

/// Checks a rating (1–5) and a comment (≤ 1000 code points; no control characters but tab and
/// newline) into `errors`, naming the fields.
void CheckReviewFields(ValidationErrors& errors, const std::optional<std::int64_t>& rating,
                       const std::optional<std::string>& comment);

/// Reviews and ratings (SPEC §9). Each change runs in one transaction in which the adapter also
/// adjusts the coffee's aggregate; the catalog's cached answers are then invalidated. Blocking:
/// runs on a worker thread.
class ReviewService {
 public:
  ReviewService(Store& store, CoffeeService& catalog, const Clock& clock)
      : store_(store), catalog_(catalog), clock_(clock) {}

  /// 404 COFFEE_NOT_FOUND, 409 DUPLICATE_REVIEW (also when a concurrent request won).
  Outcome<Review> Create(const Viewer& author, std::int64_t coffee_id, std::int64_t rating,
                         const std::optional<std::string>& comment);
  /// Author only (403 otherwise, admins included); 404 for an unknown review.
  Outcome<Review> Update(const Viewer& author, std::int64_t id, const ReviewPatch& patch);
  /// Author or admin (403 otherwise); 404 for an unknown review.
  Status Delete(const Viewer& actor, std::int64_t id);
  /// Admin: hides (a reason is required) or shows a review, with a change record.
  Outcome<Review> Moderate(domain::UserId admin, std::int64_t id, bool hidden,
                           const std::optional<std::string>& reason);
  /// Visible reviews of an existing coffee, newest first; a page nearer the end is read from
  /// there (app/paging.hpp).
  Outcome<ReviewPage> ListForCoffee(domain::CoffeeId coffee, std::int64_t offset,
                                    std::int64_t limit);

 private:
  Store& store_;
  CoffeeService& catalog_;
  const Clock& clock_;
};

}  // namespace coffee::app
