// Promo codes and usage limits over HTTP (issue 14 item 4), on both backends: a code gates its
// rule, limits hold under 50 parallel orders, a cancel before completion gives the use back, a
// zero discount is not a use, and quotes say why a rule did not apply.

#include <future>
#include <string>
#include <vector>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

/// The seeded catalog with the time-of-day rule switched off; Espresso (id 1) costs 3.50 and one
/// cup meets no seeded rule, so only the rules a test creates change its price.
class PromoHttp : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    server_->db().Exec("UPDATE pricing_rules SET is_active = " +
                       std::string(GetParam() == "sqlite" ? "0" : "false") +
                       " WHERE rule_type = 'time_based'");
    ASSERT_TRUE(server_->app().ReloadRules());
    user_ = server_->UserToken();
    admin_ = server_->AdminToken();
  }

  /// Creates a promotional rule on Espresso taking 1.00 off, with `extra` JSON members.
  std::int64_t AddRule(const std::string& extra) {
    auto res = client_->Post("/api/business-rules/pricing",
                             R"({"rule_type":"promotional","description":"Promo",)"
                             R"("discount_type":"fixed_amount","discount_value":1,)"
                             R"("coffee_ids":[1])" +
                                 extra + "}",
                             admin_);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.Json().as_object().at("id").as_int64() : -1;
  }

  static std::string Body(const std::string& code) {
    std::string body = R"({"items":[{"coffee_item_id":1,"quantity":1}])";
    if (!code.empty()) body += R"(,"promo_code":")" + code + "\"";
    return body + "}";
  }

  HttpResult Order(const std::string& token, const std::string& code = "") {
    return client_->Post("/api/orders", Body(code), token);
  }

  /// Places an order and returns its discount_total ("1.00" or "0.00").
  std::string Discount(const std::string& token, const std::string& code = "") {
    auto res = Order(token, code);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? std::string(res.Json().as_object().at("discount_total").as_string())
                             : "";
  }

  json::object Quote(const std::string& token, const std::string& code = "") {
    auto res = client_->Post("/api/orders/quote", Body(code), token);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? res.Json().as_object() : json::object{};
  }

  /// The not_applied reason the quote gives for `rule`, "applied" or "absent".
  static std::string Reason(const json::object& quote, std::int64_t rule) {
    for (const auto& a : quote.at("applied_rules").as_array()) {
      if (a.as_object().at("rule_id") == rule) return "applied";
    }
    for (const auto& n : quote.at("not_applied").as_array()) {
      if (n.as_object().at("rule_id") == rule) {
        return std::string(n.as_object().at("reason").as_string());
      }
    }
    return "absent";
  }

  json::object RuleOf(std::int64_t rule, const std::string& token) {
    auto res = client_->Get("/api/business-rules/pricing/" + std::to_string(rule), token);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? res.Json().as_object() : json::object{};
  }

  std::int64_t Uses(std::int64_t rule) { return RuleOf(rule, admin_).at("uses").as_int64(); }

  std::string Register(const std::string& email) {
    auto res = client_->Post("/api/auth/register",
                             R"({"email":")" + email + R"(","password":"Latte1234"})");
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? std::string(res.Json().as_object().at("access_token").as_string())
                             : "";
  }

  std::string Query(const std::string& sql) { return server_->db().QueryValue(sql); }

  std::string user_;
  std::string admin_;
};

TEST_P(PromoHttp, FiftyParallelOrdersAgainstTenUsesGetExactlyTenDiscounts) {
  const auto rule = AddRule(R"(,"max_uses":10)");
  std::vector<std::future<HttpResult>> results;
  for (int i = 0; i < 50; ++i) {
    results.push_back(std::async(std::launch::async, [this] {
      auto client = server_->Client();
      return client->Post("/api/orders", Body(""), user_);
    }));
  }
  int discounted = 0;
  int full_price = 0;
  for (auto& f : results) {
    const auto res = f.get();
    ASSERT_EQ(res.status, 201) << res.body;
    const auto order = res.Json().as_object();
    if (order.at("discount_total") == "1.00") {
      ++discounted;
      EXPECT_EQ(order.at("total_price"), "2.50");
      ASSERT_EQ(order.at("applied_rules").as_array().size(), 1U);
    } else {
      ++full_price;
      EXPECT_EQ(order.at("discount_total"), "0.00") << res.body;
      EXPECT_EQ(order.at("total_price"), "3.50");
      EXPECT_TRUE(order.at("applied_rules").as_array().empty()) << res.body;
    }
  }
  EXPECT_EQ(discounted, 10);
  EXPECT_EQ(full_price, 40);
  EXPECT_EQ(Uses(rule), 10);
  const std::string id = std::to_string(rule);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM order_rule_uses WHERE rule_id = " + id), "10");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM rule_audit_log WHERE rule_type = 'pricing_rule' AND "
                  "rule_id = " +
                  id),
            "10");
  EXPECT_EQ(Query("SELECT SUM(discount_total_cents) FROM orders"), "1000");
  EXPECT_EQ(Reason(Quote(user_), rule), "usage_limit_reached");
}

TEST_P(PromoHttp, PerCustomerLimitCountsEachCustomerApart) {
  const auto rule = AddRule(R"(,"max_uses_per_customer":1)");
  EXPECT_EQ(Reason(Quote(user_), rule), "applied");
  EXPECT_EQ(Discount(user_), "1.00");
  EXPECT_EQ(Reason(Quote(user_), rule), "customer_limit_reached");
  EXPECT_EQ(Discount(user_), "0.00");
  const std::string other = Register("second@example.com");
  EXPECT_EQ(Reason(Quote(other), rule), "applied");
  EXPECT_EQ(Discount(other), "1.00");
  EXPECT_EQ(Discount(other), "0.00");
  EXPECT_EQ(Uses(rule), 2);
}

TEST_P(PromoHttp, CancellingBeforeCompletionGivesTheUseBack) {
  const auto rule = AddRule(R"(,"max_uses":1)");
  auto first = Order(user_);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Json().as_object().at("discount_total"), "1.00");
  const std::string first_id(first.Json().as_object().at("id").as_string());
  auto second = Order(user_);
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(second.Json().as_object().at("discount_total"), "0.00");
  const std::string second_id(second.Json().as_object().at("id").as_string());
  EXPECT_EQ(Uses(rule), 1);

  // Cancelling the order that took no use gives nothing back.
  ASSERT_EQ(client_->Post("/api/orders/" + second_id + "/cancel", "", user_).status, 200);
  EXPECT_EQ(Uses(rule), 1);
  ASSERT_EQ(client_->Post("/api/orders/" + first_id + "/cancel", "", user_).status, 200);
  EXPECT_EQ(Uses(rule), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM rule_audit_log WHERE rule_type = 'usage_release'"), "1");
  EXPECT_EQ(Reason(Quote(user_), rule), "applied");
  EXPECT_EQ(Discount(user_), "1.00");
  EXPECT_EQ(Uses(rule), 1);
}

TEST_P(PromoHttp, ACompletedOrderKeepsItsUse) {
  const auto rule = AddRule(R"(,"max_uses":1)");
  auto placed = Order(user_);
  ASSERT_EQ(placed.status, 201);
  const std::string id(placed.Json().as_object().at("id").as_string());
  const std::string staff = server_->StaffToken();
  for (const char* s : {"confirmed", "preparing", "ready", "completed", "cancelled"}) {
    ASSERT_EQ(client_
                  ->Patch("/api/orders/" + id + "/status",
                          R"({"status":")" + std::string(s) + "\"}", staff)
                  .status,
              200)
        << s;
  }
  EXPECT_EQ(Uses(rule), 1);
}

TEST_P(PromoHttp, AZeroDiscountIsNotAUse) {
  const auto rule = AddRule(R"(,"max_uses":1)");
  ASSERT_EQ(
      client_->Put("/api/business-rules/pricing-settings", R"({"max_discount_percent":0})", admin_)
          .status,
      200);
  auto capped = Order(user_);
  ASSERT_EQ(capped.status, 201) << capped.body;
  const auto order = capped.Json().as_object();
  EXPECT_EQ(order.at("discount_total"), "0.00");
  ASSERT_EQ(order.at("applied_rules").as_array().size(), 1U);  // applied, capped to 0.00
  EXPECT_EQ(Uses(rule), 0);
  ASSERT_EQ(
      client_
          ->Put("/api/business-rules/pricing-settings", R"({"max_discount_percent":100})", admin_)
          .status,
      200);
  EXPECT_EQ(Discount(user_), "1.00");
  EXPECT_EQ(Uses(rule), 1);
}

TEST_P(PromoHttp, APromoCodeGatesItsRuleAndQuotesSayWhy) {
  const auto rule = AddRule(R"(,"promo_code":"  Summer-25 ")");
  const auto other = AddRule(R"(,"promo_code":"WINTER")");
  EXPECT_EQ(Reason(Quote(user_), rule), "promo_code_required");
  const auto quoted = Quote(user_, " summer-25");
  EXPECT_EQ(Reason(quoted, rule), "applied");
  EXPECT_EQ(Reason(quoted, other), "promo_code_mismatch");
  EXPECT_EQ(quoted.at("promo_code"), "summer-25");
  EXPECT_EQ(quoted.at("total_price"), "2.50");

  EXPECT_EQ(Discount(user_), "0.00");
  EXPECT_EQ(Discount(user_, "SUMMER-25"), "1.00");
  EXPECT_EQ(Discount(user_, "winter"), "1.00");

  const auto unknown = ExpectError(Order(user_, "NOPE"), 400, "VALIDATION_ERROR");
  EXPECT_NE(std::string(unknown.at("error").as_string()).find("Unknown promo code"),
            std::string::npos);
  ExpectError(client_->Post("/api/orders/quote", Body("NOPE"), user_), 400, "VALIDATION_ERROR");
  ExpectError(client_->Post("/api/orders",
                            R"({"items":[{"coffee_item_id":1,"quantity":1}],)"
                            R"("promo_code":5})",
                            user_),
              400, "VALIDATION_ERROR");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM orders"), "3");

  // The manager's spelling, trimmed, is stored; only admins see it.
  EXPECT_EQ(RuleOf(rule, admin_).at("promo_code"), "Summer-25");
  const auto shown = RuleOf(rule, user_);
  EXPECT_EQ(shown.at("promo_code"), nullptr);
  EXPECT_EQ(shown.at("requires_promo_code"), true);
  const auto listed = client_->Get("/api/business-rules/pricing").Json();
  for (const auto& r : listed.as_array()) {
    EXPECT_EQ(r.as_object().at("promo_code"), nullptr);
  }
  ExpectError(client_->Post("/api/business-rules/pricing",
                            R"({"rule_type":"promotional","discount_type":"percentage",)"
                            R"("discount_value":5,"promo_code":"two words","max_uses":0})",
                            admin_),
              400, "VALIDATION_ERROR");
}

TEST_P(PromoHttp, AnIdempotentReplayIsNotCountedTwiceAndTheCodeIsPartOfTheBody) {
  const auto rule = AddRule(R"(,"promo_code":"ONCE","max_uses":5)");
  const HeaderList headers{{"Authorization", "Bearer " + user_}, {"Idempotency-Key", "k-1"}};
  auto first = client_->Send("POST", "/api/orders", Body("once"), headers);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = client_->Send("POST", "/api/orders", Body(" ONCE "), headers);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Uses(rule), 1);
  ExpectError(client_->Send("POST", "/api/orders", Body(""), headers), 409,
              "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(Uses(rule), 1);
}

TEST_P(PromoHttp, VersionsAndTheirDiffCarryTheNewFields) {
  const auto rule = AddRule(R"(,"promo_code":"V1","max_uses":3)");
  const std::string versions = "/api/business-rules/versions";
  const auto before = client_->Get(versions, admin_).Json().as_array()[0].as_object();
  const std::int64_t from = before.at("version").as_int64();
  auto updated = client_->Put("/api/business-rules/pricing/" + std::to_string(rule),
                              R"({"rule_type":"promotional","description":"Promo",)"
                              R"("discount_type":"fixed_amount","discount_value":1,)"
                              R"("coffee_ids":[1],"promo_code":"V2","max_uses":4,)"
                              R"("max_uses_per_customer":2})",
                              admin_);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_FALSE(updated.Json().as_object().contains("uses"));  // GET by id only
  EXPECT_EQ(RuleOf(rule, admin_).at("uses"), 0);
  const auto to = client_->Get(versions, admin_).Json().as_array()[0].as_object();
  auto diff = client_->Get(versions + "/" + std::to_string(from) + "/diff/" +
                               std::to_string(to.at("version").as_int64()),
                           admin_);
  ASSERT_EQ(diff.status, 200) << diff.body;
  const auto changes = diff.Json().as_object().at("changes").as_array();
  ASSERT_EQ(changes.size(), 1U) << diff.body;
  const auto& change = changes[0].as_object();
  EXPECT_EQ(change.at("entity"), "pricing_rule");
  EXPECT_EQ(change.at("before").as_object().at("promo_code"), "V1");
  EXPECT_EQ(change.at("after").as_object().at("promo_code"), "V2");
  EXPECT_EQ(change.at("before").as_object().at("max_uses"), 3);
  EXPECT_EQ(change.at("after").as_object().at("max_uses"), 4);
  EXPECT_EQ(change.at("after").as_object().at("max_uses_per_customer"), 2);

  auto restored = client_->Post(versions + "/" + std::to_string(from) + "/restore", "", admin_);
  ASSERT_EQ(restored.status, 201) << restored.body;
  const auto back = RuleOf(rule, admin_);
  EXPECT_EQ(back.at("promo_code"), "V1");
  EXPECT_EQ(back.at("max_uses"), 3);
  EXPECT_EQ(back.at("max_uses_per_customer"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, PromoHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
