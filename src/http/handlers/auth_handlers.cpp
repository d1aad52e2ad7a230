#include <boost/json.hpp>

#include "http/handlers/handlers.hpp"
#include "http/handlers/mapping.hpp"
#include "http/json.hpp"

namespace coffee::http {

namespace json = boost::json;

namespace {

/// Reads {email, password} or {refresh_token} bodies.
struct Credentials {
  std::string email;
  std::string password;
};

app::Outcome<Credentials> ReadCredentials(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto email = r.String("email", true);
  auto password = r.String("password", true);
  if (!r.ok()) return r.Error();
  return Credentials{*email, *password};
}

app::Outcome<std::string> ReadRefreshToken(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto token = r.String("refresh_token", true);
  if (!r.ok()) return r.Error();
  return *token;
}

}  // namespace

void AddAuthRoutes(Router& router, app::AuthService& auth) {
  router.Add(Method::kPost, "/api/auth/register", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto creds = ReadCredentials(req);
               if (!creds) return ErrorResponse(creds.error());
               return Respond(auth.Register(creds->email, creds->password), 201,
                              [](const auto& t) { return ToJson(t); });
             });
  router.Add(Method::kPost, "/api/auth/login", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto creds = ReadCredentials(req);
               if (!creds) return ErrorResponse(creds.error());
               auto login = auth.Login(creds->email, creds->password, req.client_ip);
               Response res = Respond(login.outcome, 200, [](const auto& t) { return ToJson(t); });
               if (login.retry_after.count() > 0) {
                 res.headers.emplace_back("Retry-After", std::to_string(login.retry_after.count()));
               }
               return res;
             });
  router.Add(Method::kPost, "/api/auth/refresh", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto token = ReadRefreshToken(req);
               if (!token) return ErrorResponse(token.error());
               return Respond(auth.Refresh(*token), 200, [](const auto& t) { return ToJson(t); });
             });
  router.Add(Method::kPost, "/api/auth/logout", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto token = ReadRefreshToken(req);
               if (!token) return ErrorResponse(token.error());
               auto result = auth.Logout(*token);
               if (!result) return ErrorResponse(result.error());
               return NoContent();
             });
  router.Add(Method::kGet, "/api/auth/me", Access::kUser, Exec::kWorker, [&auth](Request& req) {
    return Respond(auth.Me(req.auth->user_id), 200, [](const auto& u) { return ToJson(u); });
  });
  router.Add(Method::kGet, "/api/admin/users", Access::kAdmin, Exec::kWorker,
             [&auth](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return ErrorResponse(page.error());
               auto result = auth.ListUsers(page->page, page->limit);
               if (!result) return ErrorResponse(result.error());
               json::array users;
               for (const auto& u : result->users) users.push_back(ToJson(u));
               Response res = JsonResponse(200, users);
               res.headers.emplace_back("X-Total-Count", std::to_string(result->total));
               return res;
             });
  router.Add(Method::kPatch, "/api/admin/users/:id/role", Access::kAdmin, Exec::kWorker,
             [&auth](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto body = ParseJsonObject(req);
               if (!body) return ErrorResponse(body.error());
               FieldReader r(*body);
               auto role_text = r.String("role", true);
               std::optional<domain::Role> role;
               if (role_text) {
                 role = domain::ParseRole(*role_text);
                 if (!role) r.Fail("role", "must be one of user, staff, admin");
               }
               if (!r.ok()) return ErrorResponse(r.Error());
               return Respond(auth.ChangeRole(req.auth->user_id, domain::UserId{*id}, *role), 200,
                              [](const auto& u) { return ToJson(u); });
             });
}

}  // namespace coffee::http
