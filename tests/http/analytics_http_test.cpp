#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

/// Analytics over a small history placed through the API and completed by the barista, with
/// the instants of placement and readiness set in SQL before completion (the rollups take them
/// from the row). SHOP_TIMEZONE is Europe/Paris, which moves from +01:00 to +02:00 at
/// 2026-03-29T01:00:00Z. The seeded rules price the orders: 10 % off orders of 3 or more items
/// (rule 1; the time-based rule is switched off). Seeded prep times: Espresso (1) 2 min,
/// Cappuccino (2) 3 min, Mocha (5) 5 min, +1 min per extra cup.
///
/// | order | placed (UTC)            | local (Paris)     | items         | base  | disc | net   |
/// quoted | actual | late bin | | O0    | 2026-03-25T10:00:00Z    | 03-25 11:00       | M×1 | 5.00
/// | 0    | 5.00  | 5      | 300 s  | 0        | | O1    | 2026-03-28T22:30:00Z    | 03-28 23:30
/// (+1)  | E×3           | 10.50 | 1.05 | 9.45  | 4      | 360 s  | 2        | | O2    |
/// 2026-03-29T08:00:00Z    | 03-29 10:00 (+2)  | C×1, M×1      | 9.50  | 0    | 9.50  | 8      |
/// 420 s  | −1       | | O3    | 2026-03-29T08:10:00Z    | payment refunded  | E×1           | 3.50
/// | 0    | —     | 2      |        |          | | O4    | 2026-03-30T13:59:59.5Z  | 03-30 15:59 |
/// M×2, E×1      | 13.50 | 1.08 | 12.42 | 8      | 600 s  | 2        | | O5    |
/// 2026-03-30T09:00:00Z    | cancelled pending | E×1           |       |      | —     |        | |
/// | | O6    | 2026-03-31T23:30:00Z    | 04-01 01:30       | C×1           | 4.50  | 0    | 4.50  |
/// 3      | 180 s  | 0        | | O7    | 2026-03-30T10:00:00Z    | refunded (cancel) | E×2 | 7.00
/// | 0    | —     | 3      |        |          |
///
/// O4 is placed with max_discount_percent 8: rule 1 asks 1.35, the cap allows
/// round(13.50 × 8 %) = 1.08, split 0.80 on the mochas (10.00) and 0.28 on the espresso (3.50).
class AnalyticsHttp : public HttpTest {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(
        GetParam(), true, [](config::Config& c) { c.shop_timezone = "Europe/Paris"; });
    client_ = server_->Client();
    server_->db().Exec("UPDATE pricing_rules SET is_active = " + False() +
                       " WHERE rule_type = 'time_based'");
    ASSERT_TRUE(server_->app().ReloadRules());
    user_ = server_->UserToken();
    staff_ = server_->StaffToken();
    admin_ = server_->AdminToken();
  }

  std::string False() const { return GetParam() == "sqlite" ? "0" : "false"; }

  void Status(const std::string& id, const std::string& status) {
    auto res = client_->Patch("/api/orders/" + id + "/status", R"({"status":")" + status + R"("})",
                              staff_);
    ASSERT_EQ(res.status, 200) << res.body;
  }

  /// Places `items`, moves its placement to `placed`, makes it ready `actual_seconds` later and
  /// completes it. Returns the order id.
  std::string Order(const std::string& items, const std::string& placed,
                    std::optional<int> actual_seconds) {
    auto res = client_->Post("/api/orders", R"({"items":)" + items + "}", user_);
    EXPECT_EQ(res.status, 201) << res.body;
    const std::string id(res.Json().as_object()["id"].as_string());
    server_->db().Exec("UPDATE orders SET created_at = '" + placed + "' WHERE id = '" + id + "'");
    if (!actual_seconds) return id;
    for (const char* s : {"confirmed", "preparing", "ready"}) Status(id, s);
    const auto ready =
        domain::ParseTimestamp(placed).value() + std::chrono::seconds(*actual_seconds);
    server_->db().Exec("UPDATE orders SET ready_at = '" + domain::FormatTimestamp(ready) +
                       "' WHERE id = '" + id + "'");
    Status(id, "completed");
    return id;
  }

  void History() {
    Order(R"([{"coffee_item_id":5,"quantity":1}])", "2026-03-25T10:00:00.000000Z", 300);
    Order(R"([{"coffee_item_id":1,"quantity":3}])", "2026-03-28T22:30:00.000000Z", 360);
    Order(R"([{"coffee_item_id":2,"quantity":1},{"coffee_item_id":5,"quantity":1}])",
          "2026-03-29T08:00:00.000000Z", 420);
    const auto o3 =
        Order(R"([{"coffee_item_id":1,"quantity":1}])", "2026-03-29T08:10:00.000000Z", 180);
    for (const char* p : {"paid", "refunded"}) {
      ASSERT_EQ(client_
                    ->Patch("/api/orders/" + o3 + "/payment",
                            std::string(R"({"payment_status":")") + p + R"("})", admin_)
                    .status,
                200);
    }
    ASSERT_EQ(
        client_
            ->Put("/api/business-rules/pricing-settings", R"({"max_discount_percent":8})", admin_)
            .status,
        200);
    Order(R"([{"coffee_item_id":5,"quantity":2},{"coffee_item_id":1,"quantity":1}])",
          "2026-03-30T13:59:59.500000Z", 600);
    const auto o5 = Order(R"([{"coffee_item_id":1,"quantity":1}])", "2026-03-30T09:00:00.000000Z",
                          std::nullopt);
    Status(o5, "cancelled");
    Order(R"([{"coffee_item_id":2,"quantity":1}])", "2026-03-31T23:30:00.000000Z", 180);
    const auto o7 =
        Order(R"([{"coffee_item_id":1,"quantity":2}])", "2026-03-30T10:00:00.000000Z", 200);
    Status(o7, "cancelled");  // a refund of a completed order
  }

  json::value Report(const std::string& path, const std::string& query = kRange) {
    auto res = client_->Get("/api/v1/admin/analytics" + path + "?" + query, admin_);
    EXPECT_EQ(res.status, 200) << path << " " << res.body;
    return res.Json();
  }

  static constexpr const char* kRange = "start_date=2026-03-28&end_date=2026-04-01";

  std::string user_;
  std::string staff_;
  std::string admin_;
};

TEST_P(AnalyticsHttp, SalesTotalCountsOnlyCompletedUnrefundedOrders) {
  History();
  // O1 + O2 + O4 + O6: 9.45 + 9.50 + 12.42 + 4.50 = 35.87 over 4 = 8.9675 → 8.97.
  auto t = Report("/sales/total").as_object();
  EXPECT_EQ(t["orders"], 4);
  EXPECT_EQ(t["revenue"], "35.87");
  EXPECT_EQ(t["average_order_value"], "8.97");
  EXPECT_EQ(t["discount_total"], "2.13");  // 1.05 + 1.08
  EXPECT_EQ(t["start_date"], "2026-03-28");
  EXPECT_EQ(t["end_date"], "2026-04-01");
  // One coffee: Mocha in O2 (5.00) and O4 (9.20).
  t = Report("/sales/total", std::string(kRange) + "&coffee_id=5").as_object();
  EXPECT_EQ(t["orders"], 2);
  EXPECT_EQ(t["revenue"], "14.20");
  EXPECT_EQ(t["discount_total"], "0.80");
  EXPECT_EQ(t["average_order_value"], "7.10");
}

TEST_P(AnalyticsHttp, DatesAreWholeShopDaysAndInstantsCutExactly) {
  History();
  // 2026-03-29 in Paris is [03-28T23:00Z, 03-29T22:00Z): O2 only (O1 is 03-28 local).
  auto t = Report("/sales/total", "start_date=2026-03-29&end_date=2026-03-29").as_object();
  EXPECT_EQ(t["orders"], 1);
  EXPECT_EQ(t["revenue"], "9.50");
  // RFC 3339: [08:05Z, 14:00Z) takes O4 (13:59:59.5) and not O2 (08:00); end is exclusive.
  t = Report("/sales/total", "start_date=2026-03-29T08:05:00Z&end_date=2026-03-30T14:00:00Z")
          .as_object();
  EXPECT_EQ(t["orders"], 1);
  EXPECT_EQ(t["revenue"], "12.42");
  EXPECT_EQ(t["start_date"], "2026-03-29T08:05:00.000000Z");
  t = Report("/sales/total", "start_date=2026-03-29T08:05:00Z&end_date=2026-03-30T13:59:59.5Z")
          .as_object();
  EXPECT_EQ(t["orders"], 0);
  EXPECT_EQ(t["revenue"], "0.00");
  EXPECT_EQ(t["average_order_value"], "0.00");
  t = Report("/sales/total", "start_date=2026-03-29T08:05:00Z&end_date=2026-03-30T13:59:59.500001Z")
          .as_object();
  EXPECT_EQ(t["orders"], 1);
  // An offset other than Z (the + percent-encoded): 09:59:59.5+02:00 is O4's instant, excluded.
  t = Report("/sales/total",
             "start_date=2026-03-30T00:00:00%2B02:00&end_date=2026-03-30T15:59:59.5%2B02:00")
          .as_object();
  EXPECT_EQ(t["orders"], 0);
}

TEST_P(AnalyticsHttp, ByPeriodHasEveryShopDayWeekOrMonthIncludingEmptyOnes) {
  History();
  auto days = Report("/sales/by-period", std::string(kRange) + "&period=daily").as_array();
  ASSERT_EQ(days.size(), 5U);
  const std::vector<std::tuple<std::string, int, std::string, std::string>> expected = {
      {"2026-03-28", 1, "9.45", "1.05"},
      {"2026-03-29", 1, "9.50", "0.00"},
      {"2026-03-30", 1, "12.42", "1.08"},
      {"2026-03-31", 0, "0.00", "0.00"},
      {"2026-04-01", 1, "4.50", "0.00"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto d = days[i].as_object();
    EXPECT_EQ(d["period"], std::get<0>(expected[i]).c_str());
    EXPECT_EQ(d["orders"], std::get<1>(expected[i]));
    EXPECT_EQ(d["revenue"], std::get<2>(expected[i]).c_str());
    EXPECT_EQ(d["discount_total"], std::get<3>(expected[i]).c_str());
  }
  // ISO weeks: W13 is Mon 03-23 … Sun 03-29 (O1, O2), W14 from Mon 03-30 (O4, O6).
  auto weeks = Report("/sales/by-period", std::string(kRange) + "&period=weekly").as_array();
  ASSERT_EQ(weeks.size(), 2U);
  EXPECT_EQ(weeks[0].as_object()["period"], "2026-W13");
  EXPECT_EQ(weeks[0].as_object()["start_date"], "2026-03-23");
  EXPECT_EQ(weeks[0].as_object()["revenue"], "18.95");
  EXPECT_EQ(weeks[1].as_object()["period"], "2026-W14");
  EXPECT_EQ(weeks[1].as_object()["orders"], 2);
  EXPECT_EQ(weeks[1].as_object()["revenue"], "16.92");
  auto months = Report("/sales/by-period", std::string(kRange) + "&period=monthly").as_array();
  ASSERT_EQ(months.size(), 2U);
  EXPECT_EQ(months[0].as_object()["period"], "2026-03");
  EXPECT_EQ(months[0].as_object()["orders"], 3);
  EXPECT_EQ(months[0].as_object()["revenue"], "31.37");
  EXPECT_EQ(months[0].as_object()["discount_total"], "2.13");
  EXPECT_EQ(months[1].as_object()["period"], "2026-04");
  EXPECT_EQ(months[1].as_object()["revenue"], "4.50");
}

TEST_P(AnalyticsHttp, ByHourUsesShopTimeAcrossTheDstChange) {
  History();
  auto hours = Report("/sales/by-hour").as_array();
  ASSERT_EQ(hours.size(), 24U);
  std::map<std::int64_t, std::string> revenue;
  for (const auto& h : hours) {
    const auto& o = h.as_object();
    if (o.at("orders").as_int64() > 0)
      revenue[o.at("hour").as_int64()] = o.at("revenue").as_string().c_str();
  }
  // O1 23:30 (+01:00), O2 10:00 (+02:00: 09:00 would mean the change was missed), O4 15:59,
  // O6 01:30.
  EXPECT_EQ(revenue, (std::map<std::int64_t, std::string>{
                         {1, "4.50"}, {10, "9.50"}, {15, "12.42"}, {23, "9.45"}}));
}

TEST_P(AnalyticsHttp, CoffeeReportsRankAndAddUpToTheTotal) {
  History();
  // Espresso: 3 (O1) + 1 (O4) = 4 cups, 9.45 + 3.22 = 12.67; Mocha: 1 + 2 = 3, 5.00 + 9.20 =
  // 14.20; Cappuccino: 1 + 1 = 2, 4.50 + 4.50 = 9.00.
  auto most = Report("/coffees/most-ordered", std::string(kRange) + "&limit=2").as_array();
  ASSERT_EQ(most.size(), 2U);
  EXPECT_EQ(most[0].as_object()["coffee_name"], "Espresso");
  EXPECT_EQ(most[0].as_object()["quantity"], 4);
  EXPECT_EQ(most[0].as_object()["orders"], 2);
  EXPECT_EQ(most[0].as_object()["revenue"], "12.67");
  EXPECT_EQ(most[1].as_object()["coffee_id"], 5);
  EXPECT_EQ(most[1].as_object()["quantity"], 3);

  auto by_coffee = Report("/revenue/by-coffee").as_array();
  ASSERT_EQ(by_coffee.size(), 3U);
  const std::vector<std::tuple<int, std::string, std::string, std::string>> expected = {
      {5, "15.00", "0.80", "14.20"}, {1, "14.00", "1.33", "12.67"}, {2, "9.00", "0.00", "9.00"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto c = by_coffee[i].as_object();
    EXPECT_EQ(c["coffee_id"], std::get<0>(expected[i]));
    EXPECT_EQ(c["gross"], std::get<1>(expected[i]).c_str());
    EXPECT_EQ(c["discount"], std::get<2>(expected[i]).c_str());
    EXPECT_EQ(c["net"], std::get<3>(expected[i]).c_str());
  }
  // 14.20 + 12.67 + 9.00 = 35.87, the sales revenue.

  // Trending against the 5 days before (O0: one Mocha): Espresso +4, Mocha 3 vs 1 (+200 %),
  // Cappuccino +2 from nothing (no percentage); ties on growth by quantity.
  auto trending = Report("/coffees/trending").as_array();
  ASSERT_EQ(trending.size(), 3U);
  EXPECT_EQ(trending[0].as_object()["coffee_id"], 1);
  EXPECT_EQ(trending[0].as_object()["previous_quantity"], 0);
  EXPECT_TRUE(trending[0].as_object()["change_percent"].is_null());
  EXPECT_EQ(trending[1].as_object()["coffee_id"], 5);
  EXPECT_EQ(trending[1].as_object()["quantity"], 3);
  EXPECT_EQ(trending[1].as_object()["previous_quantity"], 1);
  EXPECT_DOUBLE_EQ(trending[1].as_object()["change_percent"].to_number<double>(), 200.0);
  EXPECT_EQ(trending[2].as_object()["coffee_id"], 2);

  // Sales trends: 4 orders / 35.87 now against 1 / 5.00 before: +300 %, +617.40 %.
  auto trends = Report("/sales/trends").as_object();
  EXPECT_EQ(trends["previous_orders"], 1);
  EXPECT_EQ(trends["previous_revenue"], "5.00");
  EXPECT_DOUBLE_EQ(trends["orders_change_percent"].to_number<double>(), 300.0);
  EXPECT_DOUBLE_EQ(trends["revenue_change_percent"].to_number<double>(), 617.4);
}

TEST_P(AnalyticsHttp, DiscountCostComesFromTheAuditLogWithCappedOrders) {
  History();
  auto rules = Report("/rules/discount-cost").as_array();
  ASSERT_EQ(rules.size(), 1U);
  auto r = rules[0].as_object();
  EXPECT_EQ(r["rule_id"], 1);
  EXPECT_EQ(r["description"], "10% off orders of 3 or more items");
  EXPECT_EQ(r["orders"], 2);
  EXPECT_EQ(r["discount_total"], "2.13");
  EXPECT_EQ(r["capped_orders"], 1);  // O4, clipped by max_discount_percent 8
  ExpectError(client_->Get("/api/v1/admin/analytics/rules/discount-cost?coffee_id=1", admin_), 400,
              "VALIDATION_ERROR");
}

TEST_P(AnalyticsHttp, PrepTimeAccuracyComparesQuotedAndActualMinutes) {
  History();
  auto p = Report("/prep-time/accuracy").as_object();
  // Quoted 4, 8, 8, 3 → 5.75; actual 360, 420, 600, 180 s → 6.50 min; bins −1, 0, 2, 2:
  // the 4th of 4 (ceil(0.9 × 4)) is 2.
  auto overall = p["overall"].as_object();
  EXPECT_EQ(overall["orders"], 4);
  EXPECT_DOUBLE_EQ(overall["mean_quoted"].to_number<double>(), 5.75);
  EXPECT_DOUBLE_EQ(overall["mean_actual"].to_number<double>(), 6.5);
  EXPECT_EQ(overall["p90_late_minutes"], 2);
  auto coffees = p["coffees"].as_array();
  ASSERT_EQ(coffees.size(), 3U);
  // Espresso (O1, O4): 6.00 / 8.00, p90 2; Cappuccino (O2, O6): 5.50 / 5.00, bins −1, 0 → 0;
  // Mocha (O2, O4): 8.00 / 8.50, bins −1, 2 → 2.
  const std::vector<std::tuple<int, double, double, int>> expected = {
      {1, 6.0, 8.0, 2}, {2, 5.5, 5.0, 0}, {5, 8.0, 8.5, 2}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto c = coffees[i].as_object();
    EXPECT_EQ(c["coffee_id"], std::get<0>(expected[i]));
    EXPECT_EQ(c["orders"], 2);
    EXPECT_DOUBLE_EQ(c["mean_quoted"].to_number<double>(), std::get<1>(expected[i]));
    EXPECT_DOUBLE_EQ(c["mean_actual"].to_number<double>(), std::get<2>(expected[i]));
    EXPECT_EQ(c["p90_late_minutes"], std::get<3>(expected[i]));
  }
  auto hours = p["hours"].as_array();
  ASSERT_EQ(hours.size(), 24U);
  EXPECT_EQ(hours[10].as_object()["orders"], 1);  // O2 (O3 was refunded)
  EXPECT_DOUBLE_EQ(hours[10].as_object()["mean_quoted"].to_number<double>(), 8.0);
  EXPECT_DOUBLE_EQ(hours[10].as_object()["mean_actual"].to_number<double>(), 7.0);
  EXPECT_EQ(hours[12].as_object()["orders"], 0);
  EXPECT_TRUE(hours[12].as_object()["mean_actual"].is_null());
}

TEST_P(AnalyticsHttp, LoyaltyOutstandingIsWhatCustomersHoldNow) {
  History();
  // floor(final) points: O0 5, O1 9, O2 9, O3 3, O4 12, O6 4, O7 7 (taken back by the refund).
  auto l = Report("/loyalty/outstanding").as_object();
  EXPECT_EQ(l["customers"], 1);
  EXPECT_EQ(l["points_balance_total"], 42);
  EXPECT_EQ(l["lifetime_points_total"], 49);
}

TEST_P(AnalyticsHttp, RatingReportsCoverVisibleReviewsInTheRange) {
  const std::string barista = staff_;
  auto reg = client_->Post("/api/auth/register",
                           R"({"email":"rita@example.com","password":"Reviewer123"})");
  ASSERT_EQ(reg.status, 201);
  const std::string rita(reg.Json().as_object()["access_token"].as_string());
  const auto review = [&](int coffee, int rating, const std::string& token) {
    auto res = client_->Post("/api/reviews",
                             R"({"coffee_id":)" + std::to_string(coffee) + R"(,"rating":)" +
                                 std::to_string(rating) + "}",
                             token);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.Json().as_object()["id"].as_int64();
  };
  review(1, 5, user_);
  review(1, 4, admin_);
  review(1, 3, barista);
  review(5, 4, user_);
  review(5, 2, admin_);
  const auto hidden = review(5, 5, rita);
  review(2, 5, rita);  // one review: below the threshold of 3
  // Espresso 12 / 3 = 4.00, Mocha 11 / 3 = 3.67 (default range: the last 30 days).
  auto best = Report("/coffees/highest-rated", "").as_array();
  ASSERT_EQ(best.size(), 2U);
  EXPECT_EQ(best[0].as_object()["coffee_id"], 1);
  EXPECT_DOUBLE_EQ(best[0].as_object()["average_rating"].to_number<double>(), 4.0);
  EXPECT_EQ(best[0].as_object()["review_count"], 3);
  EXPECT_DOUBLE_EQ(best[1].as_object()["average_rating"].to_number<double>(), 3.67);
  // Hidden reviews leave every rating report.
  ASSERT_EQ(client_
                ->Patch("/api/admin/reviews/" + std::to_string(hidden),
                        R"({"hidden":true,"reason":"duplicate account"})", admin_)
                .status,
            200);
  best = Report("/coffees/highest-rated", "").as_array();
  ASSERT_EQ(best.size(), 1U);
  auto dist = Report("/ratings/distribution", "").as_array();
  ASSERT_EQ(dist.size(), 5U);
  std::vector<std::int64_t> counts;
  for (const auto& d : dist) counts.push_back(d.as_object().at("count").as_int64());
  EXPECT_EQ(counts, (std::vector<std::int64_t>{0, 1, 1, 2, 2}));  // 2, 3, 4, 4, 5, 5
  auto avg = Report("/ratings/average", "coffee_id=5").as_object();
  EXPECT_DOUBLE_EQ(avg["average_rating"].to_number<double>(), 3.0);  // (4 + 2) / 2
  EXPECT_EQ(avg["review_count"], 2);
  auto trends = Report("/ratings/trends", "").as_array();
  ASSERT_EQ(trends.size(), 30U);
  EXPECT_EQ(trends.back().as_object()["review_count"], 6);  // every review is from today
  EXPECT_DOUBLE_EQ(trends.back().as_object()["average_rating"].to_number<double>(),
                   3.83);  // 23 / 6
  EXPECT_TRUE(trends.front().as_object()["average_rating"].is_null());
  // A range that ended yesterday has none of them.
  auto old =
      Report("/ratings/distribution", "start_date=2025-01-01&end_date=2025-12-31").as_array();
  for (const auto& d : old) EXPECT_EQ(d.as_object().at("count"), 0);
}

TEST_P(AnalyticsHttp, DefaultRangeIsTheLastThirtyShopDays) {
  auto days = Report("/sales/by-period", "").as_array();
  ASSERT_EQ(days.size(), 30U);
  for (const auto& d : days) EXPECT_EQ(d.as_object().at("orders"), 0);
  auto t = Report("/sales/total", "").as_object();
  EXPECT_EQ(t["orders"], 0);
  EXPECT_EQ(t["revenue"], "0.00");
  EXPECT_EQ(t["start_date"].as_string().size(), 10U);
}

TEST_P(AnalyticsHttp, BadParametersAreRefusedNamingThem) {
  const auto bad = [&](const std::string& path, const std::string& query,
                       const std::string& field) {
    auto body = ExpectError(client_->Get("/api/v1/admin/analytics" + path + "?" + query, admin_),
                            400, "VALIDATION_ERROR");
    EXPECT_TRUE(body["fields"].as_object().contains(field)) << query << " " << body;
  };
  bad("/sales/total", "start_date=2026-02-30", "start_date");
  bad("/sales/total", "start_date=yesterday", "start_date");
  bad("/sales/total", "end_date=2026-13-01", "end_date");
  bad("/sales/total", "start_date=2026-03-10&end_date=2026-03-09", "end_date");
  bad("/sales/total", "start_date=2026-03-10T10:00:00Z&end_date=2026-03-10T10:00:00Z", "end_date");
  bad("/sales/total", "start_date=2025-01-01&end_date=2026-01-02", "end_date");  // 367 days
  bad("/sales/total", "start_date=2025-01-01T00:00:00Z&end_date=2026-01-02T00:00:00.000001Z",
      "end_date");
  bad("/sales/by-period", "period=yearly", "period");
  bad("/coffees/most-ordered", "limit=0", "limit");
  bad("/coffees/most-ordered", "limit=101", "limit");
  bad("/sales/total", "coffee_id=abc", "coffee_id");
  // Exactly 366 days, as dates (a leap year) or as instants, is allowed.
  EXPECT_EQ(
      client_
          ->Get("/api/v1/admin/analytics/sales/total?start_date=2024-01-01&end_date=2024-12-31",
                admin_)
          .status,
      200);
  EXPECT_EQ(client_
                ->Get("/api/v1/admin/analytics/sales/by-period?start_date=2025-01-01T00:00:00Z"
                      "&end_date=2026-01-02T00:00:00Z",
                      admin_)
                .status,
            200);
  ExpectError(client_->Get("/api/v1/admin/analytics/sales/total?coffee_id=999", admin_), 404,
              "COFFEE_NOT_FOUND");
  ExpectError(client_->Get("/api/v1/admin/analytics/sales/total", staff_), 403, "FORBIDDEN");
}

INSTANTIATE_TEST_SUITE_P(Http, AnalyticsHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
