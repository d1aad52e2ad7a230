#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "app/errors.hpp"
#include "http/message.hpp"

namespace coffee::http::json {

/// Serializes JSON with plain number formatting (4.5, not 4.5E0); doubles under a key named
/// "price" are written with exactly two decimals (4.50), as SPEC §2 shows coffee prices.
std::string SerializeJson(const boost::json::value& v);

/// Checks Content-Type (415), parses the body (400 for malformed JSON, nesting deeper than 32,
/// invalid UTF-8) and requires an object.
app::Outcome<boost::json::object> ParseJsonObject(const Request& req);

/// A JSON response.
Response JsonResponse(int status, const boost::json::value& body);
/// 204 No Content.
Response NoContent();

}  // namespace coffee::http::json
