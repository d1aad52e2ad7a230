#include <future>
#include <thread>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

/// Orders against the seeded catalog with the time-of-day rule switched off, so results do not
/// depend on when the suite runs. Espresso (id 1) costs 3.50, takes 2 min + 1 per extra cup.
class OrderHttp : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    server_->db().Exec("UPDATE pricing_rules SET is_active = " + False() +
                       " WHERE rule_type = 'time_based'");
    ASSERT_TRUE(server_->app().ReloadRules());
    user_ = server_->UserToken();
    staff_ = server_->StaffToken();
    admin_ = server_->AdminToken();
  }

  std::string False() const { return GetParam() == "sqlite" ? "0" : "false"; }

  HttpResult PlaceOrder(const std::string& items, const std::string& token,
                        const std::string& key = "") {
    HeaderList headers{{"Authorization", "Bearer " + token}};
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return client_->Send("POST", "/api/orders", R"({"items":)" + items + "}", headers);
  }

  std::string Place(const std::string& items) {
    auto res = PlaceOrder(items, user_);
    EXPECT_EQ(res.status, 201) << res.body;
    return std::string(res.Json().as_object()["id"].as_string());
  }

  HttpResult SetStatus(const std::string& id, const std::string& status, const std::string& token) {
    return client_->Patch("/api/orders/" + id + "/status", R"({"status":")" + status + R"("})",
                          token);
  }

  std::string Count(const std::string& table) {
    return server_->db().QueryValue("SELECT COUNT(*) FROM " + table);
  }

  json::object LoyaltyMe() { return client_->Get("/api/loyalty/me", user_).Json().as_object(); }

  std::string user_;
  std::string staff_;
  std::string admin_;
};

TEST_P(OrderHttp, GuideOrderIsValidatedPricedTimedAndStored) {
  auto res = PlaceOrder(R"([{"coffee_item_id": 1, "quantity": 2}])", user_);
  ASSERT_EQ(res.status, 201) << res.body;
  auto o = res.Json().as_object();
  EXPECT_EQ(std::string(o["id"].as_string()).size(), 36U);
  EXPECT_EQ(o["status"], "pending");
  EXPECT_EQ(o["payment_status"], "unpaid");
  EXPECT_EQ(o["base_price"], "7.00");
  EXPECT_EQ(o["discount_total"], "0.00");
  EXPECT_EQ(o["total_price"], "7.00");
  EXPECT_EQ(o["pricing_strategy"], "best_price");
  EXPECT_TRUE(o["applied_rules"].as_array().empty());
  EXPECT_EQ(o["estimated_prep_minutes"], 3);  // 2 + (2 − 1) × 1, empty queue
  EXPECT_EQ(o["loyalty_points_awarded"], 0);
  auto items = o["items"].as_array();
  ASSERT_EQ(items.size(), 1U);
  auto line = items[0].as_object();
  EXPECT_EQ(line["coffee_item_id"], 1);
  EXPECT_EQ(line["coffee_name"], "Espresso");
  EXPECT_EQ(line["quantity"], 2);
  EXPECT_EQ(line["price_snapshot"], "3.50");
  EXPECT_EQ(line["subtotal"], "7.00");
  EXPECT_EQ(line["discount"], "0.00");
  EXPECT_EQ(line["final"], "7.00");
  for (const char* k : {"user_id", "estimated_ready_at", "created_at", "updated_at"}) {
    EXPECT_TRUE(o.contains(k)) << k;
  }
  EXPECT_EQ(Count("orders"), "1");
  EXPECT_EQ(Count("order_items"), "1");
}

TEST_P(OrderHttp, QuantityRuleAppliesToAMergedOrderAndLinesSumToTotals) {
  auto res = PlaceOrder(
      R"([{"coffee_item_id":1,"quantity":1,"price":0.01},{"coffee_item_id":2,"quantity":1},)"
      R"({"coffee_item_id":1,"quantity":1}])",
      user_);
  ASSERT_EQ(res.status, 201) << res.body;
  auto o = res.Json().as_object();
  EXPECT_EQ(o["base_price"], "11.50");  // 2 × 3.50 + 4.50; the client's price is ignored
  EXPECT_EQ(o["discount_total"], "1.15");
  EXPECT_EQ(o["total_price"], "10.35");
  ASSERT_EQ(o["applied_rules"].as_array().size(), 1U);
  EXPECT_EQ(o["applied_rules"].as_array()[0].as_object()["discount"], "1.15");
  auto items = o["items"].as_array();
  ASSERT_EQ(items.size(), 2U);  // duplicates merged
  EXPECT_EQ(items[0].as_object()["quantity"], 2);
  EXPECT_EQ(items[0].as_object()["discount"], "0.70");
  EXPECT_EQ(items[1].as_object()["discount"], "0.45");
}

TEST_P(OrderHttp, CompletionAwardsPointsOnceAndCancellingTakesThemBack) {
  const std::string id = Place(R"([{"coffee_item_id":5,"quantity":3}])");  // 3 × 5.00 − 10 %
  for (const char* s : {"confirmed", "preparing", "ready", "completed"}) {
    auto res = SetStatus(id, s, staff_);
    ASSERT_EQ(res.status, 200) << s << ": " << res.body;
    EXPECT_EQ(res.Json().as_object()["status"], s);
  }
  auto order = client_->Get("/api/orders/" + id, user_).Json().as_object();
  EXPECT_EQ(order["total_price"], "13.50");
  EXPECT_EQ(order["loyalty_points_awarded"], 13);  // floor(13.50 × 1.0)
  auto me = LoyaltyMe();
  EXPECT_EQ(me["points_balance"], 13);
  EXPECT_EQ(me["lifetime_points"], 13);
  ASSERT_EQ(me["transactions"].as_array().size(), 1U);

  auto again = SetStatus(id, "completed", staff_);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(LoyaltyMe()["points_balance"], 13);

  ASSERT_EQ(SetStatus(id, "cancelled", staff_).status, 200);
  me = LoyaltyMe();
  EXPECT_EQ(me["points_balance"], 0);
  EXPECT_EQ(me["lifetime_points"], 13);
  auto tx = me["transactions"].as_array();
  ASSERT_EQ(tx.size(), 2U);
  EXPECT_EQ(tx[0].as_object()["kind"], "reversal");
  EXPECT_EQ(tx[0].as_object()["points"], -13);
  auto audit = client_->Get("/api/business-rules/audit?order_id=" + id + "&limit=100", admin_);
  EXPECT_NE(audit.body.find("\"loyalty\""), std::string::npos) << audit.body;
}

TEST_P(OrderHttp, InvalidTransitionsAreRefused) {
  const std::string id = Place(R"([{"coffee_item_id":1,"quantity":1}])");
  auto body = ExpectError(SetStatus(id, "completed", staff_), 400, "INVALID_STATUS_TRANSITION");
  EXPECT_EQ(body["details"], "Invalid status transition from pending to completed");
  ExpectError(SetStatus(id, "shipped", staff_), 400, "VALIDATION_ERROR");
  auto same = SetStatus(id, "pending", staff_);
  EXPECT_EQ(same.status, 200);
  ASSERT_EQ(SetStatus(id, "cancelled", staff_).status, 200);
  ExpectError(SetStatus(id, "confirmed", staff_), 400, "INVALID_STATUS_TRANSITION");
  ExpectError(SetStatus("00000000-0000-4000-8000-000000000000", "confirmed", staff_), 404,
              "NOT_FOUND");
}

TEST_P(OrderHttp, TwentyParallelCompletionsAwardPointsOnce) {
  const std::string id = Place(R"([{"coffee_item_id":2,"quantity":2}])");  // 9.00
  for (const char* s : {"confirmed", "preparing", "ready"})
    ASSERT_EQ(SetStatus(id, s, staff_).status, 200);
  std::vector<std::future<int>> results;
  for (int i = 0; i < 20; ++i) {
    results.push_back(std::async(std::launch::async, [this, &id] {
      auto client = server_->Client();
      return client->Patch("/api/orders/" + id + "/status", R"({"status":"completed"})", staff_)
          .status;
    }));
  }
  for (auto& r : results) EXPECT_EQ(r.get(), 200);
  EXPECT_EQ(LoyaltyMe()["points_balance"], 9);
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM loyalty_transactions"), "1");
  EXPECT_EQ(
      server_->db().QueryValue("SELECT COUNT(*) FROM rule_audit_log WHERE rule_type = 'loyalty'"),
      "1");
}

TEST_P(OrderHttp, IdempotencyKeyReplaysTheFirstResponseAndRefusesAnotherBody) {
  const std::string items = R"([{"coffee_item_id":3,"quantity":1}])";
  auto first = PlaceOrder(items, user_, "key-123");
  ASSERT_EQ(first.status, 201);
  auto second = PlaceOrder(items, user_, "key-123");
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(Count("orders"), "1");
  ExpectError(PlaceOrder(R"([{"coffee_item_id":3,"quantity":2}])", user_, "key-123"), 409,
              "IDEMPOTENCY_KEY_REUSED");
  // Keys are per user: another customer may use the same key.
  auto reg = client_->Post("/api/auth/register",
                           R"({"email":"other@example.com","password":"Latte1234"})");
  const std::string other(reg.Json().as_object()["access_token"].as_string());
  EXPECT_EQ(PlaceOrder(items, other, "key-123").status, 201);
  EXPECT_EQ(Count("orders"), "2");
}

TEST_P(OrderHttp, TwentyParallelPostsWithOneKeyCreateOneOrder) {
  std::vector<std::future<HttpResult>> results;
  for (int i = 0; i < 20; ++i) {
    results.push_back(std::async(std::launch::async, [this] {
      auto client = server_->Client();
      return client->Send("POST", "/api/orders", R"({"items":[{"coffee_item_id":4,"quantity":1}]})",
                          {{"Authorization", "Bearer " + user_}, {"Idempotency-Key", "burst"}});
    }));
  }
  std::string body;
  for (auto& f : results) {
    auto r = f.get();
    EXPECT_EQ(r.status, 201) << r.body;
    if (body.empty()) body = r.body;
    EXPECT_EQ(r.body, body);
  }
  EXPECT_EQ(Count("orders"), "1");
}

TEST_P(OrderHttp, RefusalsAreClear400sAndWriteNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"items":[{"coffee_item_id":999,"quantity":1}]})", "VALIDATION_ERROR"},
      {R"({"items":[{"coffee_item_id":1,"quantity":0}]})", "VALIDATION_ERROR"},
      {R"({"items":[{"coffee_item_id":1,"quantity":100}]})", "VALIDATION_ERROR"},
      {R"({"items":[]})", "VALIDATION_ERROR"},
      {R"({"items":[{"coffee_item_id":1}]})", "VALIDATION_ERROR"},
      {R"({"items":"espresso"})", "VALIDATION_ERROR"},
      {R"({"items":[{"coffee_item_id":1,"quantity":1}])", "VALIDATION_ERROR"},
  };
  std::string many = R"({"items":[)";
  for (int i = 0; i < 51; ++i)
    many += std::string(i ? "," : "") + R"({"coffee_item_id":1,"quantity":1})";
  many += "]}";
  const auto orders = Count("orders");
  const auto audit = Count("rule_audit_log");
  for (const auto& [body, code] : cases) {
    auto res = client_->Send("POST", "/api/orders", body, {{"Authorization", "Bearer " + user_}});
    ExpectError(res, 400, code);
  }
  auto res = client_->Send("POST", "/api/orders", many, {{"Authorization", "Bearer " + user_}});
  auto body = ExpectError(res, 400, "VALIDATION_ERROR");
  EXPECT_EQ(body["details"], "items: must contain at most 50 items");
  EXPECT_EQ(Count("orders"), orders);
  EXPECT_EQ(Count("order_items"), "0");
  EXPECT_EQ(Count("rule_audit_log"), audit);
}

TEST_P(OrderHttp, UnavailableItemsAreRefusedWithTheirReasons) {
  auto set = [&](const std::string& body) {
    auto r = client_->Post("/api/business-rules/availability", body, admin_);
    ASSERT_EQ(r.status, 201) << r.body;
  };
  set(R"({"coffee_id":1,"status":"out_of_stock"})");
  set(R"({"coffee_id":2,"status":"discontinued","reason":"Retired recipe"})");
  set(R"({"coffee_id":3,"status":"seasonal","available_from":"00:00","available_until":"00:01"})");
  auto res = PlaceOrder(
      R"([{"coffee_item_id":1,"quantity":1},{"coffee_item_id":2,"quantity":1},{"coffee_item_id":4,"quantity":1}])",
      user_);
  auto body = ExpectError(res, 400, "ITEMS_UNAVAILABLE");
  EXPECT_EQ(body["error"], "Items unavailable: 1: Out of stock, 2: Retired recipe");
  EXPECT_EQ(body["message"], "Items unavailable: 1: Out of stock, 2: Retired recipe");
  auto items = body["unavailable_items"].as_array();
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0].as_object()["coffee_id"], 1);
  EXPECT_EQ(items[0].as_object()["reason"], "Out of stock");
  EXPECT_EQ(Count("orders"), "0");
}

TEST_P(OrderHttp, OrdersOutsideAnAvailabilityWindowAreRefused) {
  // A one-hour window starting two hours from now (UTC shop time): closed whenever this runs.
  const auto now = std::chrono::system_clock::now();
  const auto hour =
      std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch() % std::chrono::days(1))
          .count();
  auto hh = [](long h) {
    const long v = h % 24;
    return std::string(v < 10 ? "0" : "") + std::to_string(v) + ":00";
  };
  const std::string from = hh(hour + 2);
  const std::string until = hh(hour + 3);
  for (const char* body : {R"({"coffee_id":3,"status":"seasonal","available_from":")",
                           R"({"coffee_id":4,"status":"available","available_from":")"}) {
    auto r = client_->Post("/api/business-rules/availability",
                           std::string(body) + from + R"(","available_until":")" + until + R"("})",
                           admin_);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto body = ExpectError(
      PlaceOrder(R"([{"coffee_item_id":3,"quantity":1},{"coffee_item_id":4,"quantity":1}])", user_),
      400, "ITEMS_UNAVAILABLE");
  EXPECT_EQ(body["details"], ("Items unavailable: 3: Seasonal (not in season), 4: Only available "
                              "between " +
                              from + " and " + until)
                                 .c_str());
  EXPECT_EQ(body["unavailable_items"].as_array().size(), 2U);
  EXPECT_EQ(Count("orders"), "0");
  EXPECT_EQ(PlaceOrder(R"([{"coffee_item_id":5,"quantity":1}])", user_).status, 201);
}

TEST_P(OrderHttp, AnotherCustomersOrderIsNotFoundAndCustomersCannotMoveOrders) {
  const std::string id = Place(R"([{"coffee_item_id":1,"quantity":1}])");
  auto reg = client_->Post("/api/auth/register",
                           R"({"email":"nosy@example.com","password":"Mocha12345"})");
  const std::string other(reg.Json().as_object()["access_token"].as_string());
  ExpectError(client_->Get("/api/orders/" + id, other), 404, "NOT_FOUND");
  ExpectError(client_->Post("/api/orders/" + id + "/cancel", "", other), 404, "NOT_FOUND");
  EXPECT_TRUE(client_->Get("/api/orders", other).Json().as_array().empty());
  ExpectError(SetStatus(id, "confirmed", user_), 403, "FORBIDDEN");
  ExpectError(
      client_->Patch("/api/orders/" + id + "/payment", R"({"payment_status":"paid"})", staff_), 403,
      "FORBIDDEN");
  EXPECT_EQ(client_->Get("/api/orders/" + id, staff_).status, 200);
  EXPECT_EQ(client_->Get("/api/orders/" + id, admin_).status, 200);
  ExpectError(client_->Get("/api/orders/not-a-uuid", user_), 404, "NOT_FOUND");
  ExpectError(client_->Get("/api/orders"), 401, "MISSING_TOKEN");
}

TEST_P(OrderHttp, OwnerCancelsOnlyWhilePending) {
  const std::string a = Place(R"([{"coffee_item_id":1,"quantity":1}])");
  auto res = client_->Post("/api/orders/" + a + "/cancel", "", user_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json().as_object()["status"], "cancelled");
  const std::string b = Place(R"([{"coffee_item_id":1,"quantity":1}])");
  ASSERT_EQ(SetStatus(b, "confirmed", staff_).status, 200);
  ExpectError(client_->Post("/api/orders/" + b + "/cancel", "", user_), 400,
              "INVALID_STATUS_TRANSITION");
}

TEST_P(OrderHttp, PaymentMovesOnlyForward) {
  const std::string id = Place(R"([{"coffee_item_id":1,"quantity":1}])");
  auto pay = [&](const char* s) {
    return client_->Patch("/api/orders/" + id + "/payment",
                          std::string(R"({"payment_status":")") + s + R"("})", admin_);
  };
  ExpectError(pay("refunded"), 400, "INVALID_STATUS_TRANSITION");
  EXPECT_EQ(pay("paid").Json().as_object()["payment_status"], "paid");
  ExpectError(pay("unpaid"), 400, "INVALID_STATUS_TRANSITION");
  EXPECT_EQ(pay("refunded").Json().as_object()["payment_status"], "refunded");
  ExpectError(pay("free"), 400, "VALIDATION_ERROR");
}

TEST_P(OrderHttp, ListsShowOwnOrdersNewestFirstAndStaffSeeAll) {
  const std::string first = Place(R"([{"coffee_item_id":1,"quantity":1}])");
  const std::string second = Place(R"([{"coffee_item_id":2,"quantity":1}])");
  ASSERT_EQ(SetStatus(first, "confirmed", staff_).status, 200);
  auto mine = client_->Get("/api/orders", user_);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Header("x-total-count"), "2");
  auto list = mine.Json().as_array();
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].as_object()["id"], second.c_str());
  EXPECT_EQ(list[0].as_object()["items"].as_array().size(), 1U);
  auto confirmed = client_->Get("/api/orders?status=confirmed", user_).Json().as_array();
  ASSERT_EQ(confirmed.size(), 1U);
  EXPECT_EQ(confirmed[0].as_object()["id"], first.c_str());
  const std::string user_id =
      server_->db().QueryValue("SELECT id FROM users WHERE email = 'test@example.com'");
  EXPECT_EQ(client_->Get("/api/orders?user_id=" + user_id, staff_).Header("x-total-count"), "2");
  EXPECT_EQ(client_->Get("/api/orders?user_id=999", staff_).Header("x-total-count"), "0");
  ExpectError(client_->Get("/api/orders?status=lost", user_), 400, "VALIDATION_ERROR");
}

TEST_P(OrderHttp, QueueMakesEstimatesGrowAndShrinkWhenAnOrderIsReady) {
  auto estimate = [&](const std::string& id) {
    return client_->Get("/api/orders/" + id, user_)
        .Json()
        .as_object()["estimated_prep_minutes"]
        .as_int64();
  };
  const std::string a = Place(R"([{"coffee_item_id":5,"quantity":1}])");  // Mocha: 5 min
  const std::string b = Place(R"([{"coffee_item_id":5,"quantity":1}])");
  const std::string c = Place(R"([{"coffee_item_id":5,"quantity":1}])");
  EXPECT_EQ(estimate(a), 5);
  EXPECT_EQ(estimate(b), 10);
  EXPECT_EQ(estimate(c), 15);
  for (const char* s : {"confirmed", "preparing", "ready"})
    ASSERT_EQ(SetStatus(a, s, staff_).status, 200);
  const std::string d = Place(R"([{"coffee_item_id":5,"quantity":1}])");
  EXPECT_EQ(estimate(d), 15);  // a left the queue: b + c ahead
}

TEST_P(OrderHttp, AuditShowsEveryRuleDecisionOfAnOrder) {
  auto res = PlaceOrder(R"([{"coffee_item_id":1,"quantity":3}])", user_);
  ASSERT_EQ(res.status, 201);
  const std::string id(res.Json().as_object()["id"].as_string());
  auto audit = client_->Get("/api/business-rules/audit?order_id=" + id + "&limit=100", admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> types;
  const auto records = audit.Json();
  for (const auto& r : records.as_array()) {
    auto rec = r.as_object();
    EXPECT_EQ(rec["order_id"], id.c_str());
    types.emplace_back(rec["rule_type"].as_string());
  }
  EXPECT_EQ(types, (std::vector<std::string>{"availability", "pricing_rule", "pricing_summary",
                                             "prep_time"}));
}

TEST_P(OrderHttp, QuoteExplainsRulesAndStoresNothing) {
  auto res =
      client_->Post("/api/orders/quote", R"({"items":[{"coffee_item_id":1,"quantity":1}]})", user_);
  ASSERT_EQ(res.status, 200) << res.body;
  auto q = res.Json().as_object();
  EXPECT_EQ(q["total_price"], "3.50");
  auto not_applied = q["not_applied"].as_array();
  ASSERT_EQ(not_applied.size(), 1U);  // the quantity rule; the time rule is inactive
  EXPECT_EQ(not_applied[0].as_object()["reason"], "below_min_quantity");
  EXPECT_EQ(Count("orders"), "0");
}

TEST_P(OrderHttp, RuleChangeThroughTheApiIsVisibleToTheNextQuote) {
  auto rule = client_->Post(
      "/api/business-rules/pricing",
      R"({"rule_type":"promotional","description":"Launch week","discount_type":"fixed_amount",)"
      R"("discount_value":"1.00","priority":5,"coffee_ids":[1]})",
      admin_);
  ASSERT_EQ(rule.status, 201) << rule.body;
  auto q =
      client_->Post("/api/orders/quote", R"({"items":[{"coffee_item_id":1,"quantity":1}]})", user_)
          .Json()
          .as_object();
  EXPECT_EQ(q["total_price"], "2.50");
}

INSTANTIATE_TEST_SUITE_P(Backends, OrderHttp, ::testing::ValuesIn(AllBackends()), BackendName);

/// A row edited directly in the database reaches the rules after CACHE_TTL, not before.
class CacheTtlHttp : public ::testing::TestWithParam<std::string> {};

TEST_P(CacheTtlHttp, DirectDatabaseEditIsVisibleAfterTheTtl) {
  TestServer server(GetParam(), true,
                    [](config::Config& c) { c.cache_ttl = std::chrono::seconds(1); });
  auto client = server.Client();
  const std::string token = server.UserToken();
  const std::string body = R"({"items":[{"coffee_item_id":6,"quantity":1}]})";
  ASSERT_EQ(client->Post("/api/orders/quote", body, token).status, 200);
  server.db().Exec("UPDATE coffee_availability SET status = 'out_of_stock' WHERE coffee_id = 6");
  int status = 0;
  for (int i = 0; i < 40 && status != 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = client->Post("/api/orders/quote", body, token).status;
  }
  EXPECT_EQ(status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, CacheTtlHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
