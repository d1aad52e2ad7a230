#pragma once

#include <string_view>

#include "app/errors.hpp"
#include "http/json/codec.hpp"
#include "http/message.hpp"

namespace coffee::http::json {

/// HTTP status, `error` category and `error_code` for an ErrorCode.
struct ErrorInfo {
  int status;
  std::string_view category;
  std::string_view code;
};
ErrorInfo Describe(app::ErrorCode code);

/// The one error shape (SPEC §2), with the status of the error's code.
Response ErrorResponse(const app::AppError& error);

/// Turns an outcome into a JSON response with `status`, or the error shape.
template <typename T, typename F>
Response Respond(const app::Outcome<T>& outcome, int status, F&& to_json) {
  if (!outcome) return ErrorResponse(outcome.error());
  return JsonResponse(status, to_json(outcome.value()));
}

}  // namespace coffee::http::json
