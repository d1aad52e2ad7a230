#include <boost/json.hpp>

#include "app/review_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/readers.hpp"

namespace coffee::http {

namespace bj = boost::json;

namespace {

app::Viewer ViewerOf(const Request& req) { return app::Viewer{req.auth->user_id, req.auth->role}; }

Response ReviewResponse(const app::Outcome<app::Review>& review, int status) {
  return json::Respond(review, status, [](const auto& r) { return app::ReviewJson(r); });
}

}  // namespace

void AddReviewRoutes(Router& router, app::ReviewService& reviews) {
  router.Add(Method::kPost, "/api/reviews", Access::kUser, Exec::kWorker, [&reviews](Request& req) {
    auto review = json::ReadNewReview(req);
    if (!review) return json::ErrorResponse(review.error());
    return ReviewResponse(
        reviews.Create(ViewerOf(req), review->coffee_id, review->rating, review->comment), 201);
  });
  router.Add(Method::kPut, "/api/reviews/:id", Access::kUser, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto patch = json::ReadReviewPatch(req);
               if (!patch) return json::ErrorResponse(patch.error());
               return ReviewResponse(reviews.Update(ViewerOf(req), *id, *patch), 200);
             });
  router.Add(Method::kDelete, "/api/reviews/:id", Access::kUser, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto result = reviews.Delete(ViewerOf(req), *id);
               if (!result) return json::ErrorResponse(result.error());
               return json::NoContent();
             });
  router.Add(Method::kPatch, "/api/admin/reviews/:id", Access::kAdmin, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto moderation = json::ReadModeration(req);
               if (!moderation) return json::ErrorResponse(moderation.error());
               return ReviewResponse(
                   reviews.Moderate(req.auth->user_id, *id, moderation->hidden, moderation->reason),
                   200);
             });
  router.Add(Method::kGet, "/api/coffees/:id/reviews", Access::kPublic, Exec::kWorker,
             [&reviews](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto page = app::ParsePage(req.query);
               if (!page) return json::ErrorResponse(page.error());
               auto result =
                   reviews.ListForCoffee(domain::CoffeeId{*id}, page->offset(), page->limit);
               if (!result) return json::ErrorResponse(result.error());
               bj::array items;
               for (const auto& review : result->reviews) items.push_back(app::ReviewJson(review));
               Response res = json::JsonResponse(200, items);
               res.headers.emplace_back("X-Total-Count", std::to_string(result->total));
               return res;
             });
}

}  // namespace coffee::http
