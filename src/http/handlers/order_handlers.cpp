#include <atomic>
#include <boost/json.hpp>
#include <memory>

#include "app/order_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/request_bodies.hpp"
#include "http/json.hpp"

namespace coffee::http {

namespace json = boost::json;

namespace {

app::Viewer ViewerOf(const Request& req) { return app::Viewer{req.auth->user_id, req.auth->role}; }

json::array AppliedJson(const std::vector<app::AppliedRule>& applied) {
  json::array out;
  for (const auto& r : applied) {
    out.push_back(json::object{{"rule_id", r.rule_id.value},
                               {"description", r.description},
                               {"discount", r.discount.ToString()}});
  }
  return out;
}

json::object LineJson(const app::OrderLine& line) {
  json::object o;
  if (line.id != 0) o["id"] = line.id;  // quotes have no stored lines
  for (auto& kv : json::object{{"coffee_item_id", line.coffee_id.value},
                               {"coffee_name", line.coffee_name},
                               {"quantity", line.quantity},
                               {"price_snapshot", line.price_snapshot.ToString()},
                               {"subtotal", line.subtotal.ToString()},
                               {"discount", line.discount.ToString()},
                               {"final", line.final_amount.ToString()}}) {
    o[kv.key()] = kv.value();
  }
  return o;
}

}  // namespace

json::object OrderJson(const app::Order& order) {
  json::array items;
  for (const auto& line : order.items) items.push_back(LineJson(line));
  return json::object{{"id", order.id.str()},
                      {"user_id", order.user_id.value},
                      {"status", domain::ToString(order.status)},
                      {"payment_status", domain::ToString(order.payment_status)},
                      {"base_price", order.base_price.ToString()},
                      {"discount_total", order.discount_total.ToString()},
                      {"total_price", order.total_price.ToString()},
                      {"applied_rules", AppliedJson(order.applied_rules)},
                      {"pricing_strategy", domain::ToString(order.pricing_strategy)},
                      {"pricing_combination", order.pricing_combination},
                      {"prep_work_minutes", order.prep_work_minutes},
                      {"estimated_prep_minutes", order.estimated_prep_minutes},
                      {"estimated_ready_at", domain::FormatTimestamp(order.estimated_ready_at)},
                      {"loyalty_points_awarded", order.loyalty_points_awarded},
                      {"items", std::move(items)},
                      {"created_at", domain::FormatTimestamp(order.created_at)},
                      {"updated_at", domain::FormatTimestamp(order.updated_at)}};
}

namespace {

json::object QuoteJson(const app::OrderDecision& d) {
  std::vector<app::AppliedRule> applied;
  for (const auto& r : d.pricing.applied) applied.push_back({r.rule_id, r.description, r.discount});
  json::array items;
  for (const auto& line : d.lines) items.push_back(LineJson(line));
  json::array not_applied;
  for (const auto& n : d.pricing.not_applied) {
    not_applied.push_back(
        json::object{{"rule_id", n.rule_id.value}, {"reason", n.code()}, {"message", n.message()}});
  }
  return json::object{{"available", true},
                      {"base_price", d.pricing.base_price.ToString()},
                      {"discount_total", d.pricing.discount_total.ToString()},
                      {"total_price", d.pricing.final_price.ToString()},
                      {"applied_rules", AppliedJson(applied)},
                      {"not_applied", std::move(not_applied)},
                      {"pricing_strategy", domain::ToString(d.pricing.strategy)},
                      {"pricing_combination", d.pricing.Chosen()},
                      {"prep_work_minutes", d.prep.work_minutes},
                      {"queue_delay_minutes", d.prep.queue_delay_minutes},
                      {"estimated_prep_minutes", d.prep.total_minutes},
                      {"items", std::move(items)},
                      {"quoted_at", domain::FormatTimestamp(d.at)}};
}

}  // namespace

app::Outcome<std::vector<app::RequestedItem>> ReadItems(const Request& req) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  const auto* items = body->if_contains("items");
  if (items == nullptr || !items->is_array()) {
    return app::AppError::Validation("items", "is required and must be an array");
  }
  std::vector<app::RequestedItem> out;
  app::ValidationErrors errors;
  std::size_t i = 0;
  for (const auto& v : items->as_array()) {
    const std::string prefix = "items[" + std::to_string(i++) + "]";
    if (!v.is_object()) {
      errors.Add(prefix, "must be an object");
      continue;
    }
    FieldReader r(v.as_object());
    auto id = r.Int("coffee_item_id", true);
    auto quantity = r.Int("quantity", true);
    if (!r.ok()) {
      for (const auto& [f, m] : r.Error().fields) errors.Add(prefix + "." + f, m);
      continue;
    }
    out.push_back({*id, *quantity});
    if (out.size() > 1000) break;  // far beyond the 50-line limit; stop reading
  }
  if (!errors.empty()) return errors.ToError();
  return out;
}

namespace {

app::Outcome<domain::OrderStatus> ReadStatus(const Request& req, const char* field) {
  auto body = ParseJsonObject(req);
  if (!body) return body.error();
  FieldReader r(*body);
  auto text = r.String(field, true);
  if (!r.ok()) return r.Error();
  auto status = domain::ParseOrderStatus(*text);
  if (!status) {
    return app::AppError::Validation(
        field, "must be one of pending, confirmed, preparing, ready, completed, cancelled");
  }
  return *status;
}

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
    auto id = PathId(probe, "user_id");
    if (!id) {
      error = id.error();
      return std::nullopt;
    }
    q.user_id = domain::UserId{*id};
  }
  return q;
}

json::object LoyaltyJson(const app::LoyaltySummary& s) {
  json::array tx;
  for (const auto& t : s.transactions) {
    tx.push_back(json::object{{"id", t.id},
                              {"order_id", t.order_id ? json::value(t.order_id->str()) : nullptr},
                              {"kind", t.kind},
                              {"points", t.points},
                              {"unrecovered_points", t.unrecovered_points},
                              {"created_at", domain::FormatTimestamp(t.created_at)}});
  }
  return json::object{{"points_balance", s.account.points_balance},
                      {"lifetime_points", s.account.lifetime_points},
                      {"transactions", std::move(tx)}};
}

Response OrderResponse(const app::Outcome<app::Order>& order, int status) {
  return Respond(order, status, [](const auto& o) { return OrderJson(o); });
}

}  // namespace

void AddOrderRoutes(Router& router, app::OrderService& orders) {
  router.Add(Method::kPost, "/api/orders", Access::kUser, Exec::kWorker, [&orders](Request& req) {
    auto items = ReadItems(req);
    if (!items) return ErrorResponse(items.error());
    std::optional<std::string> key;
    if (auto header = req.headers.Get("idempotency-key")) {
      if (header->empty() || header->size() > 255) {
        return ErrorResponse(
            app::AppError::Validation("Idempotency-Key", "must be 1 to 255 characters"));
      }
      key = std::string(*header);
    }
    auto placed = orders.Place(ViewerOf(req), *items, key, [](const app::Order& o) {
      return app::StoredResponse{201, SerializeJson(OrderJson(o))};
    });
    if (!placed) return ErrorResponse(placed.error());
    if (placed->replay) {
      Response res;
      res.status = placed->replay->status;
      res.body = placed->replay->body;
      res.headers.emplace_back("Idempotent-Replayed", "true");
      return res;
    }
    return JsonResponse(201, OrderJson(*placed->order));
  });
  router.Add(
      Method::kPost, "/api/orders/quote", Access::kUser, Exec::kWorker, [&orders](Request& req) {
        auto items = ReadItems(req);
        if (!items) return ErrorResponse(items.error());
        return Respond(orders.Quote(*items), 200, [](const auto& d) { return QuoteJson(d); });
      });
  router.Add(Method::kGet, "/api/orders", Access::kUser, Exec::kWorker, [&orders](Request& req) {
    app::AppError error;
    auto query = ReadOrderQuery(req, error);
    if (!query) return ErrorResponse(error);
    auto page = orders.List(ViewerOf(req), *query);
    if (!page) return ErrorResponse(page.error());
    json::array list;
    for (const auto& o : page->orders) list.push_back(OrderJson(o));
    Response res = JsonResponse(200, list);
    res.headers.emplace_back("X-Total-Count", std::to_string(page->total));
    return res;
  });
  router.Add(Method::kGet, "/api/orders/:id", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               return OrderResponse(orders.Get(ViewerOf(req), req.params.at("id")), 200);
             });
  router.Add(Method::kPatch, "/api/orders/:id/status", Access::kStaff, Exec::kWorker,
             [&orders](Request& req) {
               auto status = ReadStatus(req, "status");
               if (!status) return ErrorResponse(status.error());
               return OrderResponse(orders.Transition(ViewerOf(req), req.params.at("id"), *status),
                                    200);
             });
  router.Add(Method::kPost, "/api/orders/:id/cancel", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               return OrderResponse(orders.Cancel(ViewerOf(req), req.params.at("id")), 200);
             });
  router.Add(Method::kPatch, "/api/orders/:id/payment", Access::kAdmin, Exec::kWorker,
             [&orders](Request& req) {
               auto body = ParseJsonObject(req);
               if (!body) return ErrorResponse(body.error());
               FieldReader r(*body);
               auto text = r.String("payment_status", true);
               if (!r.ok()) return ErrorResponse(r.Error());
               auto to = domain::ParsePaymentStatus(*text);
               if (!to) {
                 return ErrorResponse(app::AppError::Validation(
                     "payment_status", "must be one of unpaid, paid, refunded"));
               }
               return OrderResponse(orders.SetPayment(req.params.at("id"), *to), 200);
             });
  router.Add(Method::kGet, "/api/loyalty/me", Access::kUser, Exec::kWorker,
             [&orders](Request& req) {
               return Respond(orders.Loyalty(req.auth->user_id), 200,
                              [](const auto& s) { return LoyaltyJson(s); });
             });
  router.Add(Method::kGet, "/api/loyalty/:user_id", Access::kAdmin, Exec::kWorker,
             [&orders](Request& req) {
               auto id = PathId(req, "user_id");
               if (!id) return ErrorResponse(id.error());
               return Respond(orders.Loyalty(domain::UserId{*id}), 200,
                              [](const auto& s) { return LoyaltyJson(s); });
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
        res.stream->start = [&events, subscription](std::shared_ptr<StreamSink> sink) {
          sink->Send("retry: 3000\n\n");
          subscription->id = events.Subscribe(
              [sink, subscription](const app::Order& order) {
                sink->Send("event: order\nid: " + std::to_string(subscription->next_event++) +
                           "\ndata: " + SerializeJson(OrderJson(order)) + "\n\n");
              },
              [sink] { sink->Send("event: resync\ndata: {}\n\n"); });
        };
        res.stream->stop = [&events, subscription] { events.Unsubscribe(subscription->id); };
        return res;
      });
}

}  // namespace coffee::http
