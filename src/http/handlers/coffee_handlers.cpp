#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "http/handlers/handlers.hpp"
#include "http/handlers/per_thread.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/mappers.hpp"
#include "http/json/readers.hpp"

namespace coffee::http {

namespace bj = boost::json;

namespace {

/// Catalog list responses by request target, valid for one catalog version and at most `ttl`
/// (so that rows changed in SQL or by another instance show up within CACHE_TTL). Each I/O
/// thread answers from its own copy of the entries it has served; the shared map behind a mutex
/// is read only when that copy is missing or stale.
class CatalogCache {
 public:
  explicit CatalogCache(std::chrono::seconds ttl) : ttl_(ttl) {}

  std::optional<Response> Find(const std::string& target, std::uint64_t version) {
    const auto now = std::chrono::steady_clock::now();
    auto& mine = local_.Mine().entries;
    if (auto it = mine.find(target); it != mine.end() && Fresh(it->second, version, now)) {
      return it->second.response;
    }
    const std::lock_guard lock(mu_);
    auto it = entries_.find(target);
    if (it == entries_.end() || !Fresh(it->second, version, now)) return std::nullopt;
    if (mine.size() >= kMaxEntries) mine.clear();
    mine.insert_or_assign(target, it->second);
    return it->second.response;
  }

  void Store(const std::string& target, std::uint64_t version, const Response& response) {
    const std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();  // bounded: many distinct queries
    entries_[target] = Entry{version, std::chrono::steady_clock::now() + ttl_, response};
  }

 private:
  static constexpr std::size_t kMaxEntries = 512;
  struct Entry {
    std::uint64_t version = 0;
    std::chrono::steady_clock::time_point expires;
    Response response;
  };
  static bool Fresh(const Entry& e, std::uint64_t version,
                    std::chrono::steady_clock::time_point now) {
    return e.version == version && now < e.expires;
  }
  struct ThreadEntries {
    std::unordered_map<std::string, Entry> entries;
  };
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  PerThread<ThreadEntries> local_;
};

}  // namespace

void AddCoffeeRoutes(Router& router, app::CoffeeService& coffees, std::chrono::seconds ttl) {
  auto cache = std::make_shared<CatalogCache>(ttl);
  router.AddWithFastPath(
      Method::kGet, "/api/coffees", Access::kPublic,
      [&coffees, cache](Request& req) { return cache->Find(req.target, coffees.Version()); },
      [&coffees, cache](Request& req) {
        const std::uint64_t version = coffees.Version();  // before reading: never cache stale
        auto query = app::ParseCoffeeQuery(req.query);
        if (!query) return json::ErrorResponse(query.error());
        auto page = coffees.List(*query);
        if (!page) return json::ErrorResponse(page.error());
        bj::array items;
        for (const auto& c : page->coffees) items.push_back(json::ToJson(c));
        Response res = json::JsonResponse(200, items);
        res.headers.emplace_back("X-Total-Count", std::to_string(page->total));
        cache->Store(req.target, version, res);
        return res;
      });
  const auto get_one = [&coffees](Request& req) {
    auto id = json::PathId(req, "id");
    if (!id) return json::ErrorResponse(id.error());
    return json::Respond(coffees.Get(domain::CoffeeId{*id}), 200,
                         [](const auto& c) { return json::ToJson(c); });
  };
  router.Add(Method::kGet, "/api/coffees/:id", Access::kPublic, Exec::kWorker, get_one);
  // The earlier system's route, kept for its clients: signed in, the same body.
  router.Add(Method::kGet, "/api/coffees/favorites/:id", Access::kUser, Exec::kWorker, get_one);
  router.Add(
      Method::kPost, "/api/coffees", Access::kAdmin, Exec::kWorker, [&coffees](Request& req) {
        auto p = json::ReadCoffee(req, true);
        if (!p) return json::ErrorResponse(p.error());
        domain::NewCoffee c{*p->name, *p->coffee_type, *p->price, *p->rating, *p->image_url};
        return json::Respond(coffees.Create(c), 201, [](const auto& v) { return json::ToJson(v); });
      });
  router.Add(Method::kPut, "/api/coffees/:id", Access::kAdmin, Exec::kWorker,
             [&coffees](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto p = json::ReadCoffee(req, false);
               if (!p) return json::ErrorResponse(p.error());
               return json::Respond(coffees.Update(domain::CoffeeId{*id}, *p), 200,
                                    [](const auto& v) { return json::ToJson(v); });
             });
  router.Add(Method::kDelete, "/api/coffees/:id", Access::kAdmin, Exec::kWorker,
             [&coffees](Request& req) {
               auto id = json::PathId(req, "id");
               if (!id) return json::ErrorResponse(id.error());
               auto result = coffees.Delete(domain::CoffeeId{*id});
               if (!result) return json::ErrorResponse(result.error());
               return json::NoContent();
             });
}

}  // namespace coffee::http
