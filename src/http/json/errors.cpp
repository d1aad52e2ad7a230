#include "http/json/errors.hpp"

#include <boost/json/array.hpp>
#include <chrono>

#include "domain/time.hpp"

namespace coffee::http::json {

namespace bj = boost::json;

ErrorInfo Describe(app::ErrorCode code) {
  using C = app::ErrorCode;
  switch (code) {
    case C::kValidation:
      return {400, "Validation error", "VALIDATION_ERROR"};
    case C::kItemsUnavailable:
      return {400, "Validation error", "ITEMS_UNAVAILABLE"};
    case C::kInvalidTransition:
      return {400, "Validation error", "INVALID_STATUS_TRANSITION"};
    case C::kMissingToken:
      return {401, "Unauthorized", "MISSING_TOKEN"};
    case C::kInvalidToken:
      return {401, "Unauthorized", "INVALID_TOKEN"};
    case C::kTokenExpired:
      return {401, "Unauthorized", "TOKEN_EXPIRED"};
    case C::kInvalidCredentials:
      return {401, "Unauthorized", "INVALID_CREDENTIALS"};
    case C::kForbidden:
      return {403, "Forbidden", "FORBIDDEN"};
    case C::kNotFound:
      return {404, "Not found", "NOT_FOUND"};
    case C::kCoffeeNotFound:
      return {404, "Not found", "COFFEE_NOT_FOUND"};
    case C::kRouteNotFound:
      return {404, "Not found", "ROUTE_NOT_FOUND"};
    case C::kMethodNotAllowed:
      return {405, "Method not allowed", "METHOD_NOT_ALLOWED"};
    case C::kConflict:
      return {409, "Conflict", "CONFLICT"};
    case C::kEmailExists:
      return {409, "Conflict", "EMAIL_EXISTS"};
    case C::kDuplicateReview:
      return {409, "Conflict", "DUPLICATE_REVIEW"};
    case C::kIdempotencyConflict:
      return {409, "Conflict", "IDEMPOTENCY_KEY_REUSED"};
    case C::kPayloadTooLarge:
      return {413, "Payload too large", "PAYLOAD_TOO_LARGE"};
    case C::kUnsupportedMedia:
      return {415, "Unsupported media type", "UNSUPPORTED_MEDIA_TYPE"};
    case C::kHeadersTooLarge:
      return {431, "Request header fields too large", "HEADERS_TOO_LARGE"};
    case C::kRateLimited:
      return {429, "Too many requests", "RATE_LIMITED"};
    case C::kUnavailable:
      return {503, "Service unavailable", "SERVICE_UNAVAILABLE"};
    case C::kInternal:
      return {500, "Internal server error", "INTERNAL_ERROR"};
  }
  return {500, "Internal server error", "INTERNAL_ERROR"};
}

Response ErrorResponse(const app::AppError& error) {
  const ErrorInfo info = Describe(error.code);
  // `error` and `message` are what a client shows its user (SPEC §2): the specific message, or
  // the category when an error carries none.
  const std::string message = error.details.empty() ? std::string(info.category) : error.details;
  bj::object body;
  body["error"] = message;
  body["message"] = message;
  body["error_code"] = info.code;
  body["details"] = message;
  if (!error.fields.empty()) {
    bj::object fields;
    for (const auto& [k, v] : error.fields) fields[k] = v;
    body["fields"] = std::move(fields);
  }
  if (error.code == app::ErrorCode::kItemsUnavailable) {
    bj::array items;
    for (const auto& item : error.unavailable_items) {
      items.push_back(bj::object{{"coffee_id", item.coffee_id}, {"reason", item.reason}});
    }
    body["unavailable_items"] = std::move(items);
  }
  // RFC 3339 UTC to the second, as the earlier catalog errors had it: "2026-02-28T10:30:00Z".
  std::string timestamp = domain::FormatTimestamp(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  if (const auto dot = timestamp.find('.'); dot != std::string::npos) {
    timestamp.erase(dot, timestamp.size() - 1 - dot);
  }
  body["timestamp"] = timestamp;
  Response r = JsonResponse(info.status, body);
  if (info.status == 503) r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace coffee::http::json
