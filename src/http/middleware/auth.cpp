#include "http/middleware/auth.hpp"

#include <cctype>
#include <string>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http::middleware {

namespace {

app::AppError AuthError(app::ErrorCode code, std::string details) {
  return app::AppError{code, std::move(details), {}, {}};
}

std::optional<domain::Role> RequiredRole(Access a) {
  switch (a) {
    case Access::kUser:
      return domain::Role::kUser;
    case Access::kStaff:
      return domain::Role::kStaff;
    case Access::kAdmin:
      return domain::Role::kAdmin;
    default:
      return std::nullopt;
  }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or empty.
std::string_view BearerToken(std::string_view header) {
  if (header.size() <= 7) return {};
  std::string scheme(header.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  std::string_view token = header.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

}  // namespace

std::optional<Response> Authenticate(const Route& route, Request& req,
                                     const TokenVerifier& verifier) {
  if (route.access == Access::kPublic) return std::nullopt;
  const auto header = req.headers.Get("authorization");
  if (!header || header->empty()) {
    if (route.access == Access::kOptionalAuth) return std::nullopt;
    return json::ErrorResponse(
        AuthError(app::ErrorCode::kMissingToken, "Missing authentication token"));
  }
  const std::string_view token = BearerToken(*header);
  auto claims = token.empty() ? app::Outcome<app::AccessClaims>(
                                    AuthError(app::ErrorCode::kInvalidToken, "Invalid token"))
                              : verifier(token);
  if (!claims) return json::ErrorResponse(claims.error());
  req.auth = std::move(claims.value());
  if (auto need = RequiredRole(route.access); need && !domain::RoleAtLeast(req.auth->role, *need)) {
    return json::ErrorResponse(AuthError(
        app::ErrorCode::kForbidden,
        "Insufficient permissions: required role '" + std::string(domain::ToString(*need)) + "'"));
  }
  return std::nullopt;
}

}  // namespace coffee::http::middleware
