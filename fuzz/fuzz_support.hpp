#pragma once

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/errors.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/message.hpp"

namespace coffee::fuzz {

/// The fuzz input as text (any bytes, not NUL-terminated).
inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// An invariant of the code under test; a violation aborts so that libFuzzer keeps the input.
inline void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

/// A POST with a JSON Content-Type and `body`, as the server hands it to a handler.
inline http::Request JsonPost(std::string body) {
  http::Request req;
  req.method = http::Method::kPost;
  req.headers.items.emplace_back("content-type", "application/json");
  req.body = std::move(body);
  return req;
}

/// A refused body or query is a validation error naming fields, and the response the server
/// would send for it is a JSON object with status 400.
inline void CheckRefusal(const app::AppError& error) {
  Check(error.code == app::ErrorCode::kValidation, "a refused body is a validation error");
  Check(!error.fields.empty(), "a validation error names at least one field");
  const http::Response res = http::json::ErrorResponse(error);
  Check(res.status == 400, "a validation error is a 400");
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(res.body, ec);
  Check(!ec && parsed.is_object(), "the error response body is a JSON object");
}

}  // namespace coffee::fuzz
