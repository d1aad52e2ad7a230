#include <boost/json.hpp>

#include "http/handlers/handlers.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http {

void AddHealthRoutes(Router& router, ReadinessProbe ready) {
  router.Add(Method::kGet, "/healthz", Access::kPublic, Exec::kInline, [](Request&) {
    return json::JsonResponse(200, boost::json::object{{"status", "ok"}});
  });
  // Also at /api-docs/openapi.json, where the earlier system served it (issue 19).
  for (const char* path : {"/api/openapi.json", "/api-docs/openapi.json"}) {
    router.Add(Method::kGet, path, Access::kPublic, Exec::kInline, [](Request&) {
      Response res;
      res.body = std::string(OpenApiDocument());
      return res;
    });
  }
  router.Add(Method::kGet, "/readyz", Access::kPublic, Exec::kWorker,
             [ready = std::move(ready)](Request&) {
               if (ready())
                 return json::JsonResponse(200, boost::json::object{{"status", "ready"}});
               return json::ErrorResponse(app::AppError{app::ErrorCode::kUnavailable,
                                                        "Not ready: database unreachable or rules "
                                                        "snapshot not loaded",
                                                        {},
                                                        {}});
             });
}

}  // namespace coffee::http
