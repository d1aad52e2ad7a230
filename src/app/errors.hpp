#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace coffee::app {

/// Every failure the API reports. One mapping (http::Describe in http/json.cpp) turns each into a
/// status, an `error` category and a stable `error_code`.
enum class ErrorCode {
  kValidation,           // 400 VALIDATION_ERROR
  kItemsUnavailable,     // 400 ITEMS_UNAVAILABLE
  kInvalidTransition,    // 400 INVALID_STATUS_TRANSITION
  kMissingToken,         // 401 MISSING_TOKEN
  kInvalidToken,         // 401 INVALID_TOKEN
  kTokenExpired,         // 401 TOKEN_EXPIRED
  kInvalidCredentials,   // 401 INVALID_CREDENTIALS
  kForbidden,            // 403 FORBIDDEN
  kNotFound,             // 404 NOT_FOUND
  kCoffeeNotFound,       // 404 COFFEE_NOT_FOUND
  kRouteNotFound,        // 404 ROUTE_NOT_FOUND
  kMethodNotAllowed,     // 405 METHOD_NOT_ALLOWED
  kConflict,             // 409 CONFLICT
  kEmailExists,          // 409 EMAIL_EXISTS
  kDuplicateReview,      // 409 DUPLICATE_REVIEW
  kIdempotencyConflict,  // 409 IDEMPOTENCY_KEY_REUSED
  kPayloadTooLarge,      // 413 PAYLOAD_TOO_LARGE
  kUnsupportedMedia,     // 415 UNSUPPORTED_MEDIA_TYPE
  kHeadersTooLarge,      // 431 HEADERS_TOO_LARGE
  kRateLimited,          // 429 RATE_LIMITED
  kUnavailable,          // 503 SERVICE_UNAVAILABLE
  kInternal,             // 500 INTERNAL_ERROR
};

/// One coffee refused by availability, for ITEMS_UNAVAILABLE.
struct UnavailableItem {
  std::int64_t coffee_id = 0;
  std::string reason;
};

/// An expected failure, carried as a value up to the HTTP edge.
struct AppError {
  ErrorCode code = ErrorCode::kInternal;
  std::string details;
  std::map<std::string, std::string> fields;  // validation: field → message
  std::vector<UnavailableItem> unavailable_items;

  static AppError Validation(std::string field, std::string message) {
    AppError e{ErrorCode::kValidation, field + ": " + message, {}, {}};
    e.fields.emplace(std::move(field), std::move(message));
    return e;
  }
  static AppError NotFound(std::string details) {
    return AppError{ErrorCode::kNotFound, std::move(details), {}, {}};
  }
  static AppError Conflict(std::string details) {
    return AppError{ErrorCode::kConflict, std::move(details), {}, {}};
  }
  static AppError Forbidden(std::string details) {
    return AppError{ErrorCode::kForbidden, std::move(details), {}, {}};
  }
};

/// Collects field errors so a request reports all of them at once.
class ValidationErrors {
 public:
  void Add(const std::string& field, const std::string& message) {
    fields_.emplace(field, message);  // first message per field wins
  }
  [[nodiscard]] bool empty() const { return fields_.empty(); }
  /// details joins "field: message" with "; " in field order.
  [[nodiscard]] AppError ToError() const;

 private:
  std::map<std::string, std::string> fields_;
};

/// Success tag for outcomes that carry no value.
struct Ok {};

/// Either a value or an AppError: what use cases return for expected outcomes.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Outcome(AppError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  [[nodiscard]] const AppError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, AppError> v_;
};

using Status = Outcome<Ok>;

inline AppError ValidationErrors::ToError() const {
  AppError e{ErrorCode::kValidation, {}, fields_, {}};
  for (const auto& [field, message] : fields_) {
    if (!e.details.empty()) e.details += "; ";
    e.details += field + ": " + message;
  }
  return e;
}

}  // namespace coffee::app
