#include <chrono>
#include <cstdio>
#include <tuple>
#include <vector>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

const char* kRulePath = "/api/business-rules/pricing";

const char* kPromotion =
    R"({"rule_type":"promotional","description":"Spring promotion","discount_type":"percentage",)"
    R"("discount_value":"12.5","priority":50,"coffee_ids":[1,2]})";

/// One admin route and a body that would be valid for it.
struct AdminRoute {
  std::string method;
  std::string path;
  std::string body;
};

std::vector<AdminRoute> AdminRoutes() {
  return {
      {"POST", "/api/business-rules/availability", R"({"coffee_id":1,"status":"out_of_stock"})"},
      {"POST", kRulePath, kPromotion},
      {"PUT", "/api/business-rules/pricing/1", kPromotion},
      {"DELETE", "/api/business-rules/pricing/1", ""},
      {"PUT", "/api/business-rules/pricing-settings", R"({"combination_strategy":"additive"})"},
      {"PUT", "/api/business-rules/prep-time", R"({"baristas":2})"},
      {"PUT", "/api/business-rules/prep-time/1", R"({"base_minutes":5})"},
      {"PUT", "/api/business-rules/loyalty-config", R"({"points_per_dollar":2})"},
      {"GET", "/api/business-rules/audit", ""},
      {"GET", "/api/business-rules/changes", ""},
  };
}

/// "HH:00" for the current UTC hour shifted by `hours` (the test server reads windows in UTC).
std::string UtcHourFromNow(int hours) {
  const auto now = std::chrono::system_clock::now();
  const auto day = std::chrono::floor<std::chrono::days>(now);
  const auto hour = std::chrono::duration_cast<std::chrono::hours>(now - day).count();
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:00", static_cast<int>((hour + hours + 24) % 24));
  return buf;
}

class RulesHttp : public HttpTest {
 protected:
  std::int64_t Changes() {
    return std::stoll(server_->db().QueryValue("SELECT COUNT(*) FROM config_change_log"));
  }
  HttpResult Call(const AdminRoute& route, const std::string& token) {
    HeaderList headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!route.body.empty()) headers.emplace_back("Content-Type", "application/json");
    return client_->Send(route.method, route.path, route.body, headers);
  }
  /// Expects a 400 whose `fields` names `field`.
  void ExpectFieldError(const HttpResult& res, const std::string& field, const std::string& what) {
    auto body = ExpectError(res, 400, "VALIDATION_ERROR");
    ASSERT_TRUE(body.contains("fields")) << what << ": " << res.body;
    EXPECT_TRUE(body["fields"].as_object().contains(field))
        << what << ": expected field " << field << " in " << res.body;
  }
  static json::object Object(const HttpResult& res) { return res.Json().as_object(); }
  static std::vector<std::int64_t> Ids(const HttpResult& res) {
    std::vector<std::int64_t> ids;
    const auto body = res.Json();
    for (const auto& r : body.as_array()) ids.push_back(r.as_object().at("id").as_int64());
    return ids;
  }
};

TEST_P(RulesHttp, GuideCommandsAnswerWithTheSeededRules) {
  auto availability = client_->Get("/api/business-rules/availability/1");
  ASSERT_EQ(availability.status, 200) << availability.body;
  auto a = Object(availability);
  EXPECT_EQ(a["coffee_id"], 1);
  EXPECT_EQ(a["status"], "available");
  EXPECT_EQ(a["available_now"], true);
  for (const char* k : {"reason", "available_from", "available_until", "updated_at"}) {
    EXPECT_TRUE(a.contains(k)) << k;
  }

  auto pricing = client_->Get(kRulePath);
  ASSERT_EQ(pricing.status, 200) << pricing.body;
  EXPECT_EQ(pricing.Header("content-type"), "application/json");
  auto rules = pricing.Json().as_array();
  ASSERT_EQ(rules.size(), 2U) << pricing.body;
  auto quantity = rules[0].as_object();
  EXPECT_EQ(quantity["rule_type"], "quantity_based");
  EXPECT_EQ(quantity["discount_type"], "percentage");
  EXPECT_EQ(quantity["discount_value"].to_number<double>(), 10.0);
  EXPECT_EQ(quantity["min_quantity"], 3);
  EXPECT_EQ(quantity["priority"], 100);
  EXPECT_EQ(quantity["coffee_ids"], nullptr);
  auto happy_hour = rules[1].as_object();
  EXPECT_EQ(happy_hour["rule_type"], "time_based");
  EXPECT_EQ(happy_hour["discount_value"].to_number<double>(), 15.0);
  EXPECT_EQ(happy_hour["time_ranges"], json::parse(R"([{"start":"14:00","end":"16:00"}])"));
  EXPECT_NE(pricing.body.find(R"("discount_value":15,)"), std::string::npos) << pricing.body;

  auto loyalty = client_->Get("/api/business-rules/loyalty-config");
  ASSERT_EQ(loyalty.status, 200) << loyalty.body;
  auto l = Object(loyalty);
  EXPECT_EQ(l["points_per_dollar"].to_number<double>(), 1.0);
  EXPECT_TRUE(l["bonus_multipliers"].as_object().empty());
}

TEST_P(RulesHttp, EveryAdminRouteIs401WithoutTokenAnd403ForUserAndStaff) {
  const std::string user = server_->UserToken();
  const std::string staff = server_->StaffToken();
  for (const auto& route : AdminRoutes()) {
    const std::string what = route.method + " " + route.path;
    auto missing = ExpectError(Call(route, ""), 401, "MISSING_TOKEN");
    EXPECT_EQ(missing["details"], "Missing authentication token") << what;
    ExpectError(Call(route, user), 403, "FORBIDDEN");
    auto forbidden = ExpectError(Call(route, staff), 403, "FORBIDDEN");  // staff cannot edit rules
    EXPECT_EQ(forbidden["details"], "Insufficient permissions: required role 'admin'") << what;
  }
  EXPECT_EQ(Changes(), 0);
  EXPECT_EQ(Ids(client_->Get(kRulePath)).size(), 2U);
}

TEST_P(RulesHttp, AvailabilityListsEveryCoffeeAndUnknownCoffeeIs404) {
  auto list = client_->Get("/api/business-rules/availability");
  ASSERT_EQ(list.status, 200) << list.body;
  auto items = list.Json().as_array();
  ASSERT_EQ(items.size(), 12U);
  EXPECT_EQ(list.Header("x-total-count"), "12");
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].as_object().at("coffee_id").as_int64(), static_cast<std::int64_t>(i + 1));
  }
  auto missing =
      ExpectError(client_->Get("/api/business-rules/availability/999"), 404, "NOT_FOUND");
  EXPECT_EQ(missing["details"], "Coffee with id 999 not found");
  ExpectError(client_->Get("/api/business-rules/availability/abc"), 400, "VALIDATION_ERROR");
}

TEST_P(RulesHttp, AvailabilityUpsertIsShownWithAvailableNow) {
  const std::string admin = server_->AdminToken();
  auto created = client_->Post(
      "/api/business-rules/availability",
      R"({"coffee_id":3,"status":"out_of_stock","reason":"Milk delivery late"})", admin);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Object(created)["available_now"], false);
  auto got = Object(client_->Get("/api/business-rules/availability/3"));
  EXPECT_EQ(got["status"], "out_of_stock");
  EXPECT_EQ(got["reason"], "Milk delivery late");
  EXPECT_EQ(got["available_now"], false);
  EXPECT_TRUE(got["updated_at"].is_string());

  // A window around the current hour (UTC shop time) is open; one two hours ahead is closed.
  const std::string open = R"({"coffee_id":3,"status":"seasonal","available_from":")" +
                           UtcHourFromNow(0) + R"(","available_until":")" + UtcHourFromNow(1) +
                           R"("})";
  auto seasonal = client_->Post("/api/business-rules/availability", open, admin);
  ASSERT_EQ(seasonal.status, 201) << seasonal.body;
  got = Object(client_->Get("/api/business-rules/availability/3"));
  EXPECT_EQ(got["status"], "seasonal");
  EXPECT_EQ(got["available_from"], UtcHourFromNow(0).c_str());
  EXPECT_EQ(got["reason"], nullptr);
  EXPECT_EQ(got["available_now"], true);
  const std::string closed = R"({"coffee_id":3,"status":"available","available_from":")" +
                             UtcHourFromNow(2) + R"(","available_until":")" + UtcHourFromNow(3) +
                             R"("})";
  ASSERT_EQ(client_->Post("/api/business-rules/availability", closed, admin).status, 201);
  EXPECT_EQ(Object(client_->Get("/api/business-rules/availability/3"))["available_now"], false);
  EXPECT_EQ(Changes(), 3);
}

TEST_P(RulesHttp, InvalidAvailabilityNamesTheFieldAndWritesNothing) {
  const std::string admin = server_->AdminToken();
  const std::vector<std::tuple<std::string, std::string>> cases = {
      {R"({"coffee_id":1,"status":"seasonal"})", "available_from"},
      {R"({"coffee_id":1,"status":"available","available_from":"25:00","available_until":"10:00"})",
       "available_from"},
      {R"({"coffee_id":1,"status":"available","available_from":"08:00"})", "available_until"},
      {R"({"coffee_id":1,"status":"available","available_from":"08:00","available_until":"08:00"})",
       "available_until"},
      {R"({"coffee_id":1,"status":"sold_out"})", "status"},
      {R"({"coffee_id":999,"status":"available"})", "coffee_id"},
      {R"({"status":"available"})", "coffee_id"},
  };
  for (const auto& [body, field] : cases) {
    ExpectFieldError(client_->Post("/api/business-rules/availability", body, admin), field, body);
  }
  auto status = ExpectError(
      client_->Post("/api/business-rules/availability", R"({"coffee_id":1,"status":"x"})", admin),
      400, "VALIDATION_ERROR");
  EXPECT_EQ(status["details"],
            "status: must be one of available, out_of_stock, seasonal, discontinued");
  EXPECT_EQ(Changes(), 0);
  EXPECT_EQ(Object(client_->Get("/api/business-rules/availability/1"))["status"], "available");
}

TEST_P(RulesHttp, PricingRuleRoundTrip) {
  const std::string admin = server_->AdminToken();
  const std::string user = server_->UserToken();
  auto created = client_->Post(kRulePath, kPromotion, admin);
  ASSERT_EQ(created.status, 201) << created.body;
  auto rule = Object(created);
  const std::int64_t id = rule["id"].as_int64();
  const std::string path = std::string(kRulePath) + "/" + std::to_string(id);
  EXPECT_EQ(rule["rule_type"], "promotional");
  EXPECT_EQ(rule["discount_value"].to_number<double>(), 12.5);
  EXPECT_EQ(rule["priority"], 50);
  EXPECT_EQ(rule["is_active"], true);
  EXPECT_EQ(rule["coffee_ids"], json::parse("[1,2]"));
  EXPECT_EQ(rule["valid_until"], nullptr);
  EXPECT_TRUE(rule["valid_from"].is_string());  // defaults to now
  EXPECT_TRUE(rule["created_at"].is_string());

  EXPECT_EQ(Ids(client_->Get(kRulePath)).size(), 3U);
  auto got = client_->Get(path);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Object(got)["description"], "Spring promotion");

  auto replaced = client_->Put(
      path,
      R"({"rule_type":"time_based","description":"Morning","discount_type":"fixed_amount",)"
      R"("discount_value":2.5,"time_ranges":[{"start":"22:00","end":"02:00"}],)"
      R"("days_of_week":[5,6],"valid_from":"2026-01-01T00:00:00Z","valid_until":"2027-01-01T00:00:00Z"})",
      admin);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  auto r = Object(replaced);
  EXPECT_EQ(r["id"], id);
  EXPECT_EQ(r["rule_type"], "time_based");
  EXPECT_NE(replaced.body.find(R"("discount_value":2.5,)"), std::string::npos) << replaced.body;
  EXPECT_EQ(r["coffee_ids"], nullptr);  // full replacement
  EXPECT_EQ(r["priority"], 0);
  EXPECT_EQ(r["days_of_week"], json::parse("[5,6]"));
  EXPECT_EQ(r["valid_from"], "2026-01-01T00:00:00.000000Z");
  EXPECT_EQ(Object(client_->Get(path))["description"], "Morning");

  EXPECT_EQ(client_->Delete(path, admin).status, 204);
  EXPECT_EQ(Ids(client_->Get(kRulePath)).size(), 2U);
  EXPECT_EQ(Ids(client_->Get(std::string(kRulePath) + "?include_inactive=true", user)).size(), 2U);
  auto all = client_->Get(std::string(kRulePath) + "?include_inactive=true", admin);
  EXPECT_EQ(Ids(all).size(), 3U);
  ExpectError(client_->Get(path), 404, "NOT_FOUND");
  ExpectError(client_->Get(path, user), 404, "NOT_FOUND");
  auto inactive = client_->Get(path, admin);
  ASSERT_EQ(inactive.status, 200);
  EXPECT_EQ(Object(inactive)["is_active"], false);

  EXPECT_EQ(client_->Delete(path, admin).status, 204);  // already inactive: nothing changes
  EXPECT_EQ(Changes(), 3);
  const auto log = client_->Get("/api/business-rules/changes", admin).Json();
  ASSERT_EQ(log.as_array().size(), 3U);
  std::vector<std::string> actions;
  for (const auto& c : log.as_array()) {
    const auto& change = c.as_object();
    EXPECT_EQ(change.at("entity"), "pricing_rule");
    EXPECT_EQ(change.at("entity_id"), std::to_string(id).c_str());
    actions.emplace_back(change.at("action").as_string());
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"delete", "update", "create"}));
  const auto& create = log.as_array()[2].as_object();
  EXPECT_EQ(create.at("before"), nullptr);
  // The change records the rule as the API returned it, without the warnings about it (which
  // describe the configuration, not the change).
  auto returned = json::parse(created.body).as_object();
  EXPECT_TRUE(returned.at("warnings").as_array().empty());
  returned.erase("warnings");
  EXPECT_EQ(create.at("after"), returned);
  const auto& remove = log.as_array()[0].as_object();
  EXPECT_EQ(remove.at("before").as_object().at("is_active"), true);
  EXPECT_EQ(remove.at("after").as_object().at("is_active"), false);
  ExpectError(client_->Delete(std::string(kRulePath) + "/999", admin), 404, "NOT_FOUND");
  ExpectError(client_->Put(std::string(kRulePath) + "/999", kPromotion, admin), 404, "NOT_FOUND");
  ExpectFieldError(client_->Get(std::string(kRulePath) + "?include_inactive=maybe", admin),
                   "include_inactive", "include_inactive");
  EXPECT_EQ(Changes(), 3);
}

TEST_P(RulesHttp, InvalidPricingRuleNamesEachField) {
  const std::string admin = server_->AdminToken();
  const std::string promo = R"("rule_type":"promotional","discount_type":"percentage")";
  const std::vector<std::tuple<std::string, std::string>> cases = {
      {"{" + promo + R"(,"discount_value":0})", "discount_value"},
      {"{" + promo + R"(,"discount_value":101})", "discount_value"},
      {"{" + promo + R"(,"discount_value":"1.234"})", "discount_value"},
      {R"({"rule_type":"promotional","discount_type":"fixed_amount","discount_value":10001})",
       "discount_value"},
      {R"({"rule_type":"time_based","discount_type":"percentage","discount_value":5})",
       "time_ranges"},
      {R"({"rule_type":"time_based","discount_type":"percentage","discount_value":5,)"
       R"("time_ranges":[{"start":"10:00","end":"10:00"}]})",
       "time_ranges"},
      {R"({"rule_type":"time_based","discount_type":"percentage","discount_value":5,)"
       R"("time_ranges":[{"start":"10:00","end":"24:30"}]})",
       "time_ranges"},
      {R"({"rule_type":"quantity_based","discount_type":"percentage","discount_value":5})",
       "min_quantity"},
      {R"({"rule_type":"quantity_based","discount_type":"percentage","discount_value":5,)"
       R"("min_quantity":0})",
       "min_quantity"},
      {"{" + promo + R"(,"discount_value":5,"days_of_week":[8]})", "days_of_week"},
      {"{" + promo + R"(,"discount_value":5,"coffee_ids":[1,999]})", "coffee_ids"},
      {"{" + promo + R"(,"discount_value":5,"coffee_ids":[]})", "coffee_ids"},
      {"{" + promo +
           R"(,"discount_value":5,"valid_from":"2026-06-01T00:00:00Z",)"
           R"("valid_until":"2026-01-01T00:00:00Z"})",
       "valid_until"},
      {"{" + promo + R"(,"discount_value":5,"valid_from":"tomorrow"})", "valid_from"},
      {R"({"rule_type":"weekly","discount_type":"percentage","discount_value":5})", "rule_type"},
      {R"({"rule_type":"promotional","discount_type":"bogus","discount_value":5})",
       "discount_type"},
  };
  for (const auto& [body, field] : cases) {
    ExpectFieldError(client_->Post(kRulePath, body, admin), field, "POST " + body);
    ExpectFieldError(client_->Put(std::string(kRulePath) + "/1", body, admin), field,
                     "PUT " + body);
  }
  auto unknown = ExpectError(
      client_->Post(kRulePath,
                    R"({"rule_type":"weekly","discount_type":"percentage","discount_value":5})",
                    admin),
      400, "VALIDATION_ERROR");
  EXPECT_EQ(unknown["details"],
            "rule_type: must be one of time_based, quantity_based, promotional");
  EXPECT_EQ(Changes(), 0);
  EXPECT_EQ(Ids(client_->Get(std::string(kRulePath) + "?include_inactive=true", admin)).size(), 2U);
  EXPECT_EQ(Object(client_->Get(std::string(kRulePath) + "/1"))["rule_type"], "quantity_based");
}

TEST_P(RulesHttp, PricingSettingsGetAndPut) {
  const std::string admin = server_->AdminToken();
  auto defaults = Object(client_->Get("/api/business-rules/pricing-settings"));
  EXPECT_EQ(defaults["combination_strategy"], "best_price");
  EXPECT_EQ(defaults["max_discount_percent"].to_number<double>(), 100.0);
  auto put =
      client_->Put("/api/business-rules/pricing-settings",
                   R"({"combination_strategy":"additive","max_discount_percent":"40.5"})", admin);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Object(put)["max_discount_percent"].to_number<double>(), 40.5);
  // Absent fields keep their value.
  ASSERT_EQ(client_
                ->Put("/api/business-rules/pricing-settings",
                      R"({"combination_strategy":"multiplicative"})", admin)
                .status,
            200);
  auto got = Object(client_->Get("/api/business-rules/pricing-settings"));
  EXPECT_EQ(got["combination_strategy"], "multiplicative");
  EXPECT_EQ(got["max_discount_percent"].to_number<double>(), 40.5);
  EXPECT_TRUE(got["updated_at"].is_string());
  EXPECT_EQ(Changes(), 2);

  const std::vector<std::tuple<std::string, std::string>> cases = {
      {R"({"max_discount_percent":101})", "max_discount_percent"},
      {R"({"max_discount_percent":-1})", "max_discount_percent"},
      {R"({"combination_strategy":"cheapest"})", "combination_strategy"},
      {R"({})", "body"},
  };
  for (const auto& [body, field] : cases) {
    ExpectFieldError(client_->Put("/api/business-rules/pricing-settings", body, admin), field,
                     body);
  }
  EXPECT_EQ(Changes(), 2);
}

TEST_P(RulesHttp, PrepTimeSettingsAndPerCoffee) {
  const std::string admin = server_->AdminToken();
  auto settings = Object(client_->Get("/api/business-rules/prep-time"));
  EXPECT_EQ(settings["default_base_minutes"], 3);
  EXPECT_EQ(settings["default_per_additional_item"], 1);
  EXPECT_EQ(settings["baristas"], 1);
  auto put = client_->Put("/api/business-rules/prep-time",
                          R"({"baristas":2,"default_base_minutes":4})", admin);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Object(put)["baristas"], 2);
  EXPECT_EQ(Object(put)["default_per_additional_item"], 1);

  auto espresso = Object(client_->Get("/api/business-rules/prep-time/1"));
  EXPECT_EQ(espresso["coffee_id"], 1);
  EXPECT_EQ(espresso["base_minutes"], 2);
  EXPECT_EQ(espresso["per_additional_item"], 1);
  auto put_one = client_->Put("/api/business-rules/prep-time/1",
                              R"({"base_minutes":5,"per_additional_item":2})", admin);
  EXPECT_EQ(put_one.status, 204) << put_one.body;
  espresso = Object(client_->Get("/api/business-rules/prep-time/1"));
  EXPECT_EQ(espresso["base_minutes"], 5);
  EXPECT_EQ(espresso["per_additional_item"], 2);

  server_->db().Exec("DELETE FROM prep_time_config WHERE coffee_id = 12");
  auto defaulted = Object(client_->Get("/api/business-rules/prep-time/12"));
  EXPECT_EQ(defaulted["base_minutes"], 4);  // the settings' default
  EXPECT_EQ(defaulted["per_additional_item"], 1);
  EXPECT_EQ(defaulted["is_default"], true);
  ExpectError(client_->Get("/api/business-rules/prep-time/999"), 404, "NOT_FOUND");
  ExpectError(client_->Put("/api/business-rules/prep-time/999", R"({"base_minutes":5})", admin),
              404, "NOT_FOUND");
  EXPECT_EQ(Changes(), 2);

  for (const auto& [path, body, field] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/api/business-rules/prep-time", R"({"baristas":0})", "baristas"},
           {"/api/business-rules/prep-time", R"({"default_base_minutes":0})",
            "default_base_minutes"},
           {"/api/business-rules/prep-time", R"({"default_per_additional_item":-1})",
            "default_per_additional_item"},
           {"/api/business-rules/prep-time", R"({"baristas":"two"})", "baristas"},
           {"/api/business-rules/prep-time/1", R"({"base_minutes":0})", "base_minutes"},
           {"/api/business-rules/prep-time/1", R"({"per_additional_item":241})",
            "per_additional_item"},
           {"/api/business-rules/prep-time/1", R"({})", "body"},
       }) {
    ExpectFieldError(client_->Put(path, body, admin), field, path + " " + body);
  }
  EXPECT_EQ(Changes(), 2);
}

TEST_P(RulesHttp, LoyaltyConfigGetAndPut) {
  const std::string admin = server_->AdminToken();
  auto put =
      client_->Put("/api/business-rules/loyalty-config",
                   R"({"points_per_dollar":1.5,"bonus_multipliers":{"1":2.0,"5":"1.5"}})", admin);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_NE(put.body.find(R"("points_per_dollar":1.5)"), std::string::npos) << put.body;
  EXPECT_NE(put.body.find(R"("bonus_multipliers":{"1":2,"5":1.5})"), std::string::npos) << put.body;
  auto got = Object(client_->Get("/api/business-rules/loyalty-config"));
  EXPECT_EQ(got["bonus_multipliers"].as_object().size(), 2U);
  EXPECT_EQ(Changes(), 1);

  const std::vector<std::tuple<std::string, std::string>> cases = {
      {R"({"bonus_multipliers":{"1":0.5}})", "bonus_multipliers.1"},
      {R"({"bonus_multipliers":{"999":2}})", "bonus_multipliers.999"},
      {R"({"bonus_multipliers":{"abc":2}})", "bonus_multipliers.abc"},
      {R"({"points_per_dollar":-1})", "points_per_dollar"},
      {R"({"points_per_dollar":"1.23456"})", "points_per_dollar"},
      {R"({"bonus_multipliers":[1]})", "bonus_multipliers"},
      {R"({})", "body"},
  };
  for (const auto& [body, field] : cases) {
    ExpectFieldError(client_->Put("/api/business-rules/loyalty-config", body, admin), field, body);
  }
  EXPECT_EQ(Changes(), 1);
  EXPECT_EQ(Object(client_->Get("/api/business-rules/loyalty-config"))["points_per_dollar"]
                .to_number<double>(),
            1.5);
}

TEST_P(RulesHttp, EveryChangeWritesOneChangeRecordWithBeforeAndAfter) {
  const std::string admin = server_->AdminToken();
  const std::string admin_id =
      server_->db().QueryValue("SELECT id FROM users WHERE email = 'admin@example.com'");
  ASSERT_EQ(client_
                ->Post("/api/business-rules/availability",
                       R"({"coffee_id":2,"status":"discontinued"})", admin)
                .status,
            201);
  EXPECT_EQ(Changes(), 1);
  ASSERT_EQ(client_
                ->Post("/api/business-rules/availability",
                       R"({"coffee_id":2,"status":"available"})", admin)
                .status,
            201);
  EXPECT_EQ(Changes(), 2);
  ASSERT_EQ(client_->Put("/api/business-rules/prep-time", R"({"baristas":3})", admin).status, 200);
  EXPECT_EQ(Changes(), 3);

  auto res = client_->Get("/api/business-rules/changes?limit=2", admin);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("x-total-count"), "3");
  auto changes = res.Json().as_array();
  ASSERT_EQ(changes.size(), 2U);
  auto newest = changes[0].as_object();  // newest first
  EXPECT_EQ(newest["entity"], "prep_time_settings");
  EXPECT_EQ(newest["action"], "update");
  EXPECT_EQ(newest["before"].as_object()["baristas"], 1);
  EXPECT_EQ(newest["after"].as_object()["baristas"], 3);
  EXPECT_EQ(std::to_string(newest["actor_id"].as_int64()), admin_id);
  auto update = changes[1].as_object();
  EXPECT_EQ(update["entity"], "availability");
  EXPECT_EQ(update["entity_id"], "2");
  EXPECT_EQ(update["action"], "update");
  EXPECT_EQ(update["before"].as_object()["status"], "discontinued");
  EXPECT_EQ(update["after"].as_object()["status"], "available");
  auto oldest = client_->Get("/api/business-rules/changes?page=2&limit=2", admin).Json();
  ASSERT_EQ(oldest.as_array().size(), 1U);
  auto first = oldest.as_array()[0].as_object();  // the seed gave every coffee a row already
  EXPECT_EQ(first["action"], "update");
  EXPECT_EQ(first["before"].as_object()["status"], "available");
  EXPECT_EQ(first["after"].as_object()["status"], "discontinued");
  ExpectFieldError(client_->Get("/api/business-rules/changes?limit=101", admin), "limit", "limit");
}

TEST_P(RulesHttp, AuditIsFilteredAndPaginated) {
  const std::string admin = server_->AdminToken();
  auto empty = client_->Get("/api/business-rules/audit", admin);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Header("x-total-count"), "0");
  EXPECT_TRUE(empty.Json().as_array().empty());
  for (const char* type : {"pricing_rule", "pricing_rule", "availability"}) {
    server_->db().Exec(
        "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)"
        " VALUES (NULL, '" +
        std::string(type) +
        "', 1, '{\"discount\":\"1.05\"}', 'applied', '2026-01-01T00:00:00.000000Z')");
  }
  auto pricing =
      client_->Get("/api/business-rules/audit?rule_type=pricing_rule&limit=1&page=2", admin);
  ASSERT_EQ(pricing.status, 200) << pricing.body;
  EXPECT_EQ(pricing.Header("x-total-count"), "2");
  auto records = pricing.Json().as_array();
  ASSERT_EQ(records.size(), 1U);
  auto record = records[0].as_object();
  EXPECT_EQ(record["rule_type"], "pricing_rule");
  EXPECT_EQ(record["rule_id"], 1);
  EXPECT_EQ(record["order_id"], nullptr);
  EXPECT_EQ(record["rule_data"].as_object()["discount"], "1.05");
  EXPECT_EQ(record["effect"], "applied");
  for (const char* k : {"audit_id", "created_at"}) EXPECT_TRUE(record.contains(k)) << k;
  auto by_order = client_->Get(
      "/api/business-rules/audit?order_id=11111111-2222-3333-4444-555555555555", admin);
  ASSERT_EQ(by_order.status, 200) << by_order.body;
  EXPECT_EQ(by_order.Header("x-total-count"), "0");
  ExpectFieldError(client_->Get("/api/business-rules/audit?order_id=42", admin), "order_id",
                   "order_id");
  ExpectFieldError(client_->Get("/api/business-rules/audit?page=0", admin), "page", "page");
}

TEST_P(RulesHttp, NullForAValueIsA400NamingTheFieldAndChangesNothing) {
  const std::string admin = server_->AdminToken();
  const auto before_changes = Changes();
  const auto before = client_->Get("/api/business-rules/loyalty-config").body;
  auto res =
      client_->Put("/api/business-rules/loyalty-config", R"({"points_per_dollar":null})", admin);
  auto body = ExpectError(res, 400, "VALIDATION_ERROR");
  EXPECT_EQ(body["fields"].as_object()["points_per_dollar"], "must not be null");
  res = client_->Put("/api/business-rules/loyalty-config",
                     R"({"points_per_dollar":null,"bonus_multipliers":{"1":2}})", admin);
  body = ExpectError(res, 400, "VALIDATION_ERROR");
  EXPECT_EQ(body["error"], "points_per_dollar: must not be null");
  for (const auto& [path, field] : std::vector<std::pair<std::string, std::string>>{
           {"/api/business-rules/pricing-settings", "max_discount_percent"},
           {"/api/business-rules/prep-time/1", "base_minutes"}}) {
    ExpectFieldError(client_->Put(path, R"({")" + field + R"(":null,"x":1})", admin), field, path);
  }
  ExpectFieldError(
      client_->Post("/api/business-rules/availability", R"({"coffee_id":1,"status":null})", admin),
      "status", "availability status");
  EXPECT_EQ(client_->Get("/api/business-rules/loyalty-config").body, before);
  EXPECT_EQ(Changes(), before_changes);
}

TEST_P(RulesHttp, AnUpdateWhoseFieldsAreAllNullIsRefusedLikeAnEmptyOne) {
  const std::string admin = server_->AdminToken();
  const auto before_changes = Changes();
  const std::string none =
      "must set at least one of default_base_minutes, default_per_additional_item, baristas";
  auto empty = ExpectError(client_->Put("/api/business-rules/prep-time", "{}", admin), 400,
                           "VALIDATION_ERROR");
  EXPECT_EQ(empty["error"], ("body: " + none).c_str());
  auto all_null =
      ExpectError(client_->Put("/api/business-rules/prep-time", R"({"baristas":null})", admin), 400,
                  "VALIDATION_ERROR");
  EXPECT_EQ(all_null["error"], ("baristas: must not be null; body: " + none).c_str());
  EXPECT_EQ(Changes(), before_changes);
}

TEST_P(RulesHttp, ControlCharactersInTextAreRefusedNamingTheField) {
  const std::string admin = server_->AdminToken();
  ExpectFieldError(
      client_->Post("/api/business-rules/availability",
                    R"({"coffee_id":1,"status":"out_of_stock","reason":"Sold\u0007out"})", admin),
      "reason", "BEL in a reason");
  ExpectFieldError(
      client_->Post(
          kRulePath,
          R"({"rule_type":"promotional","description":"Spring\u007f","discount_type":"percentage","discount_value":5})",
          admin),
      "description", "DEL in a description");
  auto multiline = client_->Post(
      kRulePath,
      R"({"rule_type":"promotional","description":"Spring\n\tpromotion","discount_type":"percentage","discount_value":5})",
      admin);
  ASSERT_EQ(multiline.status, 201) << multiline.body;
  EXPECT_EQ(Object(multiline)["description"], "Spring\n\tpromotion");
}

TEST_P(RulesHttp, RulesListsAreWholeAndRefusePageAndLimit) {
  const auto whole = client_->Get("/api/business-rules/availability");
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(std::to_string(whole.Json().as_array().size()), whole.Header("x-total-count"));
  for (const char* path :
       {"/api/business-rules/availability?page=2", "/api/business-rules/pricing?limit=1"}) {
    auto body = ExpectError(client_->Get(path), 400, "VALIDATION_ERROR");
    const std::string field =
        std::string(path).find("page") != std::string::npos ? "page" : "limit";
    EXPECT_EQ(body["fields"].as_object()[field],
              "is not accepted: this list is returned whole, not paginated")
        << path;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RulesHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
