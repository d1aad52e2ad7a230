#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

class AuthHttp : public HttpTest {
 protected:
  HttpResult Register(const std::string& email, const std::string& password) {
    return client_->Post("/api/auth/register",
                         R"({"email":")" + email + R"(","password":")" + password + R"("})");
  }
  static std::string Field(const HttpResult& res, const char* name) {
    return std::string(res.Json().as_object().at(name).as_string());
  }
};

TEST_P(AuthHttp, RegisterReturnsTokensAndAUserAccount) {
  auto res = Register("New.Person@Example.com", "Flatwhite9");
  ASSERT_EQ(res.status, 201) << res.body;
  auto body = res.Json().as_object();
  EXPECT_FALSE(body["access_token"].as_string().empty());
  EXPECT_FALSE(body["refresh_token"].as_string().empty());
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 900);
  auto user = body["user"].as_object();
  EXPECT_EQ(user["email"], "new.person@example.com");
  EXPECT_EQ(user["role"], "user");
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_EQ(res.body.find("Flatwhite9"), std::string::npos);
}

TEST_P(AuthHttp, WeakPasswordAndBadEmailAreNamed) {
  auto res = Register("not-an-email", "short");
  auto body = ExpectError(res, 400, "VALIDATION_ERROR");
  auto fields = body["fields"].as_object();
  EXPECT_TRUE(fields.contains("email"));
  EXPECT_EQ(fields["password"],
            "must be at least 8 characters, must contain an uppercase letter, must contain a "
            "digit");
}

TEST_P(AuthHttp, DuplicateEmailDifferingOnlyInCaseIs409) {
  ASSERT_EQ(Register("dup@example.com", "Cortado123").status, 201);
  const auto before = server_->db().QueryValue("SELECT COUNT(*) FROM users");
  ExpectError(Register("DUP@Example.com", "Cortado123"), 409, "EMAIL_EXISTS");
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM users"), before);
}

TEST_P(AuthHttp, LoginWithDemoAccountAndWrongPassword) {
  auto ok =
      client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"password"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().as_object()["user"].as_object()["role"], "user");
  auto wrong =
      client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"nope"})");
  auto body = ExpectError(wrong, 401, "INVALID_CREDENTIALS");
  EXPECT_EQ(body["details"], "Invalid email or password");
  auto unknown =
      client_->Post("/api/auth/login", R"({"email":"ghost@example.com","password":"password"})");
  auto unknown_body = ExpectError(unknown, 401, "INVALID_CREDENTIALS");
  EXPECT_EQ(unknown_body["details"], body["details"]);
}

TEST_P(AuthHttp, LoginNeedsBothFields) {
  auto body = ExpectError(client_->Post("/api/auth/login", R"({"email":"a@b.co"})"), 400,
                          "VALIDATION_ERROR");
  EXPECT_EQ(body["fields"].as_object()["password"], "is required");
}

TEST_P(AuthHttp, MeNeedsAValidToken) {
  auto missing = ExpectError(client_->Get("/api/auth/me"), 401, "MISSING_TOKEN");
  EXPECT_EQ(missing["details"], "Missing authentication token");
  auto bad = ExpectError(client_->Get("/api/auth/me", "garbage"), 401, "INVALID_TOKEN");
  EXPECT_EQ(bad["details"], "Invalid token");
  auto res = client_->Get("/api/auth/me", server_->UserToken());
  ASSERT_EQ(res.status, 200);
  auto me = res.Json().as_object();
  EXPECT_EQ(me["email"], "test@example.com");
  EXPECT_EQ(me["role"], "user");
  EXPECT_TRUE(me.contains("id"));
  EXPECT_TRUE(me.contains("created_at"));
}

TEST_P(AuthHttp, RefreshRotatesAndReuseRevokesTheFamily) {
  auto reg = Register("rotate@example.com", "Macchiato1");
  ASSERT_EQ(reg.status, 201);
  const std::string first = Field(reg, "refresh_token");
  auto r1 = client_->Post("/api/auth/refresh", R"({"refresh_token":")" + first + R"("})");
  ASSERT_EQ(r1.status, 200) << r1.body;
  const std::string second = Field(r1, "refresh_token");
  EXPECT_NE(first, second);
  // The first token was used already: presenting it again is theft; the family dies.
  ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":")" + first + R"("})"), 401,
              "INVALID_TOKEN");
  ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":")" + second + R"("})"), 401,
              "INVALID_TOKEN");
}

TEST_P(AuthHttp, LogoutRevokesTheRefreshToken) {
  auto login =
      client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"password"})");
  const std::string token = Field(login, "refresh_token");
  auto out = client_->Post("/api/auth/logout", R"({"refresh_token":")" + token + R"("})");
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.body.empty());
  ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":")" + token + R"("})"), 401,
              "INVALID_TOKEN");
  ExpectError(client_->Post("/api/auth/logout", R"({"refresh_token":"unknown"})"), 401,
              "INVALID_TOKEN");
}

TEST_P(AuthHttp, AdminListsUsersWithTotal) {
  auto res = client_->Get("/api/admin/users?limit=2", server_->AdminToken());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json().as_array().size(), 2U);
  EXPECT_EQ(res.Header("x-total-count"), "3");
  auto forbidden =
      ExpectError(client_->Get("/api/admin/users", server_->UserToken()), 403, "FORBIDDEN");
  EXPECT_EQ(forbidden["details"], "Insufficient permissions: required role 'admin'");
  ExpectError(client_->Get("/api/admin/users", server_->StaffToken()), 403, "FORBIDDEN");
  ExpectError(client_->Get("/api/admin/users"), 401, "MISSING_TOKEN");
}

TEST_P(AuthHttp, RoleChangeShowsUpInNewTokens) {
  const std::string admin = server_->AdminToken();
  const std::string user_id =
      server_->db().QueryValue("SELECT id FROM users WHERE email = 'test@example.com'");
  const std::string old_token = server_->UserToken();
  ExpectError(client_->Get("/api/admin/users", old_token), 403, "FORBIDDEN");
  auto res = client_->Patch("/api/admin/users/" + user_id + "/role", R"({"role":"admin"})", admin);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json().as_object()["role"], "admin");
  const std::string new_token = server_->UserToken();
  EXPECT_EQ(client_->Get("/api/admin/users", new_token).status, 200);
  // The change is recorded in the configuration change log.
  EXPECT_EQ(
      server_->db().QueryValue("SELECT COUNT(*) FROM config_change_log WHERE entity = 'user_role'"),
      "1");
}

TEST_P(AuthHttp, RoleChangeValidatesAndProtectsTheAdminsOwnRole) {
  const std::string admin = server_->AdminToken();
  const std::string admin_id =
      server_->db().QueryValue("SELECT id FROM users WHERE email = 'admin@example.com'");
  ExpectError(client_->Patch("/api/admin/users/" + admin_id + "/role", R"({"role":"user"})", admin),
              403, "FORBIDDEN");
  ExpectError(client_->Patch("/api/admin/users/999999/role", R"({"role":"staff"})", admin), 404,
              "NOT_FOUND");
  auto bad =
      ExpectError(client_->Patch("/api/admin/users/1/role", R"({"role":"superuser"})", admin), 400,
                  "VALIDATION_ERROR");
  EXPECT_TRUE(bad["fields"].as_object().contains("role"));
  ExpectError(client_->Patch("/api/admin/users/abc/role", R"({"role":"staff"})", admin), 400,
              "VALIDATION_ERROR");
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
