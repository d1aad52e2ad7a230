#pragma once

#include <boost/json/object.hpp>

#include "app/auth_service.hpp"
#include "domain/coffee.hpp"
#include "domain/user.hpp"

namespace coffee::http {

/// Domain values → JSON bodies (SPEC field names).
boost::json::object ToJson(const domain::User& user);
boost::json::object ToJson(const domain::Coffee& coffee);
boost::json::object ToJson(const app::AuthTokens& tokens);

}  // namespace coffee::http
