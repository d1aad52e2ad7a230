#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "app/ports/auth.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace coffee::http {

/// Verifies a bearer token (cheap; runs on the I/O thread).
using TokenVerifier = std::function<app::Outcome<app::AccessClaims>(std::string_view token)>;

namespace middleware {

/// Checks the bearer token and the role that `route` needs. Sets `req.auth` when a valid token
/// was sent; returns the 401/403 answer when the route may not be called (nullopt: go on).
std::optional<Response> Authenticate(const Route& route, Request& req,
                                     const TokenVerifier& verifier);

}  // namespace middleware
}  // namespace coffee::http
