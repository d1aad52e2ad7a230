// Scheduled changes over HTTP (issue 14 item 5): a change scheduled for a future instant takes
// effect then, without a restart, as a rule-set version with its change record; cancel, the
// 400s of a bad request, 409 once applied, and exactly once with two instances on PostgreSQL.

#include <chrono>
#include <string>
#include <thread>

#include "domain/time.hpp"
#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kScheduled = "/api/business-rules/scheduled-changes";
constexpr const char* kQuote = R"({"items":[{"coffee_item_id":1,"quantity":1}]})";
constexpr const char* kSoldOut =
    R"({"kind":"availability","body":{"coffee_id":1,"status":"out_of_stock",)"
    R"("reason":"Delivery late"}})";

/// RFC 3339 text of now plus `ahead` (negative: in the past).
std::string FromNow(milliseconds ahead) {
  return domain::FormatTimestamp(std::chrono::time_point_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now() + ahead));
}

std::string ScheduleBody(const std::string& effective_at, const std::string& change,
                         const std::string& note = "") {
  std::string body = R"({"effective_at":")" + effective_at + R"(","change":)" + change;
  if (!note.empty()) body += R"(,"note":")" + note + "\"";
  return body + "}";
}

/// Polls `path` until `done` holds for its answer or 15 s pass; returns the last answer.
template <typename Done>
HttpResult PollUntil(HttpClient& client, const std::string& token, const std::string& path,
                     Done done) {
  HttpResult res = client.Get(path, token);
  const auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (!done(res) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
    res = client.Get(path, token);
  }
  return res;
}

bool HasStatus(const HttpResult& res, const char* status) {
  return res.status == 200 && res.Json().as_object().at("status") == status;
}

/// Quotes coffee 1 until the answer is `status` or 15 s pass.
HttpResult QuoteUntil(HttpClient& client, const std::string& token, int status) {
  HttpResult res = client.Post("/api/orders/quote", kQuote, token);
  const auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (res.status != status && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
    res = client.Post("/api/orders/quote", kQuote, token);
  }
  return res;
}

class ScheduledChangesHttp : public HttpTest {
 protected:
  json::object Schedule(const std::string& admin, milliseconds ahead, const std::string& change,
                        const std::string& note = "") {
    auto res = client_->Post(kScheduled, ScheduleBody(FromNow(ahead), change, note), admin);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.Json().as_object() : json::object{};
  }
  std::int64_t NewestVersion(const std::string& admin) {
    auto res = client_->Get("/api/business-rules/versions?limit=1", admin);
    return res.Json().as_array().at(0).as_object().at("version").as_int64();
  }
};

TEST_P(ScheduledChangesHttp, AChangeTakesEffectAtItsInstantWithoutARestart) {
  const std::string admin = server_->AdminToken();
  const std::string user = server_->UserToken();
  const std::int64_t version_before = NewestVersion(admin);
  const auto scheduled = Schedule(admin, milliseconds(2000), kSoldOut, "Delivery at noon");
  ASSERT_FALSE(scheduled.empty());
  const std::int64_t id = scheduled.at("id").as_int64();
  EXPECT_EQ(scheduled.at("status"), "pending");
  EXPECT_EQ(scheduled.at("note"), "Delivery at noon");
  EXPECT_EQ(scheduled.at("change").as_object().at("kind"), "availability");
  EXPECT_EQ(scheduled.at("version"), nullptr);

  // Before the instant: the old behaviour, and nothing written yet.
  auto before = client_->Post("/api/orders/quote", kQuote, user);
  EXPECT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(NewestVersion(admin), version_before);
  auto pending = client_->Get(kScheduled + "?status=pending", admin);
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(pending.Header("x-total-count"), "1");

  // After it: the new behaviour, on the same running server.
  auto after = QuoteUntil(*client_, user, 400);
  ASSERT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(after.Json().as_object().at("error_code"), "ITEMS_UNAVAILABLE") << after.body;
  EXPECT_NE(after.body.find("Delivery late"), std::string::npos) << after.body;

  auto applied = PollUntil(*client_, admin, kScheduled + "/" + std::to_string(id),
                           [](const HttpResult& r) { return HasStatus(r, "applied"); });
  ASSERT_TRUE(HasStatus(applied, "applied")) << applied.body;
  const auto row = applied.Json().as_object();
  EXPECT_EQ(row.at("version"), version_before + 1);
  EXPECT_TRUE(row.at("settled_at").is_string());
  EXPECT_EQ(NewestVersion(admin), version_before + 1);

  auto version =
      client_->Get("/api/business-rules/versions/" + std::to_string(version_before + 1), admin);
  ASSERT_EQ(version.status, 200) << version.body;
  const auto v = version.Json().as_object();
  EXPECT_EQ(std::string(v.at("summary").as_string()),
            "availability 1 update (scheduled change " + std::to_string(id) + ")");
  EXPECT_EQ(v.at("actor_id"), scheduled.at("created_by"));

  auto changes = client_->Get("/api/business-rules/changes?limit=1", admin);
  ASSERT_EQ(changes.status, 200) << changes.body;
  const auto record = changes.Json().as_array().at(0).as_object();
  EXPECT_EQ(record.at("entity"), "availability");
  EXPECT_EQ(record.at("scheduled_change_id"), id);
  EXPECT_EQ(record.at("actor_id"), scheduled.at("created_by"));
  EXPECT_EQ(record.at("after").as_object().at("status"), "out_of_stock");
}

TEST_P(ScheduledChangesHttp, ACancelledChangeNeverTakesEffect) {
  const std::string admin = server_->AdminToken();
  const std::string user = server_->UserToken();
  const std::int64_t version_before = NewestVersion(admin);
  const auto scheduled = Schedule(admin, milliseconds(1500), kSoldOut);
  ASSERT_FALSE(scheduled.empty());
  const std::string path = kScheduled + "/" + std::to_string(scheduled.at("id").as_int64());
  auto cancelled = client_->Delete(path, admin);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.Json().as_object().at("status"), "cancelled");
  EXPECT_EQ(cancelled.Json().as_object().at("cancelled_by"), scheduled.at("created_by"));
  ExpectError(client_->Delete(path, admin), 409, "CONFLICT");

  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(client_->Post("/api/orders/quote", kQuote, user).status, 200);
  EXPECT_TRUE(HasStatus(client_->Get(path, admin), "cancelled"));
  EXPECT_EQ(NewestVersion(admin), version_before);
}

TEST_P(ScheduledChangesHttp, CancellingAnAppliedChangeIsAConflict) {
  const std::string admin = server_->AdminToken();
  const auto scheduled =
      Schedule(admin, milliseconds(500),
               R"({"kind":"pricing_settings","body":{"max_discount_percent":25}})");
  ASSERT_FALSE(scheduled.empty());
  const std::string path = kScheduled + "/" + std::to_string(scheduled.at("id").as_int64());
  auto applied =
      PollUntil(*client_, admin, path, [](const HttpResult& r) { return HasStatus(r, "applied"); });
  ASSERT_TRUE(HasStatus(applied, "applied")) << applied.body;
  auto settings = client_->Get("/api/business-rules/pricing-settings");
  EXPECT_EQ(settings.Json().as_object().at("max_discount_percent").to_number<double>(), 25.0)
      << settings.body;
  ExpectError(client_->Delete(path, admin), 409, "CONFLICT");
  EXPECT_TRUE(HasStatus(client_->Get(path, admin), "applied"));
}

TEST_P(ScheduledChangesHttp, AChangeThatNoLongerAppliesFailsWithItsReasonAndWritesNothing) {
  const std::string admin = server_->AdminToken();
  auto coffee = client_->Post(
      "/api/coffees",
      R"({"name":"Short lived","coffee_type":"Single Shot","price":"3.00","rating":4.0,)"
      R"("image_url":"https://images.example.com/x.jpg"})",
      admin);
  ASSERT_EQ(coffee.status, 201) << coffee.body;
  const std::string coffee_id = std::to_string(coffee.Json().as_object().at("id").as_int64());
  const auto scheduled = Schedule(admin, milliseconds(1500),
                                  R"({"kind":"availability","body":{"coffee_id":)" + coffee_id +
                                      R"(,"status":"out_of_stock"}})");
  ASSERT_FALSE(scheduled.empty());
  ASSERT_EQ(client_->Delete("/api/coffees/" + coffee_id, admin).status, 204);
  const std::int64_t version_before = NewestVersion(admin);

  const std::string path = kScheduled + "/" + std::to_string(scheduled.at("id").as_int64());
  auto failed =
      PollUntil(*client_, admin, path, [](const HttpResult& r) { return HasStatus(r, "failed"); });
  ASSERT_TRUE(HasStatus(failed, "failed")) << failed.body;
  const auto row = failed.Json().as_object();
  EXPECT_NE(std::string(row.at("failure").as_string()).find("coffee_id"), std::string::npos)
      << failed.body;
  EXPECT_EQ(row.at("version"), nullptr);
  EXPECT_EQ(NewestVersion(admin), version_before);
  ExpectError(client_->Delete(path, admin), 409, "CONFLICT");
}

TEST_P(ScheduledChangesHttp, BadRequestsAreRefusedWithTheFieldsAtFault) {
  const std::string admin = server_->AdminToken();
  const auto fields = [&](const std::string& body) {
    auto res = client_->Post(kScheduled, body, admin);
    auto error = ExpectError(res, 400, "VALIDATION_ERROR");
    return error.contains("fields") ? error.at("fields").as_object() : json::object{};
  };
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(milliseconds(-1000)), kSoldOut)).contains("effective_at"));
  EXPECT_TRUE(fields(ScheduleBody("tomorrow", kSoldOut)).contains("effective_at"));
  EXPECT_TRUE(fields(R"({"effective_at":")" + FromNow(seconds(60)) + R"("})").contains("change"));
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(seconds(60)), R"({"kind":"espresso"})")).contains("change.kind"));
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(seconds(60)),
                          R"({"kind":"pricing_settings","body":{"max_discount_percent":150}})"))
          .contains("change.body.max_discount_percent"));
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(seconds(60)),
                          R"({"kind":"availability","body":{"coffee_id":1,"status":"gone"}})"))
          .contains("change.body.status"));
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(seconds(60)), R"({"kind":"availability","body":{"coffee_id":999,)"
                                                R"("status":"out_of_stock"}})"))
          .contains("change.body.coffee_id"));
  EXPECT_TRUE(fields(ScheduleBody(FromNow(seconds(60)), R"({"kind":"pricing_rule_delete"})"))
                  .contains("change.rule_id"));
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(seconds(60)), R"({"kind":"pricing_rule_delete","rule_id":9999})"))
          .contains("change"));
  EXPECT_TRUE(
      fields(ScheduleBody(FromNow(seconds(60)), R"({"kind":"rule_set_restore","version":9999})"))
          .contains("change"));
  ExpectError(client_->Get(kScheduled + "?status=done", admin), 400, "VALIDATION_ERROR");
  ExpectError(client_->Get(kScheduled + "/12345", admin), 404, "NOT_FOUND");
  ExpectError(client_->Delete(kScheduled + "/12345", admin), 404, "NOT_FOUND");
  EXPECT_EQ(
      client_->Post(kScheduled, ScheduleBody(FromNow(seconds(60)), kSoldOut), server_->UserToken())
          .status,
      403);
  EXPECT_EQ(client_->Get(kScheduled).status, 401);
  // Nothing refused was stored.
  EXPECT_EQ(client_->Get(kScheduled, admin).Header("x-total-count"), "0");
}

INSTANTIATE_TEST_SUITE_P(Backends, ScheduledChangesHttp, ::testing::ValuesIn(AllBackends()),
                         BackendName);

/// Two servers on one PostgreSQL database (as in multi_instance_http_test.cpp): a long CACHE_TTL,
/// so only the change feed explains what each instance sees.
class ScheduledChangesMultiInstance : public ::testing::TestWithParam<std::string> {
 protected:
  static void LongTtl(config::Config& c) { c.cache_ttl = std::chrono::seconds(3600); }
};

TEST_P(ScheduledChangesMultiInstance, DueChangesAreAppliedExactlyOnceAndBothInstancesSeeThem) {
  TestServer a(GetParam(), true, LongTtl);
  TestServer b(ExistingDatabase{a.db().url()}, LongTtl);
  auto client_a = a.Client();
  auto client_b = b.Client();
  const std::string admin = a.AdminToken();
  const std::string user = b.UserToken();
  ASSERT_EQ(client_b->Post("/api/orders/quote", kQuote, user).status, 200);
  const std::string versions_before = a.db().QueryValue("SELECT count(*) FROM rule_set_versions");

  // Three changes due at the same instant, scheduled through both instances: both schedulers
  // wake for each, and each change must still be applied once.
  const std::string at = FromNow(milliseconds(2000));
  auto first = client_a->Post(kScheduled, ScheduleBody(at, kSoldOut), admin);
  ASSERT_EQ(first.status, 201) << first.body;
  auto second = client_b->Post(
      kScheduled,
      ScheduleBody(at, R"({"kind":"pricing_settings","body":{"max_discount_percent":20}})"),
      b.AdminToken());
  ASSERT_EQ(second.status, 201) << second.body;
  auto third = client_a->Post(
      kScheduled, ScheduleBody(at, R"({"kind":"prep_time_settings","body":{"baristas":3}})"),
      admin);
  ASSERT_EQ(third.status, 201) << third.body;

  auto on_b = QuoteUntil(*client_b, user, 400);
  EXPECT_EQ(on_b.status, 400) << on_b.body;
  auto on_a = QuoteUntil(*client_a, a.UserToken(), 400);
  EXPECT_EQ(on_a.status, 400) << on_a.body;
  auto all_applied =
      PollUntil(*client_a, admin, kScheduled + "?status=applied",
                [](const HttpResult& r) { return r.Header("x-total-count") == "3"; });
  ASSERT_EQ(all_applied.Header("x-total-count"), "3") << all_applied.body;

  // Exactly once: one change record and one version per scheduled change.
  EXPECT_EQ(a.db().QueryValue("SELECT count(*) FROM config_change_log "
                              "WHERE scheduled_change_id IS NOT NULL"),
            "3");
  EXPECT_EQ(a.db().QueryValue("SELECT count(DISTINCT scheduled_change_id) FROM config_change_log "
                              "WHERE scheduled_change_id IS NOT NULL"),
            "3");
  EXPECT_EQ(a.db().QueryValue("SELECT count(*) FROM rule_set_versions"),
            std::to_string(std::stoll(versions_before) + 3));
  EXPECT_EQ(a.db().QueryValue("SELECT count(DISTINCT version) FROM scheduled_changes"), "3");
  // Both instances serve the new settings.
  for (auto* client : {client_a.get(), client_b.get()}) {
    auto settings = client->Get("/api/business-rules/pricing-settings");
    EXPECT_EQ(settings.Json().as_object().at("max_discount_percent").to_number<double>(), 20.0)
        << settings.body;
  }
}

INSTANTIATE_TEST_SUITE_P(Postgres, ScheduledChangesMultiInstance,
                         ::testing::Values(std::string("postgres")), BackendName);

}  // namespace
}  // namespace coffee::testing
