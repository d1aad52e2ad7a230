#include <boost/json.hpp>

#include "http/handlers/handlers.hpp"
#include "http/handlers/mapping.hpp"
#include "http/json.hpp"

namespace coffee::http {

namespace json = boost::json;

namespace {

/// Reads the coffee fields; for create all are required, for update any subset.
app::Outcome<domain::CoffeePatch> ReadCoffee(const Request& req, bool required) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  domain::CoffeePatch p;
  p.name = r.String("name", required);
  p.coffee_type = r.String("coffee_type", required);
  p.price = r.Money("price", required);
  p.rating = r.Number("rating", required);
  p.image_url = r.String("image_url", required);
  if (!r.ok()) {
    // Report the fields that parsed but are out of range too, so one answer names them all.
    if (auto checked = app::ValidateCoffeePatch(p); !checked) {
      for (const auto& [field, message] : checked.error().fields) r.Fail(field, message);
    }
    return r.Error();
  }
  return p;
}

}  // namespace

void AddCoffeeRoutes(Router& router, app::CoffeeService& coffees) {
  router.Add(Method::kGet, "/api/coffees", Access::kPublic, Exec::kWorker,
             [&coffees](Request& req) {
               auto query = app::ParseCoffeeQuery(req.query);
               if (!query) return ErrorResponse(query.error());
               auto page = coffees.List(*query);
               if (!page) return ErrorResponse(page.error());
               json::array items;
               for (const auto& c : page->coffees) items.push_back(ToJson(c));
               Response res = JsonResponse(200, items);
               res.headers.emplace_back("X-Total-Count", std::to_string(page->total));
               return res;
             });
  router.Add(Method::kGet, "/api/coffees/:id", Access::kPublic, Exec::kWorker,
             [&coffees](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               return Respond(coffees.Get(domain::CoffeeId{*id}), 200,
                              [](const auto& c) { return ToJson(c); });
             });
  router.Add(Method::kPost, "/api/coffees", Access::kAdmin, Exec::kWorker,
             [&coffees](Request& req) {
               auto p = ReadCoffee(req, true);
               if (!p) return ErrorResponse(p.error());
               domain::NewCoffee c{*p->name, *p->coffee_type, *p->price, *p->rating, *p->image_url};
               return Respond(coffees.Create(c), 201, [](const auto& v) { return ToJson(v); });
             });
  router.Add(Method::kPut, "/api/coffees/:id", Access::kAdmin, Exec::kWorker,
             [&coffees](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto p = ReadCoffee(req, false);
               if (!p) return ErrorResponse(p.error());
               return Respond(coffees.Update(domain::CoffeeId{*id}, *p), 200,
                              [](const auto& v) { return ToJson(v); });
             });
  router.Add(Method::kDelete, "/api/coffees/:id", Access::kAdmin, Exec::kWorker,
             [&coffees](Request& req) {
               auto id = PathId(req, "id");
               if (!id) return ErrorResponse(id.error());
               auto result = coffees.Delete(domain::CoffeeId{*id});
               if (!result) return ErrorResponse(result.error());
               return NoContent();
             });
}

}  // namespace coffee::http
