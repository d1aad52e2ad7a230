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

TEST_P(AuthHttp, ADemotionTakesEffectOnTheNextRequest) {
  const std::string admin = server_->AdminToken();
  const std::string staff_id =
      server_->db().QueryValue("SELECT id FROM users WHERE email = 'barista@example.com'");
  const std::string staff = server_->StaffToken();
  const std::string staff_refresh = [&] {
    auto login = client_->Post("/api/auth/login",
                               R"({"email":"barista@example.com","password":"Barista123!"})");
    return std::string(login.Json().as_object().at("refresh_token").as_string());
  }();
  const std::string no_order = "/api/orders/00000000-0000-4000-8000-000000000000/status";
  // Staff may change order statuses (this order does not exist: 404, not 403).
  ExpectError(client_->Patch(no_order, R"({"status":"confirmed"})", staff), 404, "NOT_FOUND");
  auto res = client_->Patch("/api/admin/users/" + staff_id + "/role", R"({"role":"user"})", admin);
  ASSERT_EQ(res.status, 200) << res.body;
  // The token issued before the demotion no longer works, on any route, at once.
  auto revoked = ExpectError(client_->Get("/api/auth/me", staff), 401, "INVALID_TOKEN");
  EXPECT_EQ(revoked["error"],
            "Token was revoked: the account's role or password changed; sign in again");
  // A refresh gives a token with the new role, which works.
  auto refreshed =
      client_->Post("/api/auth/refresh", R"({"refresh_token":")" + staff_refresh + R"("})");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string token(refreshed.Json().as_object().at("access_token").as_string());
  EXPECT_EQ(client_->Get("/api/auth/me", token).Json().as_object()["role"], "user");
  ExpectError(client_->Patch(no_order, R"({"status":"confirmed"})", token), 403, "FORBIDDEN");
  EXPECT_EQ(server_->db().QueryValue("SELECT token_version FROM users WHERE id = " + staff_id),
            "1");
}

TEST_P(AuthHttp, PasswordChangeRevokesEveryTokenAndSignsInAgain) {
  auto login =
      client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"password"})");
  ASSERT_EQ(login.status, 200);
  const std::string old_access = Field(login, "access_token");
  const std::string old_refresh = Field(login, "refresh_token");
  const std::string other_refresh = [&] {
    auto again =
        client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"password"})");
    return Field(again, "refresh_token");
  }();

  auto wrong = ExpectError(
      client_->Post("/api/auth/password",
                    R"({"current_password":"nope","new_password":"Espresso42"})", old_access),
      400, "VALIDATION_ERROR");
  EXPECT_EQ(wrong["error"], "current_password: is not the account's password");
  auto weak = ExpectError(
      client_->Post("/api/auth/password",
                    R"({"current_password":"password","new_password":"short"})", old_access),
      400, "VALIDATION_ERROR");
  EXPECT_TRUE(weak["fields"].as_object().contains("new_password"));
  ExpectError(client_->Post("/api/auth/password",
                            R"({"current_password":"password","new_password":null})", old_access),
              400, "VALIDATION_ERROR");
  ExpectError(client_->Post("/api/auth/password",
                            R"({"current_password":"password","new_password":"Espresso42"})"),
              401, "MISSING_TOKEN");
  // Nothing changed so far.
  EXPECT_EQ(client_->Get("/api/auth/me", old_access).status, 200);

  auto changed =
      client_->Post("/api/auth/password",
                    R"({"current_password":"password","new_password":"Espresso42"})", old_access);
  ASSERT_EQ(changed.status, 200) << changed.body;
  const std::string new_access = Field(changed, "access_token");
  EXPECT_EQ(changed.Json().as_object()["user"].as_object()["email"], "test@example.com");
  // Every earlier access and refresh token stops working; the new pair works.
  ExpectError(client_->Get("/api/auth/me", old_access), 401, "INVALID_TOKEN");
  for (const auto& refresh : {old_refresh, other_refresh}) {
    ExpectError(client_->Post("/api/auth/refresh", R"({"refresh_token":")" + refresh + R"("})"),
                401, "INVALID_TOKEN");
  }
  EXPECT_EQ(client_->Get("/api/auth/me", new_access).status, 200);
  EXPECT_EQ(client_
                ->Post("/api/auth/refresh",
                       R"({"refresh_token":")" + Field(changed, "refresh_token") + R"("})")
                .status,
            200);
  ExpectError(
      client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"password"})"),
      401, "INVALID_CREDENTIALS");
  EXPECT_EQ(
      client_->Post("/api/auth/login", R"({"email":"test@example.com","password":"Espresso42"})")
          .status,
      200);
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
