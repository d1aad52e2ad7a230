// OWASP API Security Top 10 (2023) checks that no other test file makes; docs/SECURITY.md maps
// every item to the tests that prove it, here and elsewhere.

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "http/handlers/static_handlers.hpp"
#include "http_test_support.hpp"
#include "security/jwt.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

constexpr const char* kUserEmail = "test@example.com";
constexpr const char* kUserPassword = "password";

std::string LoginBody(const std::string& email, const std::string& password) {
  return json::serialize(json::object{{"email", email}, {"password", password}});
}

std::string Str(const json::value& v) { return std::string(v.as_string()); }

/// `path` with every `:param` segment replaced by `value`.
std::string FillParams(const std::string& pattern, const std::string& value) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ':' && i > 0 && pattern[i - 1] == '/') {
      out += value;
      while (i < pattern.size() && pattern[i] != '/') ++i;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

/// HMAC over `input` with libsodium's multi-part API (any key length), base64url.
std::string Hmac(const std::string& alg, const std::string& key, const std::string& input) {
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (alg == "HS512") {
    std::array<unsigned char, crypto_auth_hmacsha512_BYTES> mac{};
    crypto_auth_hmacsha512_state st;
    crypto_auth_hmacsha512_init(&st, k, key.size());
    crypto_auth_hmacsha512_update(&st, in, input.size());
    crypto_auth_hmacsha512_final(&st, mac.data());
    return security::Base64UrlEncode({reinterpret_cast<const char*>(mac.data()), mac.size()});
  }
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, k, key.size());
  crypto_auth_hmacsha256_update(&st, in, input.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return security::Base64UrlEncode({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

/// A JWT with this header and payload, signed with `alg` ("HS256", "HS512" or "none": no
/// signature) and `key`.
std::string Jwt(const json::object& header, const json::object& payload, const std::string& alg,
                const std::string& key) {
  const std::string input = security::Base64UrlEncode(json::serialize(header)) + "." +
                            security::Base64UrlEncode(json::serialize(payload));
  return input + "." + (alg == "none" ? std::string() : Hmac(alg, key, input));
}

std::int64_t EpochNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Text that must never reach a client: driver/SQL text, C++ internals, source paths.
void ExpectNoInternals(const HttpResult& res, const std::string& what) {
  std::string lower = res.body;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* needle : {"sqlite",       "postgres",   "libpq",    "select ",       "insert ",
                             "update ",      "constraint", "unique",   "duplicate key", "violates",
                             "syntax error", "std::",      "boost::",  "exception",     "what()",
                             "terminate",    ".cpp",       ".hpp",     "/src/",         "/work/",
                             "/usr/",        "stack",      "backtrace"}) {
    EXPECT_EQ(lower.find(needle), std::string::npos)
        << what << " leaks '" << needle << "': " << res.body;
  }
}

class SecurityHttp : public HttpTest {
 protected:
  struct Session {
    std::string access;
    std::string refresh;
    std::int64_t user_id = 0;
  };

  Session Register(const std::string& email) {
    auto res = client_->Post("/api/auth/register", LoginBody(email, "Cortado123"));
    EXPECT_EQ(res.status, 201) << res.body;
    return ToSession(res);
  }
  Session LoginSession(const std::string& email, const std::string& password) {
    auto res = client_->Post("/api/auth/login", LoginBody(email, password));
    EXPECT_EQ(res.status, 200) << res.body;
    return ToSession(res);
  }
  static Session ToSession(const HttpResult& res) {
    auto body = res.Json().as_object();
    return Session{Str(body["access_token"]), Str(body["refresh_token"]),
                   body["user"].as_object()["id"].as_int64()};
  }
  std::string UserId(const std::string& email) {
    return server_->db().QueryValue("SELECT id FROM users WHERE email = '" + email + "'");
  }
  HttpResult Call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& token, HeaderList headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return client_->Send(method, target, body, headers);
  }
  std::string PlaceOrder(const std::string& token, const std::string& body) {
    auto res = client_->Post("/api/orders", body, token);
    EXPECT_EQ(res.status, 201) << res.body;
    return Str(res.Json().as_object()["id"]);
  }
};

// API1: object-level authorization.

TEST_P(SecurityHttp, Api1CustomersCannotReachOtherCustomersOrdersLoyaltyOrIdempotentReplays) {
  const std::string alice = server_->UserToken();
  const std::string alice_id = UserId(kUserEmail);
  const Session bob = Register("bob@example.com");
  const std::string items = R"({"items":[{"coffee_item_id":1,"quantity":1}]})";
  auto first = Call("POST", "/api/orders", items, alice, {{"Idempotency-Key", "order-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string order = Str(first.Json().as_object()["id"]);

  // Filtering by another user is ignored for customers: they still see only their own orders.
  auto listed = client_->Get("/api/orders?user_id=" + alice_id, bob.access);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(listed.Json().as_array().empty()) << listed.body;
  EXPECT_EQ(listed.Header("x-total-count"), "0");
  // Another customer's loyalty account is admin-only, and so is moving a payment.
  ExpectError(client_->Get("/api/loyalty/" + alice_id, bob.access), 403, "FORBIDDEN");
  ExpectError(client_->Patch("/api/orders/" + order + "/payment", R"({"payment_status":"paid"})",
                             bob.access),
              403, "FORBIDDEN");
  // The same Idempotency-Key and body from another customer is that customer's own new order,
  // never a replay of Alice's response.
  auto replay = Call("POST", "/api/orders", items, bob.access, {{"Idempotency-Key", "order-1"}});
  ASSERT_EQ(replay.status, 201) << replay.body;
  EXPECT_TRUE(replay.Header("idempotent-replayed").empty());
  auto bobs = replay.Json().as_object();
  EXPECT_NE(Str(bobs["id"]), order);
  EXPECT_EQ(bobs["user_id"].as_int64(), bob.user_id);
  // Nothing of Alice's changed.
  auto mine = client_->Get("/api/orders/" + order, alice);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Json().as_object()["status"], "pending");
  EXPECT_EQ(mine.Json().as_object()["payment_status"], "unpaid");
  EXPECT_EQ(client_->Get("/api/orders", alice).Header("x-total-count"), "1");
}

// API2: broken authentication.

TEST_P(SecurityHttp, Api2ForgedExpiredAndWrongAlgorithmTokensAre401) {
  const std::string secret = server_->config().jwt_secret;
  const std::int64_t now = EpochNow();
  const std::string admin_id = UserId("admin@example.com");
  const json::object hs256{{"alg", "HS256"}, {"typ", "JWT"}};
  auto claims = [&](std::int64_t iat, std::int64_t exp) {
    return json::object{{"sub", admin_id}, {"email", "admin@example.com"},
                        {"role", "admin"}, {"iat", iat},
                        {"exp", exp},      {"typ", "access"}};
  };
  // The crafting is right: a well-formed token with the server's secret is accepted.
  const std::string genuine = Jwt(hs256, claims(now, now + 600), "HS256", secret);
  ASSERT_EQ(client_->Get("/api/admin/users", genuine).status, 200);

  // A customer's real token with its role claim rewritten to admin, signature kept.
  const std::string user_token = server_->UserToken();
  const auto dot1 = user_token.find('.');
  const auto dot2 = user_token.find('.', dot1 + 1);
  std::string payload;
  ASSERT_TRUE(security::Base64UrlDecode(user_token.substr(dot1 + 1, dot2 - dot1 - 1), payload));
  auto escalated = json::parse(payload).as_object();
  escalated["role"] = "admin";
  const std::string tampered = user_token.substr(0, dot1) + "." +
                               security::Base64UrlEncode(json::serialize(escalated)) +
                               user_token.substr(dot2);
  auto refresh_typ = claims(now, now + 600);
  refresh_typ["typ"] = "refresh";
  auto no_typ = claims(now, now + 600);
  no_typ.erase("typ");

  const std::vector<std::pair<std::string, std::string>> invalid = {
      {"role claim tampered", tampered},
      {"alg none", Jwt({{"alg", "none"}, {"typ", "JWT"}}, claims(now, now + 600), "none", "")},
      {"alg NONE with a signature",
       Jwt({{"alg", "NONE"}, {"typ", "JWT"}}, claims(now, now + 600), "HS256", secret)},
      {"HS512 with the right secret",
       Jwt({{"alg", "HS512"}, {"typ", "JWT"}}, claims(now, now + 600), "HS512", secret)},
      {"header without alg", Jwt({{"typ", "JWT"}}, claims(now, now + 600), "HS256", secret)},
      {"another secret",
       Jwt(hs256, claims(now, now + 600), "HS256", "another-secret-0123456789-0123456789")},
      {"typ refresh", Jwt(hs256, refresh_typ, "HS256", secret)},
      {"no typ", Jwt(hs256, no_typ, "HS256", secret)},
      {"issued in the future", Jwt(hs256, claims(now + 3600, now + 4200), "HS256", secret)},
      {"signature stripped", genuine.substr(0, genuine.rfind('.') + 1)},
      {"garbage", "not.a.token"},
  };
  for (const auto& [what, token] : invalid) {
    SCOPED_TRACE(what);
    for (const char* route : {"/api/admin/users", "/api/auth/me"}) {
      auto res = client_->Get(route, token);
      auto body = ExpectError(res, 401, "INVALID_TOKEN");
      EXPECT_EQ(body["details"], "Invalid token") << what << " on " << route;
    }
  }
  const std::string expired = Jwt(hs256, claims(now - 3600, now - 60), "HS256", secret);
  auto body = ExpectError(client_->Get("/api/admin/users", expired), 401, "TOKEN_EXPIRED");
  EXPECT_EQ(body["details"], "Token has expired");
}

TEST_P(SecurityHttp, Api2AccessAndRefreshTokensAreNotInterchangeable) {
  const Session s = LoginSession(kUserEmail, kUserPassword);
  ExpectError(client_->Get("/api/auth/me", s.refresh), 401, "INVALID_TOKEN");
  ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":")" + s.access + R"("})"), 401,
              "INVALID_TOKEN");
  ExpectError(client_->Post("/api/auth/logout", R"({"refresh_token":")" + s.access + R"("})"), 401,
              "INVALID_TOKEN");
  // Neither attempt spent the real refresh token.
  EXPECT_EQ(
      client_->Post("/api/auth/refresh", R"({"refresh_token":")" + s.refresh + R"("})").status,
      200);
}

TEST_P(SecurityHttp, Api2LogoutEndsThatLoginsRotatedTokensButNotOtherSessions) {
  const Session phone = LoginSession(kUserEmail, kUserPassword);
  const Session laptop = LoginSession(kUserEmail, kUserPassword);
  auto rotated =
      client_->Post("/api/auth/refresh", R"({"refresh_token":")" + phone.refresh + R"("})");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string phone_now = Str(rotated.Json().as_object()["refresh_token"]);
  // Logging out with the phone's first token (already rotated) ends the phone's whole family.
  ASSERT_EQ(
      client_->Post("/api/auth/logout", R"({"refresh_token":")" + phone.refresh + R"("})").status,
      204);
  ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":")" + phone_now + R"("})"),
              401, "INVALID_TOKEN");
  EXPECT_EQ(
      client_->Post("/api/auth/refresh", R"({"refresh_token":")" + laptop.refresh + R"("})").status,
      200);
}

TEST_P(SecurityHttp, Api2JwtSecretRotationEndsAccessTokensButNotRefreshTokens) {
  // docs/SECURITY.md, "Rotating JWT_SECRET": a second instance on the same database with a new
  // secret, as during a rolling restart.
  const Session before = LoginSession(kUserEmail, kUserPassword);
  TestServer rotated(ExistingDatabase{server_->db().url()}, [](config::Config& c) {
    c.jwt_secret = "rotated-secret-0123456789-0123456789-abcdef";
  });
  auto other = rotated.Client();
  ExpectError(other->Get("/api/auth/me", before.access), 401, "INVALID_TOKEN");
  // Refresh tokens are opaque and stored hashed, not signed: they survive the rotation.
  auto renewed =
      other->Post("/api/auth/refresh", R"({"refresh_token":")" + before.refresh + R"("})");
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  const std::string fresh = Str(renewed.Json().as_object()["access_token"]);
  EXPECT_EQ(other->Get("/api/auth/me", fresh).status, 200);
  // Until every instance has the new secret, the others refuse what it issues.
  ExpectError(client_->Get("/api/auth/me", fresh), 401, "INVALID_TOKEN");
}

// API3: property-level authorization (mass assignment).

TEST_P(SecurityHttp, Api3RegisterIgnoresRoleIdAndOtherServerOwnedFields) {
  auto res = client_->Post(
      "/api/auth/register",
      R"({"email":"mallory@example.com","password":"Cortado123","role":"admin","id":1,)"
      R"("created_at":"2000-01-01T00:00:00Z","password_hash":"$argon2id$forged"})");
  ASSERT_EQ(res.status, 201) << res.body;
  auto user = res.Json().as_object()["user"].as_object();
  EXPECT_EQ(user["role"], "user");
  EXPECT_NE(user["id"].as_int64(), 1);
  EXPECT_FALSE(Str(user["created_at"]).starts_with("2000")) << res.body;
  EXPECT_EQ(server_->db().QueryValue("SELECT role FROM users WHERE email = 'mallory@example.com'"),
            "user");
  ExpectError(client_->Get("/api/admin/users", Str(res.Json().as_object()["access_token"])), 403,
              "FORBIDDEN");
  // The password is the one sent, not the forged hash.
  EXPECT_EQ(client_->Post("/api/auth/login", LoginBody("mallory@example.com", "Cortado123")).status,
            200);
}

TEST_P(SecurityHttp, Api3OrdersAndQuotesIgnoreClientSuppliedPricesStatusOwnerAndPoints) {
  const std::string user = server_->UserToken();
  const std::string admin_id = UserId("admin@example.com");
  const std::string clean = R"({"items":[{"coffee_item_id":1,"quantity":2}]})";
  const std::string forged =
      R"({"items":[{"coffee_item_id":1,"quantity":2,"price":"0.01","price_snapshot":"0.01",)"
      R"("subtotal":"0.01","discount":"7.00","final":"0.00","coffee_name":"Free"}],)"
      R"("price":"0.01","total":"0.01","total_price":"0.01","base_price":"0.01",)"
      R"("discount_total":"6.99","status":"completed","payment_status":"paid","user_id":)" +
      admin_id +
      R"(,"loyalty_points_awarded":1000,"id":"00000000-0000-4000-8000-000000000000",)"
      R"("created_at":"2000-01-01T00:00:00Z","estimated_prep_minutes":0,)"
      R"("applied_rules":[{"rule_id":1,"description":"forged","discount":"6.99"}]})";
  auto expected = client_->Post("/api/orders/quote", clean, user);
  ASSERT_EQ(expected.status, 200) << expected.body;
  const std::string fair_total = Str(expected.Json().as_object()["total_price"]);

  auto quote = client_->Post("/api/orders/quote", forged, user);
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json().as_object()["base_price"], "7.00");
  EXPECT_EQ(Str(quote.Json().as_object()["total_price"]), fair_total);

  auto placed = client_->Post("/api/orders", forged, user);
  ASSERT_EQ(placed.status, 201) << placed.body;
  auto o = placed.Json().as_object();
  const std::string id = Str(o["id"]);
  EXPECT_NE(id, "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(o["user_id"].as_int64(), std::stoll(UserId(kUserEmail)));
  EXPECT_EQ(o["status"], "pending");
  EXPECT_EQ(o["payment_status"], "unpaid");
  EXPECT_EQ(o["base_price"], "7.00");
  EXPECT_EQ(Str(o["total_price"]), fair_total);
  EXPECT_EQ(o["loyalty_points_awarded"], 0);
  EXPECT_FALSE(Str(o["created_at"]).starts_with("2000"));
  auto line = o["items"].as_array()[0].as_object();
  EXPECT_EQ(line["price_snapshot"], "3.50");
  EXPECT_EQ(line["subtotal"], "7.00");
  EXPECT_EQ(line["coffee_name"], "Espresso");
  for (const auto& rule : o["applied_rules"].as_array()) {
    EXPECT_NE(rule.as_object().at("description"), "forged");
  }
  // What is stored, not only what was answered.
  const std::string where = " FROM orders WHERE id = '" + id + "'";
  EXPECT_EQ(server_->db().QueryValue("SELECT user_id" + where), UserId(kUserEmail));
  EXPECT_EQ(server_->db().QueryValue("SELECT status" + where), "pending");
  EXPECT_EQ(server_->db().QueryValue("SELECT payment_status" + where), "unpaid");
  EXPECT_EQ(server_->db().QueryValue("SELECT base_price_cents" + where), "700");
  EXPECT_EQ(server_->db().QueryValue("SELECT loyalty_points_awarded" + where), "0");
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM orders WHERE user_id = " + admin_id),
            "0");
}

TEST_P(SecurityHttp, Api3StatusChangesAndCancelsTouchOnlyTheStatus) {
  const std::string user = server_->UserToken();
  const std::string staff = server_->StaffToken();
  const std::string admin_id = UserId("admin@example.com");
  const std::string a = PlaceOrder(user, R"({"items":[{"coffee_item_id":2,"quantity":1}]})");
  // The price as placed: the seeded happy hour makes it depend on the time of day.
  const auto total_of = [&](const std::string& id) {
    auto got = client_->Get("/api/orders/" + id, user);
    EXPECT_EQ(got.status, 200) << got.body;
    return std::string(got.Json().as_object()["total_price"].as_string());
  };
  const std::string a_total = total_of(a);
  const std::string extra = R"(,"total_price":"0.01","payment_status":"paid",)"
                            R"("loyalty_points_awarded":500,"user_id":)" +
                            admin_id + R"(,"id":"00000000-0000-4000-8000-000000000000"})";
  auto moved =
      client_->Patch("/api/orders/" + a + "/status", R"({"status":"confirmed")" + extra, staff);
  ASSERT_EQ(moved.status, 200) << moved.body;
  auto m = moved.Json().as_object();
  EXPECT_EQ(m["id"], a.c_str());
  EXPECT_EQ(m["status"], "confirmed");
  EXPECT_EQ(m["total_price"], a_total.c_str());
  EXPECT_NE(a_total, "0.01");
  EXPECT_EQ(m["payment_status"], "unpaid");
  EXPECT_EQ(m["loyalty_points_awarded"], 0);
  EXPECT_EQ(std::to_string(m["user_id"].as_int64()), UserId(kUserEmail));

  const std::string b = PlaceOrder(user, R"({"items":[{"coffee_item_id":2,"quantity":1}]})");
  const std::string b_total = total_of(b);
  auto cancelled =
      client_->Post("/api/orders/" + b + "/cancel", R"({"status":"completed")" + extra, user);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.Json().as_object()["status"], "cancelled");
  EXPECT_EQ(cancelled.Json().as_object()["total_price"], b_total.c_str());
  EXPECT_EQ(server_->db().QueryValue("SELECT payment_status FROM orders WHERE id = '" + b + "'"),
            "unpaid");

  // Server-owned fields of other resources: a coffee's id and review count, a user's email.
  const std::string admin = server_->AdminToken();
  auto coffee =
      client_->Put("/api/coffees/1", R"({"price":3.60,"id":999,"review_count":1000})", admin);
  ASSERT_EQ(coffee.status, 200) << coffee.body;
  EXPECT_EQ(coffee.Json().as_object()["id"], 1);
  EXPECT_EQ(coffee.Json().as_object()["review_count"], 0);
  ExpectError(client_->Get("/api/coffees/999"), 404, "NOT_FOUND");
  const std::string staff_id = UserId("barista@example.com");
  auto role = client_->Patch("/api/admin/users/" + staff_id + "/role",
                             R"({"role":"staff","email":"hijack@example.com","id":1})", admin);
  ASSERT_EQ(role.status, 200) << role.body;
  EXPECT_EQ(role.Json().as_object()["email"], "barista@example.com");
  EXPECT_EQ(
      server_->db().QueryValue("SELECT COUNT(*) FROM users WHERE email = 'hijack@example.com'"),
      "0");
}

// API4: unrestricted resource consumption.

TEST_P(SecurityHttp, Api4EveryPaginatedListRefusesALimitOver100) {
  const std::string user = server_->UserToken();
  const std::string admin = server_->AdminToken();
  const std::vector<std::pair<std::string, std::string>> lists = {
      {"/api/coffees", ""},
      {"/api/orders", user},
      {"/api/admin/users", admin},
      {"/api/business-rules/audit", admin},
      {"/api/business-rules/changes", admin},
  };
  for (const auto& [path, token] : lists) {
    EXPECT_EQ(client_->Get(path + "?limit=100", token).status, 200) << path;
    for (const char* bad : {"?limit=101", "?limit=1000000", "?limit=0", "?page=0"}) {
      auto body = ExpectError(client_->Get(path + bad, token), 400, "VALIDATION_ERROR");
      EXPECT_TRUE(body["fields"].as_object().contains(bad[1] == 'l' ? "limit" : "page"))
          << path << bad << ": " << json::serialize(body);
    }
  }
}

TEST_P(SecurityHttp, Api4OversizeHeadersAndDeeplyNestedJsonAreRefused) {
  const std::string reply = client_->Raw(
      "GET /api/coffees HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(17 * 1024, 'a') + "\r\n\r\n");
  EXPECT_NE(reply.find(" 431 "), std::string::npos) << reply.substr(0, 200);
  EXPECT_NE(reply.find("HEADERS_TOO_LARGE"), std::string::npos);
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const std::string body = R"({"email":"a@b.co","password":)" + deep + "}";
  ExpectError(client_->Post("/api/auth/login", body), 400, "VALIDATION_ERROR");
  EXPECT_EQ(server_->Client()->Get("/healthz").status, 200);
}

/// The login throttle, with the loopback peer trusted as a proxy so that `X-Forwarded-For`
/// names the client (per-IP rate limits stay off, as in every TestServer).
class LoginThrottleHttp : public SecurityHttp {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(
        GetParam(), true, [](config::Config& c) { c.trusted_proxies = {"127.0.0.1"}; });
    client_ = server_->Client();
  }
  HttpResult LoginFrom(const std::string& ip, const std::string& email,
                       const std::string& password) {
    return client_->Send("POST", "/api/auth/login", LoginBody(email, password),
                         {{"X-Forwarded-For", ip}});
  }
  /// Asserts a throttle refusal and returns its Retry-After.
  int ExpectThrottled(const HttpResult& res) {
    auto body = ExpectError(res, 429, "RATE_LIMITED");
    const std::string retry = res.Header("retry-after");
    EXPECT_FALSE(retry.empty());
    if (retry.empty()) return 0;
    EXPECT_EQ(Str(body["details"]),
              "Too many failed login attempts; retry in " + retry + " seconds");
    return std::stoi(retry);
  }
};

TEST_P(LoginThrottleHttp, Api4SixthLoginAfterFiveFailuresFromOneAddressIs429EvenWithThePassword) {
  const std::string attacker = "203.0.113.7";
  for (int i = 0; i < 5; ++i) {
    ExpectError(LoginFrom(attacker, kUserEmail, "guess" + std::to_string(i)), 401,
                "INVALID_CREDENTIALS");
  }
  // The password is not even checked any more: the right one is refused too.
  const int retry = ExpectThrottled(LoginFrom(attacker, kUserEmail, kUserPassword));
  EXPECT_GT(retry, 800);
  EXPECT_LE(retry, 900);
  // The owner, from their own address, is not locked out.
  EXPECT_EQ(LoginFrom("198.51.100.20", kUserEmail, kUserPassword).status, 200);
  // The attacker's address is only throttled for that account.
  ExpectError(LoginFrom(attacker, "admin@example.com", "guess"), 401, "INVALID_CREDENTIALS");
  EXPECT_EQ(LoginFrom(attacker, "admin@example.com", "Admin123!").status, 200);
}

TEST_P(LoginThrottleHttp, Api4UnknownEmailsAreThrottledExactlyLikeAccounts) {
  std::vector<std::string> known;
  std::vector<std::string> unknown;
  for (int i = 0; i < 5; ++i) {
    auto k = LoginFrom("203.0.113.1", kUserEmail, "wrong");
    auto u = LoginFrom("203.0.113.2", "ghost@example.com", "wrong");
    ExpectError(k, 401, "INVALID_CREDENTIALS");
    ExpectError(u, 401, "INVALID_CREDENTIALS");
    // The same answer, but for when it was given.
    auto known_body = k.Json().as_object();
    auto unknown_body = u.Json().as_object();
    known_body.erase("timestamp");
    unknown_body.erase("timestamp");
    EXPECT_EQ(known_body, unknown_body);
  }
  const int known_retry = ExpectThrottled(LoginFrom("203.0.113.1", kUserEmail, "wrong"));
  const int unknown_retry = ExpectThrottled(LoginFrom("203.0.113.2", "ghost@example.com", "wrong"));
  EXPECT_LE(std::abs(known_retry - unknown_retry), 1);
}

TEST_P(LoginThrottleHttp, Api4ASuccessfulLoginResetsTheAddressCount) {
  const std::string ip = "198.51.100.20";
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LoginFrom(ip, kUserEmail, "typo").status, 401) << i;
  ASSERT_EQ(LoginFrom(ip, kUserEmail, kUserPassword).status, 200);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(LoginFrom(ip, kUserEmail, "typo").status, 401) << i;
  ExpectThrottled(LoginFrom(ip, kUserEmail, kUserPassword));
}

TEST_P(LoginThrottleHttp, Api4ADistributedAttackStopsNewAddressesButNotTheOwnersKnownOne) {
  const std::string owner = "198.51.100.20";
  ASSERT_EQ(LoginFrom(owner, kUserEmail, kUserPassword).status, 200);
  // 50 failures from ten addresses, each under its own limit of five.
  for (int bot = 0; bot < 10; ++bot) {
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(LoginFrom("192.0.2." + std::to_string(bot), kUserEmail, "guess").status, 401)
          << bot << " " << i;
    }
  }
  ExpectThrottled(LoginFrom("192.0.2.200", kUserEmail, kUserPassword));
  EXPECT_EQ(LoginFrom(owner, kUserEmail, kUserPassword).status, 200);
}

TEST_P(LoginThrottleHttp, Api4AnUnknownEmailCostsAPasswordHashLikeAWrongPassword) {
  // Without the dummy Argon2 verification an unknown email would answer in about a millisecond
  // instead of tens; the fastest of a few tries filters out scheduling noise.
  using Clock = std::chrono::steady_clock;
  auto fastest = [&](const std::string& email) {
    auto best = Clock::duration::max();
    for (int i = 0; i < 4; ++i) {
      const auto start = Clock::now();
      auto res = LoginFrom("203.0.113." + std::to_string(i), email, "wrong-password");
      best = std::min(best, Clock::now() - start);
      EXPECT_EQ(res.status, 401);
    }
    return std::chrono::duration<double>(best).count();
  };
  const double known = fastest(kUserEmail);
  const double unknown = fastest("ghost@example.com");
  EXPECT_GT(unknown, 0.3 * known) << "unknown " << unknown << " s, known " << known << " s";
}

// API5: function-level authorization.

TEST_P(SecurityHttp, Api5EveryStaffAndAdminRouteRefusesCustomersAndAnonymousCallers) {
  const std::string user = server_->UserToken();
  const std::string staff = server_->StaffToken();
  const auto changes = server_->db().QueryValue("SELECT COUNT(*) FROM config_change_log");
  int privileged = 0;
  for (const auto& route : server_->app().router().routes()) {
    const std::string method(http::ToString(route.method));
    const std::string path = FillParams(route.pattern, "1");
    const std::string what = method + " " + route.pattern;
    const std::string body = method == "GET" || method == "DELETE" ? "" : "{}";
    if (route.access == http::Access::kPublic) continue;
    SCOPED_TRACE(what);
    if (route.access != http::Access::kOptionalAuth) {
      auto missing = ExpectError(Call(method, path, body, ""), 401, "MISSING_TOKEN");
      EXPECT_EQ(missing["details"], "Missing authentication token") << what;
    }
    ExpectError(Call(method, path, body, "forged.token.value"), 401, "INVALID_TOKEN");
    if (route.access != http::Access::kStaff && route.access != http::Access::kAdmin) continue;
    ++privileged;
    const std::string need = route.access == http::Access::kAdmin ? "admin" : "staff";
    auto refused = ExpectError(Call(method, path, body, user), 403, "FORBIDDEN");
    EXPECT_EQ(Str(refused["details"]), "Insufficient permissions: required role '" + need + "'")
        << what;
    if (need == "admin") ExpectError(Call(method, path, body, staff), 403, "FORBIDDEN");
  }
  EXPECT_GE(privileged, 15);  // the table really was walked
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM config_change_log"), changes);
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM coffees"), "12");
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM users WHERE role = 'admin'"), "1");
}

TEST_P(SecurityHttp, Api5OnlyTheseRoutesAreOpenWithoutAToken) {
  // A new route is private unless it is added here on purpose.
  std::set<std::string> open = {
      "GET /healthz",
      "GET /readyz",
      "GET /metrics",
      "GET /api/openapi.json",
      "GET /api-docs/openapi.json",
      "POST /api/auth/register",
      "POST /api/auth/login",
      "POST /api/auth/refresh",
      "POST /api/auth/logout",
      "GET /api/coffees",
      "GET /api/coffees/:id",
      "GET /api/coffees/:id/reviews",
      "GET /api/business-rules/availability",
      "GET /api/business-rules/availability/:coffee_id",
      "GET /api/business-rules/pricing",
      "GET /api/business-rules/pricing/:id",
      "GET /api/business-rules/pricing-settings",
      "GET /api/business-rules/prep-time",
      "GET /api/business-rules/prep-time/:coffee_id",
      "GET /api/business-rules/loyalty-config",
      "GET /api/business-rules/metrics",
      "GET /console",
      "GET /console/:file",
  };
  if (!http::SwaggerUiFiles().empty()) {
    open.insert("GET /swagger-ui");
    open.insert("GET /swagger-ui/:file");
  }
  std::set<std::string> actual;
  for (const auto& route : server_->app().router().routes()) {
    if (route.access == http::Access::kPublic || route.access == http::Access::kOptionalAuth) {
      actual.insert(std::string(http::ToString(route.method)) + " " + route.pattern);
    }
  }
  EXPECT_EQ(actual, open);
}

// API8: security misconfiguration.

TEST_P(SecurityHttp, Api8ErrorsNameTheProblemButRevealNoInternals) {
  const std::string admin = server_->AdminToken();
  const std::string user = server_->UserToken();
  struct Case {
    std::string what;
    HttpResult res;
    int status;
    std::string code;
  };
  std::vector<Case> cases;
  auto add = [&](std::string what, HttpResult res, int status, std::string code) {
    cases.push_back({std::move(what), std::move(res), status, std::move(code)});
  };
  add("duplicate coffee name (unique index)",
      client_->Post("/api/coffees",
                    R"({"name":"ESPRESSO","coffee_type":"Single Shot","price":3.5,"rating":4,)"
                    R"("image_url":"https://example.com/e.jpg"})",
                    admin),
      409, "CONFLICT");
  add("duplicate email (unique index)",
      client_->Post("/api/auth/register", LoginBody("TEST@example.com", "Cortado123")), 409,
      "EMAIL_EXISTS");
  PlaceOrder(user, R"({"items":[{"coffee_item_id":3,"quantity":1}]})");
  add("ordered coffee deleted (foreign key)", client_->Delete("/api/coffees/3", admin), 409,
      "CONFLICT");
  add("availability of an unknown coffee",
      client_->Post("/api/business-rules/availability",
                    R"({"coffee_id":999999,"status":"out_of_stock"})", admin),
      400, "VALIDATION_ERROR");
  add("invalid JSON", client_->Post("/api/orders", R"({"items":[)", user), 400, "VALIDATION_ERROR");
  add("wrong JSON type",
      client_->Post("/api/orders", R"({"items":[{"coffee_item_id":"x"}]})", user), 400,
      "VALIDATION_ERROR");
  add("id beyond 64 bits", client_->Get("/api/coffees/99999999999999999999999"), 400,
      "VALIDATION_ERROR");
  add("quote in SQL", client_->Get("/api/orders/'%20OR%201=1--", user), 404, "NOT_FOUND");
  add("unknown route", client_->Get("/api/../../etc/passwd"), 404, "ROUTE_NOT_FOUND");
  add("method not allowed", client_->Send("DELETE", "/api/orders"), 405, "METHOD_NOT_ALLOWED");
  add("wrong content type",
      client_->Send("POST", "/api/auth/login", "a=b", {{"Content-Type", "text/xml"}}), 415,
      "UNSUPPORTED_MEDIA_TYPE");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto body = ExpectError(c.res, c.status, c.code);
    EXPECT_FALSE(Str(body["details"]).empty()) << c.what;
    ExpectNoInternals(c.res, c.what);
  }
  EXPECT_EQ(Str(cases[0].res.Json().as_object()["details"]),
            "Coffee with name 'ESPRESSO' already exists");
}

TEST_P(SecurityHttp, Api8EveryResponseCarriesNosniffAndNoServerVersion) {
  const std::string user = server_->UserToken();
  const std::vector<HttpResult> responses = {
      client_->Get("/healthz"),
      client_->Get("/api/coffees"),
      client_->Get("/metrics"),
      client_->Post("/api/orders", R"({"items":[{"coffee_item_id":1,"quantity":1}]})", user),
      client_->Post("/api/auth/logout", R"({"refresh_token":"nope"})"),
      client_->Get("/api/admin/users", user),
      client_->Get("/api/nothing-here"),
      client_->Send("PUT", "/healthz"),
      client_->Send("OPTIONS", "/api/coffees"),
      client_->Send("POST", "/api/auth/login", "x", {{"Content-Type", "text/plain"}}),
      client_->Send("POST", "/api/auth/login", std::string(1024 * 1024 + 1, ' ')),
  };
  std::set<int> statuses;
  for (const auto& res : responses) {
    statuses.insert(res.status);
    EXPECT_EQ(res.Header("x-content-type-options"), "nosniff") << res.status << " " << res.body;
    const std::string server = res.Header("server");
    EXPECT_TRUE(std::none_of(server.begin(), server.end(), [](char c) { return std::isdigit(c); }))
        << server;
    EXPECT_EQ(server.find("Beast"), std::string::npos) << server;
  }
  EXPECT_EQ(statuses, (std::set<int>{200, 201, 204, 401, 403, 404, 405, 413, 415}));
}

TEST_P(SecurityHttp, Api8NoCorsHeadersUnlessConfigured) {
  auto res = client_->Send("GET", "/api/coffees", "", {{"Origin", "https://shop.example"}});
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.Header("access-control-allow-origin").empty());
}

class CorsSecurityHttp : public SecurityHttp {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(
        GetParam(), true, [](config::Config& c) { c.cors_origins = {"https://shop.example"}; });
    client_ = server_->Client();
  }
};

TEST_P(CorsSecurityHttp, Api8OnlyAListedOriginIsAllowed) {
  auto listed = client_->Send("GET", "/api/coffees", "", {{"Origin", "https://shop.example"}});
  EXPECT_EQ(listed.Header("access-control-allow-origin"), "https://shop.example");
  EXPECT_NE(listed.Header("vary").find("Origin"), std::string::npos);
  for (const char* origin : {"https://evil.example", "https://shop.example.evil.example",
                             "http://shop.example", "null"}) {
    auto other = client_->Send("GET", "/api/coffees", "", {{"Origin", origin}});
    EXPECT_EQ(other.status, 200);
    EXPECT_TRUE(other.Header("access-control-allow-origin").empty()) << origin;
    EXPECT_TRUE(other.Header("access-control-allow-credentials").empty()) << origin;
    auto preflight = client_->Send("OPTIONS", "/api/orders", "",
                                   {{"Origin", origin}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_TRUE(preflight.Header("access-control-allow-origin").empty()) << origin;
  }
  auto preflight = client_->Send(
      "OPTIONS", "/api/orders", "",
      {{"Origin", "https://shop.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "https://shop.example");
  EXPECT_NE(preflight.Header("access-control-allow-methods").find("POST"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityHttp, ::testing::ValuesIn(AllBackends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, LoginThrottleHttp, ::testing::ValuesIn(AllBackends()),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, CorsSecurityHttp, ::testing::ValuesIn(AllBackends()),
                         BackendName);

}  // namespace
}  // namespace coffee::testing
