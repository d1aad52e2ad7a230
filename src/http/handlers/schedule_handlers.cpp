#include "http/handlers/schedule_handlers.hpp"

#include <boost/json.hpp>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/readers.hpp"
#include "http/json/schedule_json.hpp"

namespace coffee::http {

namespace bj = boost::json;

void AddScheduledChangeRoutes(Router& router, app::ScheduledChangeService& scheduled) {
  constexpr std::string_view kCollection = "/api/business-rules/scheduled-changes";
  constexpr std::string_view kItem = "/api/business-rules/scheduled-changes/:id";
  router.Add(Method::kPost, std::string(kCollection), Access::kAdmin, Exec::kWorker,
             [&scheduled](Request& req) {
               auto request = json::ReadScheduledChange(req);
               if (!request) return json::ErrorResponse(request.error());
               return json::Respond(scheduled.Schedule(req.auth->user_id, *request), 201,
                                    json::ScheduledChangeJson);
             });
  router.Add(Method::kGet, std::string(kCollection), Access::kAdmin, Exec::kWorker,
             [&scheduled](Request& req) {
               auto page = app::ParsePage(req.query);
               if (!page) return json::ErrorResponse(page.error());
               std::optional<std::string> status;
               if (auto it = req.query.find("status");
                   it != req.query.end() && !it->second.empty()) {
                 status = it->second;
               }
               auto result = scheduled.List(status, page->offset(), page->limit);
               if (!result) return json::ErrorResponse(result.error());
               bj::array out;
               for (const auto& change : result->changes) {
                 out.push_back(json::ScheduledChangeJson(change));
               }
               Response res = json::JsonResponse(200, out);
               res.headers.emplace_back("X-Total-Count", std::to_string(result->total));
               return res;
             });
  router.Add(Method::kGet, std::string(kItem), Access::kAdmin, Exec::kWorker,
             [&scheduled](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               return json::Respond(scheduled.Get(*id), 200, json::ScheduledChangeJson);
             });
  router.Add(Method::kDelete, std::string(kItem), Access::kAdmin, Exec::kWorker,
             [&scheduled](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               return json::Respond(scheduled.Cancel(req.auth->user_id, *id), 200,
                                    json::ScheduledChangeJson);
             });
}

}  // namespace coffee::http
