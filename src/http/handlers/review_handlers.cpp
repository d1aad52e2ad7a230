#include <boost/json.hpp>

#include "app/review_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json.hpp"

namespace coffee::http {

namespace json = boost::json;

namespace {

app::Viewer ViewerOf(const Request& req) { return app::Viewer{req.auth->user_id, req.auth->role}; }

/// A string, or null / absent (nullopt); anything else is a field error.
std::optional<std::string> OptionalText(FieldReader& r, std::string_view key) {
  if (r.IsNull(key)) return std::nullopt;
  return r.String(key, false);
}

Response ReviewResponse(const app::Outcome<app::Review>& review, int status) {
  return Respond(review, status, [](const auto& r) { return app::ReviewJson(r); });
}

}  // namespace

void AddReviewRoutes(Router& router, app::ReviewService& reviews) {
  router.Add(Method::kPost, "/api/reviews", Access::kUser, Exec::kWorker, [&reviews](Request& req) {
    auto body = ParseJsonObject(req);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    auto coffee_id = r.Int("coffee_id", true);
    auto rating = r.Int("rating", true);
    auto comment = OptionalText(r, "comment");
    if (!r.ok()) return ErrorResponse(r.Error());
    return ReviewResponse(reviews.Create(ViewerOf(req), *coffee_id, *rating, comment), 201);
  });
  router.Add(Method::kPut, "/api/reviews/:id", Access::kUser, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto body = ParseJsonObject(req);
               if (!body) return ErrorResponse(body.error());
               FieldReader r(*body);
               app::ReviewPatch patch;
               patch.rating = r.Int("rating", false);
               patch.has_comment = r.Has("comment");
               patch.comment = OptionalText(r, "comment");
               if (!r.ok()) return ErrorResponse(r.Error());
               return ReviewResponse(reviews.Update(ViewerOf(req), *id, patch), 200);
             });
  router.Add(Method::kDelete, "/api/reviews/:id", Access::kUser, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto result = reviews.Delete(ViewerOf(req), *id);
               if (!result) return ErrorResponse(result.error());
               return NoContent();
             });
  router.Add(Method::kPatch, "/api/admin/reviews/:id", Access::kAdmin, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto body = ParseJsonObject(req);
               if (!body) return ErrorResponse(body.error());
               FieldReader r(*body);
               auto hidden = r.Bool("hidden", true);
               auto reason = OptionalText(r, "reason");
               if (!r.ok()) return ErrorResponse(r.Error());
               return ReviewResponse(reviews.Moderate(req.auth->user_id, *id, *hidden, reason),
                                     200);
             });
  router.Add(Method::kGet, "/api/coffees/:id/reviews", Access::kPublic, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto page = app::ParsePage(req.query);
               if (!page) return ErrorResponse(page.error());
               auto result =
                   reviews.ListForCoffee(domain::CoffeeId{*id}, page->offset(), page->limit);
               if (!result) return ErrorResponse(result.error());
               json::array items;
               for (const auto& review : result->reviews) items.push_back(app::ReviewJson(review));
               Response res = JsonResponse(200, items);
               res.headers.emplace_back("X-Total-Count", std::to_string(result->total));
               return res;
             });
}

}  // namespace coffee::http
