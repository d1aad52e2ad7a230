// Conflict and dead-rule warnings over HTTP (issue 14 item 3): on rule saves and in quotes,
// never a refusal.

#include <algorithm>
#include <string>
#include <vector>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

class WarningsHttp : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    admin_ = server_->AdminToken();
    user_ = server_->UserToken();
  }

  /// The codes of a body's `warnings`, each as "code:rule_id".
  static std::vector<std::string> Codes(const json::object& body) {
    std::vector<std::string> out;
    for (const auto& w : body.at("warnings").as_array()) {
      const auto& o = w.as_object();
      out.push_back(std::string(o.at("code").as_string()) + ":" +
                    std::to_string(o.at("rule_id").as_int64()));
    }
    return out;
  }

  json::object Save(const std::string& body, int status = 201) {
    auto res = client_->Post("/api/business-rules/pricing", body, admin_);
    EXPECT_EQ(res.status, status) << res.body;
    return res.status == status ? res.Json().as_object() : json::object{};
  }

  std::string admin_;
  std::string user_;
};

TEST_P(WarningsHttp, AnUnreachableQuantityIsSavedWithAWarningAndShownInTheQuote) {
  const auto saved =
      Save(R"({"rule_type":"quantity_based","discount_type":"percentage","discount_value":5,)"
           R"("min_quantity":100,"coffee_ids":[1]})");
  const auto id = saved.at("id").as_int64();
  EXPECT_EQ(Codes(saved), std::vector<std::string>{"quantity_unreachable:" + std::to_string(id)});
  EXPECT_NE(std::string(saved.at("warnings").as_array()[0].as_object().at("message").as_string())
                .find("99"),
            std::string::npos);

  auto quote =
      client_->Post("/api/orders/quote", R"({"items":[{"coffee_item_id":1,"quantity":1}]})", user_);
  ASSERT_EQ(quote.status, 200) << quote.body;
  const auto codes = Codes(quote.Json().as_object());
  EXPECT_NE(std::find(codes.begin(), codes.end(), "quantity_unreachable:" + std::to_string(id)),
            codes.end())
      << quote.body;
  // A quote for another coffee does not mention the rule.
  auto other =
      client_->Post("/api/orders/quote", R"({"items":[{"coffee_item_id":2,"quantity":1}]})", user_);
  ASSERT_EQ(other.status, 200);
  for (const auto& c : Codes(other.Json().as_object())) {
    EXPECT_NE(c, "quantity_unreachable:" + std::to_string(id));
  }

  // Fixed: the update's response has no warning left.
  auto fixed = client_->Put("/api/business-rules/pricing/" + std::to_string(id),
                            R"({"rule_type":"quantity_based","discount_type":"percentage",)"
                            R"("discount_value":5,"min_quantity":10,"coffee_ids":[1]})",
                            admin_);
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_TRUE(fixed.Json().as_object().at("warnings").as_array().empty()) << fixed.body;
}

TEST_P(WarningsHttp, TwoRulesThatAlwaysReachTheCapAreNamed) {
  ASSERT_EQ(client_
                ->Put("/api/business-rules/pricing-settings",
                      R"({"combination_strategy":"additive","max_discount_percent":30})", admin_)
                .status,
            200);
  const auto first =
      Save(R"({"rule_type":"promotional","discount_type":"percentage","discount_value":15,)"
           R"("coffee_ids":[4]})");
  EXPECT_TRUE(first.at("warnings").as_array().empty()) << json::serialize(first);
  const auto second =
      Save(R"({"rule_type":"promotional","discount_type":"percentage","discount_value":15,)"
           R"("coffee_ids":[4]})");
  ASSERT_EQ(second.at("warnings").as_array().size(), 1U) << json::serialize(second);
  const auto& w = second.at("warnings").as_array()[0].as_object();
  EXPECT_EQ(w.at("code"), "stacks_to_cap");
  EXPECT_EQ(w.at("other_rule_id"), first.at("id"));
}

TEST_P(WarningsHttp, AnExpiredRuleIsStillSaved) {
  const auto saved =
      Save(R"({"rule_type":"promotional","discount_type":"percentage","discount_value":5,)"
           R"("valid_from":"2020-01-01T00:00:00Z","valid_until":"2020-02-01T00:00:00Z"})");
  EXPECT_EQ(Codes(saved),
            std::vector<std::string>{"expired:" + std::to_string(saved.at("id").as_int64())});
  auto again = client_->Get(
      "/api/business-rules/pricing/" + std::to_string(saved.at("id").as_int64()), admin_);
  EXPECT_EQ(again.status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, WarningsHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
