#include "security/jwt.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>

namespace coffee::security {
namespace {

using namespace std::chrono_literals;

const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
const domain::Instant kNow{std::chrono::seconds{1'780'000'000}};

app::AccessClaims Claims(domain::Instant issued = kNow) {
  return app::AccessClaims{domain::UserId{7}, "ann@example.com", domain::Role::kStaff, issued,
                           issued + 15min};
}

std::string Part(const std::string& s) { return Base64UrlEncode(s); }

/// Builds a token with arbitrary header/payload, HMAC-signed with `secret` like a forger would.
std::string Forge(const std::string& header, const std::string& payload,
                  const std::string& secret = kSecret) {
  const std::string input = Part(header) + "." + Part(payload);
  std::array<unsigned char, 32> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string Payload(std::int64_t iat, std::int64_t exp, const std::string& typ = "access") {
  return R"({"sub":"7","email":"ann@example.com","role":"staff","iat":)" + std::to_string(iat) +
         R"(,"exp":)" + std::to_string(exp) + R"(,"typ":")" + typ + R"("})";
}

std::int64_t Secs(domain::Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TEST(Jwt, IssuedTokenVerifiesWithItsClaims) {
  JwtTokenService svc(kSecret);
  auto claims = svc.VerifyAccess(svc.IssueAccess(Claims()), kNow + 1min);
  ASSERT_TRUE(claims) << claims.error().details;
  EXPECT_EQ(claims->user_id.value, 7);
  EXPECT_EQ(claims->email, "ann@example.com");
  EXPECT_EQ(claims->role, domain::Role::kStaff);
  EXPECT_EQ(claims->expires_at, kNow + 15min);
}

TEST(Jwt, HeaderIsHs256AndPayloadHasTheSpecClaims) {
  JwtTokenService svc(kSecret);
  const std::string token = svc.IssueAccess(Claims());
  std::string header;
  std::string payload;
  ASSERT_TRUE(Base64UrlDecode(token.substr(0, token.find('.')), header));
  const auto second = token.find('.') + 1;
  ASSERT_TRUE(Base64UrlDecode(token.substr(second, token.rfind('.') - second), payload));
  auto h = boost::json::parse(header).as_object();
  EXPECT_EQ(h["alg"], "HS256");
  auto p = boost::json::parse(payload).as_object();
  for (const char* k : {"sub", "email", "role", "iat", "exp", "typ"}) {
    EXPECT_TRUE(p.contains(k)) << k;
  }
  EXPECT_EQ(p["typ"], "access");
  EXPECT_EQ(p["exp"].as_int64() - p["iat"].as_int64(), 900);
}

TEST(Jwt, TamperedPayloadIsRejected) {
  JwtTokenService svc(kSecret);
  std::string token = svc.IssueAccess(Claims());
  const auto first = token.find('.') + 1;
  const auto second = token.rfind('.');
  const std::string admin_payload = Part(
      R"({"sub":"7","email":"ann@example.com","role":"admin","iat":)" + std::to_string(Secs(kNow)) +
      R"(,"exp":)" + std::to_string(Secs(kNow + 15min)) + R"(,"typ":"access"})");
  token.replace(first, second - first, admin_payload);
  auto r = svc.VerifyAccess(token, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, app::ErrorCode::kInvalidToken);
}

TEST(Jwt, TamperedSignatureAndGarbageAreRejected) {
  JwtTokenService svc(kSecret);
  std::string token = svc.IssueAccess(Claims());
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(svc.VerifyAccess(token, kNow));
  for (const char* bad : {"", "abc", "a.b", "a.b.c", "a.b.c.d", "....", "eyJ.eyJ.!!"}) {
    EXPECT_FALSE(svc.VerifyAccess(bad, kNow)) << bad;
  }
}

TEST(Jwt, SignatureBytesOutsideBase64UrlAreRejected) {
  // libsodium's decoder maps bytes 0x80-0xFF onto base64 letters; the verifier must not, or a
  // token would have many valid spellings.
  JwtTokenService svc(kSecret);
  const std::string token = svc.IssueAccess(Claims());
  ASSERT_TRUE(svc.VerifyAccess(token, kNow));
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_') continue;
    std::string bad = token;
    bad.back() = c;
    EXPECT_FALSE(svc.VerifyAccess(bad, kNow)) << byte;
  }
}

TEST(Jwt, OtherSecretIsRejected) {
  JwtTokenService mine(kSecret);
  JwtTokenService theirs("another-secret-that-is-long-enough-000");
  EXPECT_FALSE(mine.VerifyAccess(theirs.IssueAccess(Claims()), kNow));
}

TEST(Jwt, PreviousSecretStillVerifiesDuringARotationButNeverSigns) {
  const std::string previous = "the-previous-secret-0123456789-abcdef";
  JwtTokenService before_rotation(previous);
  JwtTokenService rotated(kSecret, 5s, previous);
  const std::string old_token = before_rotation.IssueAccess(Claims());
  auto claims = rotated.VerifyAccess(old_token, kNow);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->user_id, domain::UserId{7});
  // New tokens are signed with the current secret only.
  const std::string new_token = rotated.IssueAccess(Claims());
  EXPECT_TRUE(JwtTokenService(kSecret).VerifyAccess(new_token, kNow));
  EXPECT_FALSE(before_rotation.VerifyAccess(new_token, kNow));
  // Once the previous secret is dropped, its tokens stop verifying.
  EXPECT_FALSE(JwtTokenService(kSecret).VerifyAccess(old_token, kNow));
  // A third secret verifies with neither.
  JwtTokenService stranger("a-third-secret-nobody-configured-000000");
  EXPECT_FALSE(rotated.VerifyAccess(stranger.IssueAccess(Claims()), kNow));
}

TEST(Jwt, ExpiredTokenSaysSo) {
  JwtTokenService svc(kSecret);
  const std::string token = svc.IssueAccess(Claims());
  auto r = svc.VerifyAccess(token, kNow + 16min);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, app::ErrorCode::kTokenExpired);
  EXPECT_EQ(r.error().details, "Token has expired");
}

TEST(Jwt, AFewSecondsOfLeewayOnly) {
  JwtTokenService svc(kSecret);
  const std::string token = svc.IssueAccess(Claims());
  EXPECT_TRUE(svc.VerifyAccess(token, kNow + 15min + 3s));
  EXPECT_FALSE(svc.VerifyAccess(token, kNow + 15min + 30s));
  // Issued in the future (clock skew beyond leeway) is rejected.
  EXPECT_FALSE(svc.VerifyAccess(svc.IssueAccess(Claims(kNow + 1min)), kNow));
}

TEST(Jwt, AlgNoneIsRejected) {
  JwtTokenService svc(kSecret);
  const std::string unsigned_token = Part(R"({"alg":"none","typ":"JWT"})") + "." +
                                     Part(Payload(Secs(kNow), Secs(kNow + 15min))) + ".";
  EXPECT_FALSE(svc.VerifyAccess(unsigned_token, kNow));
  EXPECT_FALSE(svc.VerifyAccess(
      Forge(R"({"alg":"none","typ":"JWT"})", Payload(Secs(kNow), Secs(kNow + 15min))), kNow));
}

TEST(Jwt, Hs512AndOtherAlgorithmsAreRejectedEvenWithTheRightKey) {
  JwtTokenService svc(kSecret);
  for (const char* alg : {"HS512", "HS384", "RS256", "hs256"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})";
    EXPECT_FALSE(svc.VerifyAccess(Forge(header, Payload(Secs(kNow), Secs(kNow + 15min))), kNow))
        << alg;
  }
  // The same forge with HS256 passes, so the rejections above are about the algorithm.
  EXPECT_TRUE(svc.VerifyAccess(
      Forge(R"({"alg":"HS256","typ":"JWT"})", Payload(Secs(kNow), Secs(kNow + 15min))), kNow));
}

TEST(Jwt, RefreshTokenIsNeverAnAccessToken) {
  JwtTokenService svc(kSecret);
  EXPECT_FALSE(svc.VerifyAccess(svc.NewRefreshToken(), kNow));
  EXPECT_FALSE(svc.VerifyAccess(
      Forge(R"({"alg":"HS256","typ":"JWT"})", Payload(Secs(kNow), Secs(kNow + 15min), "refresh")),
      kNow));
}

TEST(Jwt, RefreshTokensAreRandomAndStoredHashed) {
  JwtTokenService svc(kSecret);
  const auto a = svc.NewRefreshToken();
  const auto b = svc.NewRefreshToken();
  EXPECT_NE(a, b);
  EXPECT_GE(a.size(), 40U);
  EXPECT_EQ(svc.HashRefreshToken(a).size(), 64U);
  EXPECT_EQ(svc.HashRefreshToken(a), svc.HashRefreshToken(a));
  EXPECT_NE(svc.HashRefreshToken(a), svc.HashRefreshToken(b));
}

}  // namespace
}  // namespace coffee::security
