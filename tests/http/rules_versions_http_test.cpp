// Rule-set versions over HTTP (issue 14): every admin change is a version; restore and diff.

#include <string>
#include <vector>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

const char* kVersions = "/api/business-rules/versions";

class RulesVersionsHttp : public HttpTest {
 protected:
  json::object GetObject(const std::string& path, const std::string& token) {
    auto res = client_->Get(path, token);
    EXPECT_EQ(res.status, 200) << path << ": " << res.body;
    return res.status == 200 ? res.Json().as_object() : json::object{};
  }
  /// The rules_version of the pricing_summary audit row of an order placed now.
  std::int64_t PlaceAndReadRulesVersion(const std::string& user, const std::string& admin) {
    auto placed =
        client_->Post("/api/orders", R"({"items":[{"coffee_item_id":1,"quantity":1}]})", user);
    EXPECT_EQ(placed.status, 201) << placed.body;
    if (placed.status != 201) return -1;
    const std::string id(placed.Json().as_object()["id"].as_string());
    auto audit =
        client_->Get("/api/business-rules/audit?rule_type=pricing_summary&order_id=" + id, admin);
    EXPECT_EQ(audit.status, 200) << audit.body;
    const auto records = audit.Json().as_array();
    EXPECT_EQ(records.size(), 1U) << audit.body;
    if (records.size() != 1) return -1;
    return records[0].as_object().at("rule_data").as_object().at("rules_version").as_int64();
  }
};

TEST_P(RulesVersionsHttp, StartUpAndTheSeedAreTheFirstVersions) {
  const std::string admin = server_->AdminToken();
  auto listed = client_->Get(kVersions, admin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  // The test server starts on an empty database (version 1, the configuration found at
  // start-up), then seeds it (version 2).
  EXPECT_EQ(listed.Header("x-total-count"), "2");
  const auto versions = listed.Json().as_array();
  ASSERT_EQ(versions.size(), 2U);
  const auto seed = versions[0].as_object();
  EXPECT_EQ(seed.at("version"), 2);
  EXPECT_EQ(seed.at("source"), "seed");
  EXPECT_EQ(seed.at("actor_id"), nullptr);
  EXPECT_FALSE(seed.contains("configuration"));
  EXPECT_EQ(versions[1].as_object().at("source"), "initial");
  const auto config =
      GetObject(std::string(kVersions) + "/2", admin).at("configuration").as_object();
  EXPECT_EQ(config.at("availability").as_array().size(), 12U);
  EXPECT_EQ(config.at("prep_times").as_array().size(), 12U);
  EXPECT_EQ(config.at("pricing_rules").as_array().size(),
            client_->Get("/api/business-rules/pricing?include_inactive=true", admin)
                .Json()
                .as_array()
                .size());
  const auto empty =
      GetObject(std::string(kVersions) + "/1", admin).at("configuration").as_object();
  EXPECT_TRUE(empty.at("pricing_rules").as_array().empty());
}

TEST_P(RulesVersionsHttp, EveryChangeIsAVersionAndRestoreBringsAnOldOneBack) {
  const std::string admin = server_->AdminToken();
  const std::int64_t base =
      client_->Get(kVersions, admin).Json().as_array().at(0).as_object().at("version").as_int64();
  const auto path = [](std::int64_t v) { return std::string(kVersions) + "/" + std::to_string(v); };
  const std::string base_strategy(GetObject(path(base), admin)
                                      .at("configuration")
                                      .as_object()
                                      .at("pricing_settings")
                                      .as_object()
                                      .at("combination_strategy")
                                      .as_string());
  const std::string other_strategy = base_strategy == "additive" ? "multiplicative" : "additive";

  ASSERT_EQ(client_
                ->Put("/api/business-rules/pricing-settings",
                      R"({"combination_strategy":")" + other_strategy + R"("})", admin)
                .status,
            200);
  ASSERT_EQ(client_
                ->Post("/api/business-rules/availability",
                       R"({"coffee_id":2,"status":"discontinued"})", admin)
                .status,
            201);
  auto created = client_->Post("/api/business-rules/pricing",
                               R"({"rule_type":"promotional","description":"Versioned",)"
                               R"("discount_type":"percentage","discount_value":"12.5",)"
                               R"("priority":50,"coffee_ids":[1]})",
                               admin);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto rule_id = created.Json().as_object().at("id").as_int64();
  const std::int64_t last = base + 3;

  auto listed = client_->Get(std::string(kVersions) + "?limit=2", admin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.Header("x-total-count"), std::to_string(last));
  const auto page = listed.Json().as_array();
  ASSERT_EQ(page.size(), 2U);
  const auto newest = page[0].as_object();
  EXPECT_EQ(newest.at("version"), last);
  EXPECT_EQ(newest.at("source"), "change");
  EXPECT_EQ(newest.at("summary"), ("pricing_rule " + std::to_string(rule_id) + " create").c_str());
  EXPECT_TRUE(newest.at("actor_id").is_int64());
  EXPECT_EQ(page[1].as_object().at("version"), last - 1);
  EXPECT_EQ(page[1].as_object().at("summary"), "availability 2 update");

  const auto latest = GetObject(path(last), admin).at("configuration").as_object();
  EXPECT_EQ(latest.at("pricing_settings").as_object().at("combination_strategy"),
            other_strategy.c_str());
  bool found_rule = false;
  for (const auto& r : latest.at("pricing_rules").as_array()) {
    if (r.as_object().at("id") == rule_id) {
      found_rule = true;
      EXPECT_EQ(r.as_object().at("discount_value"), 12.5);
      EXPECT_EQ(r.as_object().at("is_active"), true);
    }
  }
  EXPECT_TRUE(found_rule);

  const auto diff = GetObject(path(base) + "/diff/" + std::to_string(last), admin);
  EXPECT_EQ(diff.at("from"), base);
  EXPECT_EQ(diff.at("to"), last);
  std::vector<std::string> what;
  for (const auto& c : diff.at("changes").as_array()) {
    const auto& o = c.as_object();
    what.push_back(std::string(o.at("entity").as_string()) + ":" +
                   std::string(o.at("entity_id").as_string()) + ":" +
                   std::string(o.at("action").as_string()));
  }
  EXPECT_EQ(what, (std::vector<std::string>{"pricing_settings::changed", "availability:2:changed",
                                            "pricing_rule:" + std::to_string(rule_id) + ":added"}));
  if (what.size() == 3) {
    const auto availability_change = diff.at("changes").as_array()[1].as_object();
    EXPECT_EQ(availability_change.at("before").as_object().at("status"), "available");
    EXPECT_EQ(availability_change.at("after").as_object().at("status"), "discontinued");
  }

  auto restored = client_->Post(path(base) + "/restore", "", admin);
  ASSERT_EQ(restored.status, 201) << restored.body;
  const auto made = restored.Json().as_object();
  EXPECT_EQ(made.at("version"), last + 1);
  EXPECT_EQ(made.at("source"), "restore");
  EXPECT_EQ(made.at("restored_from"), base);
  EXPECT_TRUE(made.contains("configuration"));

  // The live configuration is the base version again, and the new version equals it.
  EXPECT_EQ(GetObject("/api/business-rules/pricing-settings", admin).at("combination_strategy"),
            base_strategy.c_str());
  EXPECT_EQ(GetObject("/api/business-rules/availability/2", admin).at("status"), "available");
  auto rule = client_->Get("/api/business-rules/pricing/" + std::to_string(rule_id), admin);
  ASSERT_EQ(rule.status, 200) << rule.body;
  EXPECT_EQ(rule.Json().as_object().at("is_active"), false);
  // Rules are never deleted: the one created since is the only difference, inactive.
  const auto after_restore =
      GetObject(path(base) + "/diff/" + std::to_string(last + 1), admin).at("changes").as_array();
  ASSERT_EQ(after_restore.size(), 1U);
  EXPECT_EQ(after_restore[0].as_object().at("entity_id"), std::to_string(rule_id).c_str());
  EXPECT_EQ(after_restore[0].as_object().at("action"), "added");
  EXPECT_EQ(after_restore[0].as_object().at("after").as_object().at("is_active"), false);

  auto log = client_->Get("/api/business-rules/changes?limit=1", admin).Json().as_array();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("entity"), "rule_set");
  EXPECT_EQ(log[0].as_object().at("entity_id"), std::to_string(base).c_str());
  EXPECT_EQ(log[0].as_object().at("action"), "restore");
  EXPECT_EQ(log[0].as_object().at("after").as_object().at("version"), last + 1);
}

TEST_P(RulesVersionsHttp, UnknownVersionsAre404AndTheRoutesAreAdminOnly) {
  const std::string admin = server_->AdminToken();
  ExpectError(client_->Get(std::string(kVersions) + "/99", admin), 404, "NOT_FOUND");
  ExpectError(client_->Get(std::string(kVersions) + "/1/diff/99", admin), 404, "NOT_FOUND");
  ExpectError(client_->Post(std::string(kVersions) + "/99/restore", "", admin), 404, "NOT_FOUND");
  ExpectError(client_->Get(std::string(kVersions) + "/abc", admin), 400, "VALIDATION_ERROR");
  EXPECT_EQ(client_->Get(kVersions).status, 401);
  EXPECT_EQ(client_->Get(kVersions, server_->StaffToken()).status, 403);
  EXPECT_EQ(client_->Post(std::string(kVersions) + "/1/restore", "", server_->UserToken()).status,
            403);
  // A failed restore writes no version.
  EXPECT_EQ(client_->Get(kVersions, admin).Header("x-total-count"), "2");
}

TEST_P(RulesVersionsHttp, EachOrdersAuditRecordsTheVersionItWasPricedWith) {
  const std::string admin = server_->AdminToken();
  const std::string user = server_->UserToken();
  EXPECT_EQ(PlaceAndReadRulesVersion(user, admin), 2);  // the seed's version
  ASSERT_EQ(client_->Put("/api/business-rules/prep-time", R"({"baristas":2})", admin).status, 200);
  EXPECT_EQ(PlaceAndReadRulesVersion(user, admin), 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, RulesVersionsHttp, ::testing::ValuesIn(AllBackends()),
                         BackendName);

}  // namespace
}  // namespace coffee::testing
