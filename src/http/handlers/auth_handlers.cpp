#include <boost/json.hpp>

#include "http/handlers/handlers.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/mappers.hpp"
#include "http/json/readers.hpp"

namespace coffee::http {

namespace bj = boost::json;

void AddAuthRoutes(Router& router, app::AuthService& auth) {
  router.Add(Method::kPost, "/api/auth/register", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto creds = json::ReadCredentials(req);
               if (!creds) return json::ErrorResponse(creds.error());
               return json::Respond(auth.Register(creds->email, creds->password), 201,
                                    [](const auto& t) { return json::ToJson(t); });
             });
  router.Add(Method::kPost, "/api/auth/login", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto creds = json::ReadCredentials(req);
               if (!creds) return json::ErrorResponse(creds.error());
               auto login = auth.Login(creds->email, creds->password, req.client_ip);
               Response res =
                   json::Respond(login.outcome, 200, [](const auto& t) { return json::ToJson(t); });
               if (login.retry_after.count() > 0) {
                 res.headers.emplace_back("Retry-After", std::to_string(login.retry_after.count()));
               }
               return res;
             });
  router.Add(Method::kPost, "/api/auth/refresh", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto token = json::ReadRefreshToken(req);
               if (!token) return json::ErrorResponse(token.error());
               return json::Respond(auth.Refresh(*token), 200,
                                    [](const auto& t) { return json::ToJson(t); });
             });
  router.Add(Method::kPost, "/api/auth/logout", Access::kPublic, Exec::kWorker,
             [&auth](Request& req) {
               auto token = json::ReadRefreshToken(req);
               if (!token) return json::ErrorResponse(token.error());
               auto result = auth.Logout(*token);
               if (!result) return json::ErrorResponse(result.error());
               return json::NoContent();
             });
  router.Add(
      Method::kPost, "/api/auth/password", Access::kUser, Exec::kWorker, [&auth](Request& req) {
        auto change = json::ReadPasswordChange(req);
        if (!change) return json::ErrorResponse(change.error());
        return json::Respond(
            auth.ChangePassword(req.auth->user_id, change->current_password, change->new_password),
            200, [](const auto& t) { return json::ToJson(t); });
      });
  router.Add(Method::kGet, "/api/auth/me", Access::kUser, Exec::kWorker, [&auth](Request& req) {
    return json::Respond(auth.Me(req.auth->user_id), 200,
                         [](const auto& u) { return json::ToJson(u); });
  });
  router.Add(Method::kGet, "/api/admin/users", Access::kAdmin, Exec::kWorker,
             [&auth](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return json::ErrorResponse(page.error());
               auto result = auth.ListUsers(page->page, page->limit);
               if (!result) return json::ErrorResponse(result.error());
               bj::array users;
               for (const auto& u : result->users) users.push_back(json::ToJson(u));
               Response res = json::JsonResponse(200, users);
               res.headers.emplace_back("X-Total-Count", std::to_string(result->total));
               return res;
             });
  router.Add(Method::kPatch, "/api/admin/users/:id/role", Access::kAdmin, Exec::kWorker,
             [&auth](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto role = json::ReadRole(req);
               if (!role) return json::ErrorResponse(role.error());
               return json::Respond(auth.ChangeRole(req.auth->user_id, domain::UserId{*id}, *role),
                                    200, [](const auto& u) { return json::ToJson(u); });
             });
}

}  // namespace coffee::http
