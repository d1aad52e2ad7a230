#include "security/jwt.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <stdexcept>

namespace coffee::security {

namespace json = boost::json;

namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::int64_t kMaxEpochSeconds = 253'402'300'799;  // 9999-12-31T23:59:59Z

app::AppError Invalid() {
  return app::AppError{app::ErrorCode::kInvalidToken, "Invalid token", {}, {}};
}

std::string Hex(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::int64_t EpochSeconds(domain::Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  const auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool Base64UrlDecode(std::string_view text, std::string& out) {
  // libsodium 1.0.18 reads each character as a signed char, so every byte 0x80–0xFF decodes as
  // some alphabet letter: without this check one token would have many spellings.
  const auto in_alphabet = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  };
  if (!std::all_of(text.begin(), text.end(), in_alphabet)) return false;
  out.assign(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  out.resize(len);
  return true;
}

JwtTokenService::JwtTokenService(std::string secret, std::chrono::seconds leeway,
                                 std::string previous_secret)
    : secret_(std::move(secret)), previous_secret_(std::move(previous_secret)), leeway_(leeway) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  if (secret_.empty()) throw std::invalid_argument("JWT secret must not be empty");
}

std::string JwtTokenService::Sign(std::string_view signing_input) const {
  return Base64UrlEncode(Mac(secret_, signing_input));
}

std::string JwtTokenService::Mac(std::string_view secret, std::string_view signing_input) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return {reinterpret_cast<const char*>(mac.data()), mac.size()};
}

std::string JwtTokenService::IssueAccess(const app::AccessClaims& claims) {
  json::object payload;
  payload["sub"] = std::to_string(claims.user_id.value);
  payload["email"] = claims.email;
  payload["role"] = std::string(domain::ToString(claims.role));
  payload["iat"] = EpochSeconds(claims.issued_at);
  payload["exp"] = EpochSeconds(claims.expires_at);
  payload["typ"] = "access";
  payload["ver"] = claims.version;
  std::string input = Base64UrlEncode(kHeader) + "." + Base64UrlEncode(json::serialize(payload));
  std::string signature = Sign(input);
  return input + "." + signature;
}

app::Outcome<app::AccessClaims> JwtTokenService::VerifyAccess(std::string_view token,
                                                              domain::Instant now) {
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Invalid();
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Invalid();
  }
  std::string header_raw;
  std::string payload_raw;
  std::string sig_raw;
  if (!Base64UrlDecode(token.substr(0, dot1), header_raw) ||
      !Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), payload_raw) ||
      !Base64UrlDecode(token.substr(dot2 + 1), sig_raw)) {
    return Invalid();
  }
  boost::system::error_code ec;
  json::value header = json::parse(header_raw, ec);
  if (ec || !header.is_object()) return Invalid();
  const auto* alg = header.as_object().if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") return Invalid();

  // Constant-time comparison of the expected and presented MACs: the current secret's, or
  // during a key rotation the previous one's (JWT_SECRET_PREVIOUS), so tokens issued before the
  // rotation stay valid until they expire.
  if (sig_raw.size() != crypto_auth_hmacsha256_BYTES) return Invalid();
  const std::string_view signing_input = token.substr(0, dot2);
  const auto matches = [&](std::string_view secret) {
    const std::string mac = Mac(secret, signing_input);
    return sodium_memcmp(mac.data(), sig_raw.data(), mac.size()) == 0;
  };
  if (!matches(secret_) && (previous_secret_.empty() || !matches(previous_secret_))) {
    return Invalid();
  }

  json::value payload = json::parse(payload_raw, ec);
  if (ec || !payload.is_object()) return Invalid();
  const auto& p = payload.as_object();
  const auto* typ = p.if_contains("typ");
  const auto* sub = p.if_contains("sub");
  const auto* email = p.if_contains("email");
  const auto* role = p.if_contains("role");
  const auto* iat = p.if_contains("iat");
  const auto* exp = p.if_contains("exp");
  if (typ == nullptr || !typ->is_string() || typ->as_string() != "access") return Invalid();
  if (sub == nullptr || email == nullptr || !email->is_string() || role == nullptr ||
      !role->is_string() || iat == nullptr || !iat->is_int64() || exp == nullptr ||
      !exp->is_int64()) {
    return Invalid();
  }
  std::int64_t user_id = 0;
  if (sub->is_string()) {
    try {
      std::size_t used = 0;
      const std::string s(sub->as_string());
      user_id = std::stoll(s, &used);
      if (used != s.size()) return Invalid();
    } catch (const std::exception&) {
      return Invalid();
    }
  } else if (sub->is_int64()) {
    user_id = sub->as_int64();
  } else {
    return Invalid();
  }
  auto parsed_role = domain::ParseRole(std::string_view(role->as_string()));
  if (!parsed_role) return Invalid();
  // Beyond these an Instant (microseconds) or `exp + leeway` would overflow; no issued token is.
  const auto plausible = [](std::int64_t t) { return t >= 0 && t <= kMaxEpochSeconds; };
  if (!plausible(iat->as_int64()) || !plausible(exp->as_int64())) return Invalid();
  const std::int64_t now_s = EpochSeconds(now);
  if (iat->as_int64() > now_s + leeway_.count()) return Invalid();
  if (exp->as_int64() + leeway_.count() < now_s) {
    return app::AppError{app::ErrorCode::kTokenExpired, "Token has expired", {}, {}};
  }
  app::AccessClaims claims;
  claims.user_id = domain::UserId{user_id};
  claims.email = std::string(email->as_string());
  claims.role = *parsed_role;
  claims.issued_at = domain::Instant{std::chrono::seconds{iat->as_int64()}};
  claims.expires_at = domain::Instant{std::chrono::seconds{exp->as_int64()}};
  // The user's token version; tokens issued before versions existed carry none (version 0).
  if (const auto* ver = p.if_contains("ver")) {
    if (!ver->is_int64() || ver->as_int64() < 0) return Invalid();
    claims.version = ver->as_int64();
  }
  return claims;
}

std::string JwtTokenService::NewRefreshToken() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

std::string JwtTokenService::NewFamilyId() {
  std::array<unsigned char, 16> raw{};
  randombytes_buf(raw.data(), raw.size());
  return Hex(raw.data(), raw.size());
}

std::string JwtTokenService::HashRefreshToken(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return Hex(digest.data(), digest.size());
}

}  // namespace coffee::security
