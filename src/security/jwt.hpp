#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "app/ports/auth.hpp"

namespace coffee::security {

/// Access tokens as JWT HS256, refresh tokens as random opaque strings (libsodium).
/// The algorithm is pinned: a header whose alg is not exactly "HS256" is rejected before any
/// signature check, as is any token whose payload `typ` is not "access". Tokens are signed with
/// `secret` and verified with it or, when set, `previous_secret` (key rotation).
class JwtTokenService final : public app::TokenService {
 public:
  explicit JwtTokenService(std::string secret,
                           std::chrono::seconds leeway = std::chrono::seconds{5},
                           std::string previous_secret = {});

  std::string IssueAccess(const app::AccessClaims& claims) override;
  app::Outcome<app::AccessClaims> VerifyAccess(std::string_view token,
                                               domain::Instant now) override;
  std::string NewRefreshToken() override;
  std::string NewFamilyId() override;
  std::string HashRefreshToken(std::string_view token) override;

 private:
  std::string Sign(std::string_view signing_input) const;
  /// The raw HMAC-SHA256 of `signing_input` under `secret`.
  static std::string Mac(std::string_view secret, std::string_view signing_input);
  std::string secret_;
  std::string previous_secret_;
  std::chrono::seconds leeway_;
};

/// base64url without padding (RFC 4648 §5), via libsodium.
std::string Base64UrlEncode(std::string_view bytes);
/// Decodes base64url without padding; false on any invalid character or padding.
bool Base64UrlDecode(std::string_view text, std::string& out);

}  // namespace coffee::security
