// JWT HS256 access-token verification (every authenticated request). The first byte picks a
// mode; the rest is the input:
//   0: the input is a token. It never verifies unless its signature is the HMAC of its first
//      two segments under the server secret (checked here independently with libsodium).
//   1: the input is a payload, signed with the secret: the claims checks after the signature
//      see arbitrary JSON. Whatever verifies has typ "access" and claims taken from the payload.
//   2: the input is a header, signed with a valid payload: only alg "HS256" verifies.
//   3: the input picks claims; the token issued for them verifies to the same claims, and any
//      one-byte change or truncation of that token does not verify.

#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_support.hpp"
#include "security/jwt.hpp"

namespace {

using coffee::app::ErrorCode;
using coffee::domain::Instant;
using coffee::fuzz::Check;
using coffee::security::Base64UrlDecode;
using coffee::security::Base64UrlEncode;
using coffee::security::JwtTokenService;

constexpr std::string_view kSecret = "fuzz-test-secret-0123456789abcdef";
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::int64_t kNowSeconds = 1'772'323'200;  // 2026-03-01T00:00:00Z
const Instant kNow{std::chrono::seconds{kNowSeconds}};

JwtTokenService& Service() {
  static JwtTokenService service{std::string(kSecret)};
  return service;
}

/// HMAC-SHA256 of `input` under kSecret, base64url: the oracle, independent of the service.
std::string Mac(std::string_view input) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kSecret.data()),
                              kSecret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return Base64UrlEncode({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

std::string SignedToken(std::string_view header, std::string_view payload) {
  const std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + Mac(input);
}

template <typename T>
void CheckRefused(const coffee::app::Outcome<T>& result) {
  if (result) return;
  const auto code = result.error().code;
  Check(code == ErrorCode::kInvalidToken || code == ErrorCode::kTokenExpired,
        "a refused token is INVALID_TOKEN or TOKEN_EXPIRED");
}

void RawToken(std::string_view token) {
  const auto result = Service().VerifyAccess(token, kNow);
  CheckRefused(result);
  if (!result) return;
  const auto last_dot = token.rfind('.');
  Check(last_dot != std::string_view::npos &&
            token.substr(last_dot + 1) == Mac(token.substr(0, last_dot)),
        "only a token carrying the secret's HMAC verifies");
}

void SignedPayload(std::string_view payload) {
  const auto result = Service().VerifyAccess(SignedToken(kHeader, payload), kNow);
  CheckRefused(result);
  if (!result) return;
  boost::system::error_code ec;
  const auto json = boost::json::parse(payload, ec);
  Check(!ec && json.is_object(), "a verified payload is a JSON object");
  const auto& p = json.as_object();
  Check(p.contains("typ") && p.at("typ") == "access", "a verified payload has typ access");
  Check(p.at("email") == boost::json::value(result->email), "email comes from the payload");
  Check(p.at("role").is_string() &&
            p.at("role").get_string() == coffee::domain::ToString(result->role),
        "role comes from the payload");
  Check(result->issued_at <= kNow + std::chrono::seconds{5}, "not issued in the future");
  Check(result->expires_at + std::chrono::seconds{5} >= kNow, "not expired");
}

void SignedHeader(std::string_view header) {
  const std::string payload = R"({"sub":"7","email":"a@b.c","role":"user","iat":)" +
                              std::to_string(kNowSeconds) + R"(,"exp":)" +
                              std::to_string(kNowSeconds + 900) + R"(,"typ":"access"})";
  const auto result = Service().VerifyAccess(SignedToken(header, payload), kNow);
  CheckRefused(result);
  if (!result) return;
  boost::system::error_code ec;
  const auto json = boost::json::parse(header, ec);
  Check(!ec && json.is_object() && json.as_object().contains("alg") &&
            json.as_object().at("alg") == "HS256",
        "only alg HS256 verifies");
}

void IssueAndMutate(std::string_view in) {
  if (in.size() < 12) return;
  coffee::app::AccessClaims claims;
  std::int64_t id = 0;
  std::memcpy(&id, in.data(), sizeof id);
  claims.user_id = coffee::domain::UserId{id};
  claims.role = static_cast<coffee::domain::Role>(static_cast<unsigned char>(in[8]) % 3);
  const auto age = std::chrono::seconds{static_cast<unsigned char>(in[9]) * 60};
  const auto ttl = std::chrono::seconds{static_cast<unsigned char>(in[10]) * 60 + 1};
  claims.issued_at = kNow - age;
  claims.expires_at = claims.issued_at + ttl;
  for (char c : in.substr(12)) {
    claims.email += static_cast<char>(0x20 + static_cast<unsigned char>(c) % 0x5F);  // printable
  }

  const std::string token = Service().IssueAccess(claims);
  const auto result = Service().VerifyAccess(token, claims.issued_at);
  Check(result.ok(), "an issued token verifies");
  Check(result->user_id == claims.user_id && result->email == claims.email &&
            result->role == claims.role && result->issued_at == claims.issued_at &&
            result->expires_at == claims.expires_at,
        "an issued token carries its claims");
  const auto late = Service().VerifyAccess(token, claims.expires_at + std::chrono::seconds{6});
  Check(!late.ok() && late.error().code == ErrorCode::kTokenExpired, "expiry is enforced");

  const std::size_t at = static_cast<unsigned char>(in[11]) * token.size() / 256;
  std::string mutated = token;
  mutated[at] = static_cast<char>(mutated[at] ^ (1 + static_cast<unsigned char>(in[10]) % 255));
  Check(!Service().VerifyAccess(mutated, claims.issued_at).ok(), "a changed byte never verifies");
  Check(!Service().VerifyAccess(std::string_view(token).substr(0, at), claims.issued_at).ok(),
        "a truncated token never verifies");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = coffee::fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      RawToken(rest);
      break;
    case 1:
      SignedPayload(rest);
      break;
    case 2:
      SignedHeader(rest);
      break;
    default:
      IssueAndMutate(rest);
      break;
  }
  return 0;
}
