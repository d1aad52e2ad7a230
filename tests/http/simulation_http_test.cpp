// POST /api/business-rules/simulate over HTTP (issue 14 item 2): a draft replayed over orders
// placed through the API, with figures computed by hand.

#include <string>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

const char* kSimulate = "/api/business-rules/simulate";
const char* kRange = R"("start_date":"2026-03-10T00:00:00Z","end_date":"2026-03-11T00:00:00Z")";

/// Rules switched through the API so that every order records the version that priced it: the
/// seeded rules deleted, then rule X, 10 % on Espresso (1, 3.50). Seeded Cappuccino (2) is 4.50.
///
/// | order | placed (UTC)        | items | base | baseline (X 10 %) | draft          | delta |
/// | O1    | 2026-03-10T12:00:00Z | E×2   | 7.00 | 7.00 − 0.70 = 6.30 | X 20 %: 5.60   | −0.70 |
/// | O2    | 2026-03-10T12:30:00Z | C×1   | 4.50 | 4.50               | new 0.50: 4.00 | −0.50 |
/// | O3    | 2026-03-10T13:00:00Z | E×1   | cancelled: never replayed                         |
///
/// The draft (additive): X at 20 % on Espresso, a new rule 0.50 off a Cappuccino, and a new
/// rule valid only in 2020 (never applies: expired). Totals: base 11.50, baseline 10.80, draft
/// 9.60, revenue delta −1.20; discount cost 0.70 → 1.90.
class SimulationHttp : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    admin_ = server_->AdminToken();
    staff_ = server_->StaffToken();
    user_ = server_->UserToken();
    auto active = client_->Get("/api/business-rules/pricing", admin_);
    ASSERT_EQ(active.status, 200) << active.body;
    const auto listed = active.Json();
    for (const auto& rule : listed.as_array()) {
      const auto id = std::to_string(rule.as_object().at("id").as_int64());
      ASSERT_EQ(client_->Delete("/api/business-rules/pricing/" + id, admin_).status, 204);
    }
    auto created = client_->Post("/api/business-rules/pricing",
                                 R"({"rule_type":"promotional","description":"ten on espresso",)"
                                 R"("discount_type":"percentage","discount_value":10,)"
                                 R"("coffee_ids":[1],"valid_from":"2026-01-01T00:00:00Z"})",
                                 admin_);
    ASSERT_EQ(created.status, 201) << created.body;
    rule_x_ = created.Json().as_object().at("id").as_int64();
  }

  void Status(const std::string& id, const std::string& status) {
    auto res = client_->Patch("/api/orders/" + id + "/status", R"({"status":")" + status + R"("})",
                              staff_);
    ASSERT_EQ(res.status, 200) << res.body;
  }

  /// Places `items` at `placed` (set in SQL) and takes it to `final_status`.
  std::string Order(const std::string& items, const std::string& placed,
                    const std::string& final_status) {
    auto res = client_->Post("/api/orders", R"({"items":)" + items + "}", user_);
    EXPECT_EQ(res.status, 201) << res.body;
    const std::string id(res.Json().as_object()["id"].as_string());
    server_->db().Exec("UPDATE orders SET created_at = '" + placed + "' WHERE id = '" + id + "'");
    if (final_status == "completed") {
      for (const char* s : {"confirmed", "preparing", "ready", "completed"}) Status(id, s);
    } else {
      Status(id, final_status);
    }
    return id;
  }

  std::string Draft() const {
    const std::string x = std::to_string(rule_x_);
    return std::string("{") + kRange +
           R"(,"pricing_settings":{"combination_strategy":"additive"},"pricing_rules":[)"
           R"({"id":)" +
           x +
           R"(,"rule_type":"promotional","description":"twenty on espresso",)"
           R"("discount_type":"percentage","discount_value":"20.00","coffee_ids":[1]},)"
           R"({"rule_type":"quantity_based","min_quantity":1,"description":"fifty off cappuccino",)"
           R"("discount_type":"fixed_amount","discount_value":0.5,"coffee_ids":[2]},)"
           R"({"rule_type":"promotional","description":"last year's","discount_type":"percentage",)"
           R"("discount_value":5,"valid_from":"2020-01-01T00:00:00Z",)"
           R"("valid_until":"2021-01-01T00:00:00Z"}]})";
  }

  std::int64_t rule_x_ = 0;
  std::string admin_;
  std::string staff_;
  std::string user_;
};

TEST_P(SimulationHttp, ReplaysCountedOrdersUnderTheDraftAndTheirOwnVersion) {
  const auto o1 =
      Order(R"([{"coffee_item_id":1,"quantity":2}])", "2026-03-10T12:00:00.000000Z", "completed");
  const auto o2 =
      Order(R"([{"coffee_item_id":2,"quantity":1}])", "2026-03-10T12:30:00.000000Z", "completed");
  Order(R"([{"coffee_item_id":1,"quantity":1}])", "2026-03-10T13:00:00.000000Z", "cancelled");
  const auto versions_before = client_->Get("/api/business-rules/versions", admin_);

  auto res = client_->Post(kSimulate, Draft(), admin_);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = res.Json().as_object();
  EXPECT_EQ(body.at("start_date"), "2026-03-10T00:00:00.000000Z");
  const auto totals = body.at("totals").as_object();
  EXPECT_EQ(totals.at("orders"), 2);
  EXPECT_EQ(totals.at("orders_affected"), 2);
  EXPECT_EQ(totals.at("base_revenue"), "11.50");
  EXPECT_EQ(totals.at("recorded_revenue"), "10.80");
  EXPECT_EQ(totals.at("baseline_revenue"), "10.80");
  EXPECT_EQ(totals.at("draft_revenue"), "9.60");
  EXPECT_EQ(totals.at("revenue_delta"), "-1.20");
  EXPECT_EQ(totals.at("baseline_discount_cost"), "0.70");
  EXPECT_EQ(totals.at("draft_discount_cost"), "1.90");
  EXPECT_EQ(totals.at("recorded_mismatches"), 0);
  // Both orders were priced with the version that was current when they were placed.
  const auto current = body.at("current_version").as_int64();
  EXPECT_EQ(body.at("versions_replayed"), json::array({current}));

  const auto rules = body.at("rules").as_array();
  ASSERT_EQ(rules.size(), 3U) << res.body;
  const auto x = rules[0].as_object();
  EXPECT_EQ(x.at("rule_id"), rule_x_);
  EXPECT_EQ(x.at("draft_index"), nullptr);
  EXPECT_EQ(x.at("description"), "twenty on espresso");
  EXPECT_EQ(x.at("orders_affected"), 1);
  EXPECT_EQ(x.at("discount_cost"), "1.40");
  EXPECT_EQ(x.at("baseline_orders"), 1);
  EXPECT_EQ(x.at("baseline_discount_cost"), "0.70");
  EXPECT_EQ(x.at("orders_changed"), 1);
  EXPECT_EQ(x.at("revenue_delta"), "-0.70");
  const auto fifty = rules[1].as_object();
  EXPECT_EQ(fifty.at("rule_id"), nullptr);
  EXPECT_EQ(fifty.at("draft_index"), 1);
  EXPECT_EQ(fifty.at("orders_affected"), 1);
  EXPECT_EQ(fifty.at("discount_cost"), "0.50");
  EXPECT_EQ(fifty.at("revenue_delta"), "-0.50");
  const auto old = rules[2].as_object();
  EXPECT_EQ(old.at("draft_index"), 2);
  EXPECT_EQ(old.at("orders_affected"), 0);

  const auto never = body.at("never_applied").as_array();
  ASSERT_EQ(never.size(), 1U);
  EXPECT_EQ(never[0].as_object().at("draft_index"), 2);
  EXPECT_EQ(never[0].as_object().at("usual_reason"), "expired");

  const auto changes = body.at("largest_changes").as_array();
  ASSERT_EQ(changes.size(), 2U);
  EXPECT_EQ(changes[0].as_object().at("order_id"), o1.c_str());
  EXPECT_EQ(changes[0].as_object().at("baseline_total"), "6.30");
  EXPECT_EQ(changes[0].as_object().at("draft_total"), "5.60");
  EXPECT_EQ(changes[0].as_object().at("delta"), "-0.70");
  EXPECT_EQ(changes[1].as_object().at("order_id"), o2.c_str());
  EXPECT_EQ(changes[1].as_object().at("delta"), "-0.50");

  // Nothing was saved: no new version, rule X unchanged.
  EXPECT_EQ(client_->Get("/api/business-rules/versions", admin_).Header("x-total-count"),
            versions_before.Header("x-total-count"));
  auto stored = client_->Get("/api/business-rules/pricing/" + std::to_string(rule_x_), admin_);
  EXPECT_EQ(stored.Json().as_object().at("discount_value"), 10) << stored.body;
}

// An order is replayed with the promo code it presented. Rule P: 0.50 off a Cappuccino with
// code SAVE5. O1 (C×1, code save5) was charged 4.00, O2 (C×1, no code) 4.50; the draft makes P
// 1.00 off: O1 3.50 (−0.50), O2 unchanged, and both baselines match what was charged.
TEST_P(SimulationHttp, OrdersAreReplayedWithThePromoCodeTheyPresented) {
  auto made = client_->Post("/api/business-rules/pricing",
                            R"({"rule_type":"promotional","description":"half off with code",)"
                            R"("discount_type":"fixed_amount","discount_value":0.5,)"
                            R"("coffee_ids":[2],"promo_code":"SAVE5",)"
                            R"("valid_from":"2026-01-01T00:00:00Z"})",
                            admin_);
  ASSERT_EQ(made.status, 201) << made.body;
  const auto rule_p = made.Json().as_object().at("id").as_int64();
  auto placed =
      client_->Post("/api/orders",
                    R"({"items":[{"coffee_item_id":2,"quantity":1}],"promo_code":"save5"})", user_);
  ASSERT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(placed.Json().as_object().at("total_price"), "4.00");
  const std::string o1(placed.Json().as_object()["id"].as_string());
  server_->db().Exec("UPDATE orders SET created_at = '2026-03-10T12:00:00.000000Z' WHERE id = '" +
                     o1 + "'");
  for (const char* s : {"confirmed", "preparing", "ready", "completed"}) Status(o1, s);
  Order(R"([{"coffee_item_id":2,"quantity":1}])", "2026-03-10T12:30:00.000000Z", "completed");

  const std::string draft =
      std::string("{") + kRange + R"(,"pricing_rules":[{"id":)" + std::to_string(rule_x_) +
      R"(,"rule_type":"promotional","description":"ten on espresso","discount_type":"percentage",)"
      R"("discount_value":10,"coffee_ids":[1]},{"id":)" +
      std::to_string(rule_p) +
      R"(,"rule_type":"promotional","description":"one off with code",)"
      R"("discount_type":"fixed_amount","discount_value":1,"coffee_ids":[2],)"
      R"("promo_code":"SAVE5"}]})";
  auto res = client_->Post(kSimulate, draft, admin_);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = res.Json().as_object();
  const auto totals = body.at("totals").as_object();
  EXPECT_EQ(totals.at("orders"), 2);
  EXPECT_EQ(totals.at("recorded_revenue"), "8.50");
  EXPECT_EQ(totals.at("baseline_revenue"), "8.50");
  EXPECT_EQ(totals.at("recorded_mismatches"), 0);
  EXPECT_EQ(totals.at("orders_affected"), 1);
  EXPECT_EQ(totals.at("draft_revenue"), "8.00");
  EXPECT_EQ(totals.at("revenue_delta"), "-0.50");
  const auto changes = body.at("largest_changes").as_array();
  ASSERT_EQ(changes.size(), 1U) << res.body;
  EXPECT_EQ(changes[0].as_object().at("order_id"), o1.c_str());
}

TEST_P(SimulationHttp, WithoutADraftNothingChangesAndAnEmptyPeriodIsZero) {
  Order(R"([{"coffee_item_id":1,"quantity":2}])", "2026-03-10T12:00:00.000000Z", "completed");
  auto same = client_->Post(kSimulate, std::string("{") + kRange + "}", admin_);
  ASSERT_EQ(same.status, 200) << same.body;
  const auto totals = same.Json().as_object().at("totals").as_object();
  EXPECT_EQ(totals.at("orders"), 1);
  EXPECT_EQ(totals.at("orders_affected"), 0);
  EXPECT_EQ(totals.at("revenue_delta"), "0.00");
  EXPECT_TRUE(same.Json().as_object().at("largest_changes").as_array().empty());
  auto empty = client_->Post(
      kSimulate, R"({"start_date":"2026-02-01","end_date":"2026-02-02","pricing_rules":[]})",
      admin_);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Json().as_object().at("totals").as_object().at("orders"), 0);
}

TEST_P(SimulationHttp, BadDraftsNameTheFieldAndOnlyAdminsMaySimulate) {
  ExpectError(client_->Post(kSimulate, "{}", user_), 403, "FORBIDDEN");
  ExpectError(client_->Post(kSimulate, "{}", staff_), 403, "FORBIDDEN");
  auto bad_value = ExpectError(
      client_->Post(kSimulate,
                    R"({"pricing_rules":[{"rule_type":"promotional","discount_type":"percentage",)"
                    R"("discount_value":150}]})",
                    admin_),
      400, "VALIDATION_ERROR");
  EXPECT_TRUE(bad_value.at("fields").as_object().contains("pricing_rules[0].discount_value"))
      << bad_value;
  auto unknown =
      ExpectError(client_->Post(kSimulate,
                                R"({"pricing_rules":[{"id":999999,"rule_type":"promotional",)"
                                R"("discount_type":"percentage","discount_value":5}]})",
                                admin_),
                  400, "VALIDATION_ERROR");
  EXPECT_TRUE(unknown.at("fields").as_object().contains("pricing_rules[0].id")) << unknown;
  auto coffee = ExpectError(
      client_->Post(kSimulate,
                    R"({"pricing_rules":[{"rule_type":"promotional","discount_type":"percentage",)"
                    R"("discount_value":5,"coffee_ids":[4040]}]})",
                    admin_),
      400, "VALIDATION_ERROR");
  EXPECT_TRUE(coffee.at("fields").as_object().contains("pricing_rules[0].coffee_ids")) << coffee;
  auto not_array = ExpectError(client_->Post(kSimulate, R"({"pricing_rules":{}})", admin_), 400,
                               "VALIDATION_ERROR");
  EXPECT_TRUE(not_array.at("fields").as_object().contains("pricing_rules"));
  auto settings = ExpectError(
      client_->Post(kSimulate, R"({"pricing_settings":{"combination_strategy":"cheapest"}})",
                    admin_),
      400, "VALIDATION_ERROR");
  EXPECT_TRUE(settings.at("fields").as_object().contains("pricing_settings.combination_strategy"));
  auto dates = ExpectError(
      client_->Post(kSimulate, R"({"start_date":"2026-03-10","end_date":"2026-03-01"})", admin_),
      400, "VALIDATION_ERROR");
  EXPECT_TRUE(dates.at("fields").as_object().contains("end_date"));
  auto largest =
      ExpectError(client_->Post(kSimulate, R"({"largest":1000})", admin_), 400, "VALIDATION_ERROR");
  EXPECT_TRUE(largest.at("fields").as_object().contains("largest"));
}

INSTANTIATE_TEST_SUITE_P(Backends, SimulationHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
