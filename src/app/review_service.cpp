#include "app/review_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "app/paging.hpp"
#include "app/rules_json.hpp"

namespace coffee::app {

namespace json = boost::json;

namespace {

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

/// U+0000–U+001F (but tab and newline) and U+007F are refused in free text (SPEC §2).
bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t' && u != '\n') || u == 0x7F;
  });
}

void CheckFreeText(ValidationErrors& errors, const std::string& field, const std::string& text,
                   std::size_t max_length) {
  if (CodePoints(text) > max_length) {
    errors.Add(field, "must be at most " + std::to_string(max_length) + " characters");
  } else if (HasControlCharacter(text)) {
    errors.Add(field, "must not contain control characters (tab and newline are allowed)");
  }
}

AppError ReviewNotFound(std::int64_t id) {
  return AppError::NotFound("Review with id " + std::to_string(id) + " not found");
}

AppError CoffeeNotFound(std::int64_t id) {
  return AppError{
      ErrorCode::kCoffeeNotFound, "Coffee with id " + std::to_string(id) + " not found", {}, {}};
}

json::value OptText(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::string(*s);
}

}  // namespace

json::object ReviewJson(const Review& review) {
  return json::object{{"id", review.id},
                      {"user_id", review.user_id.value},
                      {"coffee_id", review.coffee_id.value},
                      {"rating", review.rating},
                      {"comment", OptText(review.comment)},
                      {"verified_purchase", review.verified_purchase},
                      {"hidden", review.hidden},
                      {"hidden_reason", OptText(review.hidden_reason)},
                      {"created_at", domain::FormatTimestamp(review.created_at)},
                      {"updated_at", domain::FormatTimestamp(review.updated_at)}};
}

void CheckReviewFields(ValidationErrors& errors, const std::optional<std::int64_t>& rating,
                       const std::optional<std::string>& comment) {
  if (rating && (*rating < 1 || *rating > 5)) {
    errors.Add("rating", "must be an integer between 1 and 5");
  }
  if (comment) CheckFreeText(errors, "comment", *comment, kMaxCommentLength);
}

Outcome<Review> ReviewService::Create(const Viewer& author, std::int64_t coffee_id,
                                      std::int64_t rating,
                                      const std::optional<std::string>& comment) {
  ValidationErrors errors;
  if (coffee_id < 1) errors.Add("coffee_id", "must be a positive integer");
  CheckReviewFields(errors, rating, comment);
  if (!errors.empty()) return errors.ToError();
  std::optional<Outcome<Review>> result;
  store_.Write([&](Tx& tx) {
    if (!tx.Coffees().Find(domain::CoffeeId{coffee_id})) {
      result.emplace(CoffeeNotFound(coffee_id));
      return false;
    }
    auto inserted = tx.Reviews().Insert(author.id, domain::CoffeeId{coffee_id},
                                        static_cast<int>(rating), comment);
    switch (inserted.result) {
      case WriteResult::kConflict:
        result.emplace(AppError{ErrorCode::kDuplicateReview,
                                "You have already reviewed coffee " + std::to_string(coffee_id) +
                                    "; edit that review instead",
                                {},
                                {}});
        return false;
      case WriteResult::kNotFound:
        result.emplace(CoffeeNotFound(coffee_id));
        return false;
      case WriteResult::kOk:
        break;
    }
    if (!inserted.review) throw StorageError("inserted review could not be read back");
    result.emplace(std::move(*inserted.review));
    return true;
  });
  if (result->ok()) catalog_.NoteChange();
  return std::move(*result);
}

Outcome<Review> ReviewService::Update(const Viewer& author, std::int64_t id,
                                      const ReviewPatch& patch) {
  ValidationErrors errors;
  if (!patch.rating && !patch.has_comment) {
    errors.Add("body", "must contain rating or comment");
  }
  CheckReviewFields(errors, patch.rating, patch.comment);
  if (!errors.empty()) return errors.ToError();
  std::optional<Outcome<Review>> result;
  store_.Write([&](Tx& tx) {
    auto review = tx.Reviews().Find(id);
    if (!review) {
      result.emplace(ReviewNotFound(id));
      return false;
    }
    if (review->user_id != author.id) {
      result.emplace(AppError::Forbidden("Only the author of a review can edit it"));
      return false;
    }
    const int rating = patch.rating ? static_cast<int>(*patch.rating) : review->rating;
    const auto& comment = patch.has_comment ? patch.comment : review->comment;
    tx.Reviews().Update(id, rating, comment);
    result.emplace(*tx.Reviews().Find(id));
    return true;
  });
  if (result->ok()) catalog_.NoteChange();
  return std::move(*result);
}

Status ReviewService::Delete(const Viewer& actor, std::int64_t id) {
  std::optional<Status> result;
  store_.Write([&](Tx& tx) {
    auto review = tx.Reviews().Find(id);
    if (!review) {
      result.emplace(ReviewNotFound(id));
      return false;
    }
    if (review->user_id != actor.id && actor.role != domain::Role::kAdmin) {
      result.emplace(AppError::Forbidden("Only the author of a review or an admin can delete it"));
      return false;
    }
    tx.Reviews().Delete(id);
    result.emplace(Ok{});
    return true;
  });
  if (result->ok()) catalog_.NoteChange();
  return std::move(*result);
}

Outcome<Review> ReviewService::Moderate(domain::UserId admin, std::int64_t id, bool hidden,
                                        const std::optional<std::string>& reason) {
  ValidationErrors errors;
  if (reason) {
    CheckFreeText(errors, "reason", *reason, kMaxReasonLength);
    if (reason->find_first_not_of(" \t\n") == std::string::npos) {
      errors.Add("reason", "must not be empty");
    }
  } else if (hidden) {
    errors.Add("reason", "is required to hide a review");
  }
  if (!errors.empty()) return errors.ToError();
  std::optional<Outcome<Review>> result;
  bool changed = false;
  store_.Write([&](Tx& tx) {
    auto before = tx.Reviews().Find(id);
    if (!before) {
      result.emplace(ReviewNotFound(id));
      return false;
    }
    const std::optional<std::string> stored_reason = hidden ? reason : std::nullopt;
    if (before->hidden == hidden && before->hidden_reason == stored_reason) {
      result.emplace(std::move(*before));  // nothing changes, nothing is recorded
      return false;
    }
    tx.Reviews().SetHidden(id, hidden, stored_reason);
    auto after = tx.Reviews().Find(id);
    ConfigChange change;
    change.actor_id = admin;
    change.entity = "review";
    change.entity_id = std::to_string(id);
    change.action = hidden ? "hide" : "unhide";
    change.before_json = JsonText(ReviewJson(*before));
    json::object after_json = ReviewJson(*after);
    after_json["reason"] = OptText(reason);
    change.after_json = JsonText(after_json);
    change.created_at = clock_.Now();
    tx.Audit().InsertConfigChange(change);
    result.emplace(std::move(*after));
    changed = true;
    return true;
  });
  if (changed) catalog_.NoteChange();
  return std::move(*result);
}

Outcome<ReviewPage> ReviewService::ListForCoffee(domain::CoffeeId coffee, std::int64_t offset,
                                                 std::int64_t limit) {
  bool exists = false;
  ReviewPage page;
  store_.Read([&](Tx& tx) {
    exists = tx.Coffees().Find(coffee).has_value();
    if (!exists) return;
    page.total = tx.Reviews().CountVisible(coffee);
    page.reviews = ReadPage<Review>(page.total, offset, limit, [&](const PageSlice& slice) {
      return tx.Reviews().ListVisible(coffee, slice.offset, slice.limit, slice.from_end);
    });
  });
  if (!exists) return CoffeeNotFound(coffee.value);
  return page;
}

}  // namespace coffee::app
