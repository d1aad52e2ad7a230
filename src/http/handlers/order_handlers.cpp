#include <atomic>
#include <boost/json.hpp>
#include <memory>

#include "app/order_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/mappers.hpp"
#include "http/json/readers.hpp"

namespace coffee::http {

namespace bj = boost::json;

namespace {

app::Viewer ViewerOf(const Request& req) { return app::Viewer{req.auth->user_id, req.auth->role}; }

std::optional<app::OrderQuery> ReadOrderQuery(const Request& req, app::AppError& error) {
  app::OrderQuery q;
  auto page = app::ParsePage(req.query);
  if (!page) {
    error = page.error();
    return std::nullopt;
  }
  q.offset = page->offset();
  q.limit = page->limit;
  if (auto it = req.query.find("status"); it != req.query.end()) {
    q.status = domain::ParseOrderStatus(it->second);
    if (!q.status) {
      error = app::AppError::Validation(
          "status", "must be one of pending, confirmed, preparing, ready, completed, cancelled");
      return std::nullopt;
    }
  }
  if (auto it = req.query.find("user_id"); it != req.query.end()) {
    Request probe;
    probe.params.emplace("user_id", it->second);
    auto id = json::PathId(probe, "user_id");
    if (!id) {
      error = id.error();
      return std::nullopt;
    }
    q.user_id = domain::UserId{*id};
  }
  return q;
}

Response OrderResponse(const app::Outcome<app::Order>& order, int status) {
  return json::Respond(order, status, [](const auto& o) { return json::OrderJson(o); });
}

}  // namespace

void AddOrderRoutes(Router& router, app::OrderService& orders) {
  router.Add(Method::kPost, "/api/orders", Access::kUser, Exec::kWorker, [&orders](Request& req) {
    auto body = json::ReadOrderRequest(req);
    if (!body) return json::ErrorResponse(body.error());
    std::optional<std::string> key;
    if (auto header = req.headers.Get("idempotency-key")) {
      if (header->empty() || header->size() > 255) {
        return json::ErrorResponse(
            app::AppError::Validation("Idempotency-Key", "must be 1 to 255 characters"));
      }
      key = std::string(*header);
    }
    auto placed =
        orders.Place(ViewerOf(req), body->items, body->promo_code, key, [](const app::Order& o) {
          return app::StoredResponse{201, json::SerializeJson(json::OrderJson(o))};
        });
    if (!placed) return json::ErrorResponse(placed.error());
    if (placed->replay) {
      Response res;
      res.status = placed->replay->status;
      res.body = placed->replay->body;
      res.headers.emplace_back("Idempotent-Replayed", "true");
      return res;
    }
    return json::JsonResponse(201, json::OrderJson(*placed->order));
  });
  router.Add(Method::kPost, "/api/orders/quote", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               auto body = json::ReadOrderRequest(req);
               if (!body) return json::ErrorResponse(body.error());
               return json::Respond(orders.Quote(ViewerOf(req), body->items, body->promo_code), 200,
                                    [](const auto& d) { return json::QuoteJson(d); });
             });
  router.Add(Method::kGet, "/api/orders", Access::kUser, Exec::kWorker, [&orders](Request& req) {
    app::AppError error;
    auto query = ReadOrderQuery(req, error);
    if (!query) return json::ErrorResponse(error);
    auto page = orders.List(ViewerOf(req), *query);
    if (!page) return json::ErrorResponse(page.error());
    bj::array list;
    for (const auto& o : page->orders) list.push_back(json::OrderJson(o));
    Response res = json::JsonResponse(200, list);
    res.headers.emplace_back("X-Total-Count", std::to_string(page->total));
    return res;
  });
  router.Add(Method::kGet, "/api/orders/:id", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               return OrderResponse(orders.Get(ViewerOf(req), req.params.at("id")), 200);
             });
  router.Add(Method::kPatch, "/api/orders/:id/status", Access::kStaff, Exec::kWorker,
             [&orders](Request& req) {
               auto status = json::ReadOrderStatus(req);
               if (!status) return json::ErrorResponse(status.error());
               return OrderResponse(orders.Transition(ViewerOf(req), req.params.at("id"), *status),
                                    200);
             });
  router.Add(Method::kPost, "/api/orders/:id/cancel", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               return OrderResponse(orders.Cancel(ViewerOf(req), req.params.at("id")), 200);
             });
  router.Add(Method::kPatch, "/api/orders/:id/payment", Access::kAdmin, Exec::kWorker,
             [&orders](Request& req) {
               auto to = json::ReadPaymentStatus(req);
               if (!to) return json::ErrorResponse(to.error());
               return OrderResponse(orders.SetPayment(req.params.at("id"), *to), 200);
             });
  router.Add(Method::kGet, "/api/loyalty/me", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               return json::Respond(orders.Loyalty(req.auth->user_id), 200,
                                    [](const auto& s) { return json::LoyaltyJson(s); });
             });
  router.Add(Method::kGet, "/api/loyalty/:user_id", Access::kAdmin, Exec::kWorker,
             [&orders](Request& req) {
               auto id = json::PathId(req, "user_id");
               if (!id) return json::ErrorResponse(id.error());
               return json::Respond(orders.Loyalty(domain::UserId{*id}), 200,
                                    [](const auto& s) { return json::LoyaltyJson(s); });
             });
}

}  // namespace coffee::http

namespace coffee::http {

namespace {

/// How often an idle event stream sends a comment line, so proxies keep it open and a client
/// that vanished is noticed.
constexpr std::chrono::seconds kEventHeartbeat{15};

/// One client's subscription: the id to unsubscribe with and the next event id.
struct EventSubscription {
  std::uint64_t id = 0;
  std::atomic<std::uint64_t> next_event{1};
};

}  // namespace

void AddOrderEventsRoute(Router& router, app::OrderEvents& events) {
  router.Add(
      Method::kGet, "/api/orders/events", Access::kStaff, Exec::kInline, [&events](Request& req) {
        Response res;
        res.content_type = "text/event-stream";
        res.headers.emplace_back("Cache-Control", "no-store");
        res.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer
        res.stream = std::make_shared<StreamBody>();
        res.stream->heartbeat = ": ping\n\n";
        res.stream->heartbeat_interval = kEventHeartbeat;
        // The stream lives no longer than the token that opened it: a demoted or
        // signed-out barista stops receiving orders when the token expires, and the
        // board reconnects with a fresh one.
        const auto left = req.auth->expires_at - domain::Instant::clock::now();
        res.stream->deadline =
            std::chrono::steady_clock::now() +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
        auto subscription = std::make_shared<EventSubscription>();
        res.stream->start = [&events, subscription](const std::shared_ptr<StreamSink>& sink) {
          sink->Send("retry: 3000\n\n");
          subscription->id = events.Subscribe(
              [sink, subscription](const app::Order& order) {
                sink->Send("event: order\nid: " + std::to_string(subscription->next_event++) +
                           "\ndata: " + json::SerializeJson(json::OrderJson(order)) + "\n\n");
              },
              [sink] { sink->Send("event: resync\ndata: {}\n\n"); });
        };
        res.stream->stop = [&events, subscription] { events.Unsubscribe(subscription->id); };
        return res;
      });
}

}  // namespace coffee::http
