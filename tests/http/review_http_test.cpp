#include <atomic>
#include <thread>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

/// Reviews against the seeded catalog; the three demo accounts and one registered customer
/// review. Espresso is coffee 1, Mocha coffee 5.
class ReviewHttp : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    user_ = server_->UserToken();
    admin_ = server_->AdminToken();
    staff_ = server_->StaffToken();
  }

  HttpResult Review(const std::string& body, const std::string& token) {
    return client_->Post("/api/reviews", body, token);
  }

  /// Creates a review and returns its id (fails the test otherwise).
  std::int64_t Create(std::int64_t coffee, int rating, const std::string& token) {
    auto res = Review(R"({"coffee_id":)" + std::to_string(coffee) + R"(,"rating":)" +
                          std::to_string(rating) + "}",
                      token);
    EXPECT_EQ(res.status, 201) << res.body;
    if (res.status != 201) return 0;
    return res.Json().as_object().at("id").as_int64();
  }

  json::object CoffeeJson(std::int64_t id) {
    return client_->Get("/api/coffees/" + std::to_string(id)).Json().as_object();
  }

  std::string Register(const std::string& email) {
    auto res = client_->Post("/api/auth/register",
                             R"({"email":")" + email + R"(","password":"Reviewer123"})");
    EXPECT_EQ(res.status, 201) << res.body;
    return std::string(res.Json().as_object()["access_token"].as_string());
  }

  std::string user_;
  std::string admin_;
  std::string staff_;
};

TEST_P(ReviewHttp, ReviewIsCreatedAndTheCatalogShowsTheAverage) {
  // Before any review: no average, count 0 (and the catalog list gets cached).
  EXPECT_TRUE(CoffeeJson(1)["average_rating"].is_null());
  EXPECT_EQ(CoffeeJson(1)["review_count"], 0);
  auto listed = client_->Get("/api/coffees?limit=1").Json().as_array();
  EXPECT_TRUE(listed[0].as_object()["average_rating"].is_null());

  auto res = Review(R"({"coffee_id":1,"rating":5,"comment":"Bright and short.\nPerfect."})", user_);
  ASSERT_EQ(res.status, 201) << res.body;
  auto r = res.Json().as_object();
  EXPECT_GT(r["id"].as_int64(), 0);
  EXPECT_EQ(r["coffee_id"], 1);
  EXPECT_EQ(r["rating"], 5);
  EXPECT_EQ(r["comment"], "Bright and short.\nPerfect.");
  EXPECT_EQ(r["hidden"], false);
  EXPECT_EQ(r["verified_purchase"], false);
  for (const char* k : {"user_id", "created_at", "updated_at"}) EXPECT_TRUE(r.contains(k)) << k;

  Create(1, 4, admin_);
  Create(1, 4, staff_);
  // (5 + 4 + 4) / 3 = 4.333… → 4.33; the editorial rating 4.8 is unchanged.
  auto coffee = CoffeeJson(1);
  EXPECT_DOUBLE_EQ(coffee["average_rating"].to_number<double>(), 4.33);
  EXPECT_EQ(coffee["review_count"], 3);
  EXPECT_DOUBLE_EQ(coffee["rating"].to_number<double>(), 4.8);
  // The cached catalog list is not stale after the reviews.
  listed = client_->Get("/api/coffees?limit=1").Json().as_array();
  EXPECT_DOUBLE_EQ(listed[0].as_object()["average_rating"].to_number<double>(), 4.33);
  EXPECT_EQ(listed[0].as_object()["review_count"], 3);
}

TEST_P(ReviewHttp, AverageRoundsHalfAwayFromZeroToTwoDecimals) {
  // 5 + 5 + 4 = 14 / 3 = 4.666… → 4.67; then 5 + 4 = 9 / 2 = 4.5.
  Create(5, 5, user_);
  const auto admin_review = Create(5, 5, admin_);
  Create(5, 4, staff_);
  EXPECT_DOUBLE_EQ(CoffeeJson(5)["average_rating"].to_number<double>(), 4.67);
  ASSERT_EQ(client_->Delete("/api/reviews/" + std::to_string(admin_review), admin_).status, 204);
  EXPECT_DOUBLE_EQ(CoffeeJson(5)["average_rating"].to_number<double>(), 4.5);
  EXPECT_EQ(CoffeeJson(5)["review_count"], 2);
}

TEST_P(ReviewHttp, SecondReviewOfTheSameCoffeeIsAConflict) {
  Create(2, 3, user_);
  auto body = ExpectError(Review(R"({"coffee_id":2,"rating":5})", user_), 409, "DUPLICATE_REVIEW");
  EXPECT_NE(std::string(body["details"].as_string()).find("already reviewed"), std::string::npos);
  EXPECT_EQ(CoffeeJson(2)["review_count"], 1);
}

TEST_P(ReviewHttp, ConcurrentDuplicatesGiveOneCreatedAndOnlyConflicts) {
  constexpr int kRequests = 12;
  std::atomic<int> ready{0};
  std::vector<int> statuses(kRequests);
  std::vector<std::string> codes(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      auto client = server_->Client();
      ready.fetch_add(1);
      while (ready.load() < kRequests) std::this_thread::yield();
      auto res = client->Post("/api/reviews", R"({"coffee_id":3,"rating":4})", user_);
      statuses[static_cast<std::size_t>(i)] = res.status;
      if (res.status != 201) {
        codes[static_cast<std::size_t>(i)] =
            std::string(res.Json().as_object()["error_code"].as_string());
      }
    });
  }
  for (auto& t : threads) t.join();
  int created = 0;
  for (int i = 0; i < kRequests; ++i) {
    if (statuses[static_cast<std::size_t>(i)] == 201) {
      ++created;
    } else {
      EXPECT_EQ(statuses[static_cast<std::size_t>(i)], 409);
      EXPECT_EQ(codes[static_cast<std::size_t>(i)], "DUPLICATE_REVIEW");
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(CoffeeJson(3)["review_count"], 1);
  EXPECT_EQ(server_->db().QueryValue("SELECT count(*) FROM reviews"), "1");
}

TEST_P(ReviewHttp, ConcurrentReviewsOfOneCoffeeAllCount) {
  constexpr int kReviewers = 8;
  std::vector<std::string> tokens;
  for (int i = 0; i < kReviewers; ++i) {
    // Appended piece by piece: gcc 12's -O2 -Werror=restrict misfires on
    // `"literal" + std::string&&` (operator+ inserting at the front).
    std::string email = "r";
    email += std::to_string(i);
    email += "@x.io";
    tokens.push_back(Register(email));
  }
  std::atomic<int> ready{0};
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kReviewers; ++i) {
    threads.emplace_back([&, i] {
      auto client = server_->Client();
      ready.fetch_add(1);
      while (ready.load() < kReviewers) std::this_thread::yield();
      // Ratings 1, 2, 3, 4, 5, 1, 2, 3: Σ 21 over 8 = 2.625 → 2.63.
      auto res = client->Post("/api/reviews",
                              R"({"coffee_id":4,"rating":)" + std::to_string(1 + i % 5) + "}",
                              tokens[static_cast<std::size_t>(i)]);
      if (res.status == 201) created.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), kReviewers);
  EXPECT_EQ(CoffeeJson(4)["review_count"], kReviewers);
  EXPECT_DOUBLE_EQ(CoffeeJson(4)["average_rating"].to_number<double>(), 2.63);
}

TEST_P(ReviewHttp, BadInputIsRefusedNamingTheField) {
  ExpectError(Review(R"({"coffee_id":999,"rating":4})", user_), 404, "COFFEE_NOT_FOUND");
  for (const char* rating : {"0", "6", "4.5", R"("4")", "null"}) {
    auto body =
        ExpectError(Review(std::string(R"({"coffee_id":1,"rating":)") + rating + "}", user_), 400,
                    "VALIDATION_ERROR");
    EXPECT_TRUE(body["fields"].as_object().contains("rating")) << rating;
  }
  auto body = ExpectError(Review(R"({"rating":4})", user_), 400, "VALIDATION_ERROR");
  EXPECT_TRUE(body["fields"].as_object().contains("coffee_id"));
  // 1000 code points (two bytes each) pass; 1001 do not.
  std::string long_comment;
  for (int i = 0; i < 1000; ++i) long_comment += "\xc3\xa9";
  auto ok = Review(R"({"coffee_id":1,"rating":4,"comment":")" + long_comment + R"("})", user_);
  EXPECT_EQ(ok.status, 201) << ok.body;
  body = ExpectError(
      Review(R"({"coffee_id":2,"rating":4,"comment":")" + long_comment + R"(x"})", user_), 400,
      "VALIDATION_ERROR");
  EXPECT_TRUE(body["fields"].as_object().contains("comment"));
  for (const char* control : {R"(\u0001)", R"(\r)", R"(\u007f)", R"(\u001f)"}) {
    body = ExpectError(
        Review(std::string(R"({"coffee_id":2,"rating":4,"comment":"a)") + control + R"(b"})",
               user_),
        400, "VALIDATION_ERROR");
    EXPECT_TRUE(body["fields"].as_object().contains("comment")) << control;
  }
  EXPECT_EQ(Review(R"({"coffee_id":2,"rating":4,"comment":"tab\there"})", user_).status, 201);
  body = ExpectError(Review(R"({"coffee_id":3,"rating":4,"comment":7})", user_), 400,
                     "VALIDATION_ERROR");
  EXPECT_TRUE(body["fields"].as_object().contains("comment"));
  EXPECT_EQ(server_->db().QueryValue("SELECT count(*) FROM reviews"), "2");
}

TEST_P(ReviewHttp, OnlyTheAuthorEditsAndTheAuthorOrAnAdminDeletes) {
  const auto id = Create(1, 2, user_);
  const std::string path = "/api/reviews/" + std::to_string(id);
  auto refused = ExpectError(client_->Put(path, R"({"rating":5})", staff_), 403, "FORBIDDEN");
  ExpectError(client_->Put(path, R"({"rating":5})", admin_), 403, "FORBIDDEN");
  ExpectError(client_->Put(path, "{}", user_), 400, "VALIDATION_ERROR");
  auto res = client_->Put(path, R"({"rating":5,"comment":"Changed my mind"})", user_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json().as_object()["rating"], 5);
  EXPECT_DOUBLE_EQ(CoffeeJson(1)["average_rating"].to_number<double>(), 5.0);
  res = client_->Put(path, R"({"comment":null})", user_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.Json().as_object()["comment"].is_null());
  EXPECT_EQ(res.Json().as_object()["rating"], 5);
  ExpectError(client_->Put("/api/reviews/99999", R"({"rating":5})", user_), 404, "NOT_FOUND");

  ExpectError(client_->Delete(path, staff_), 403, "FORBIDDEN");
  EXPECT_EQ(client_->Delete(path, user_).status, 204);
  ExpectError(client_->Delete(path, user_), 404, "NOT_FOUND");
  const auto other = Create(1, 3, staff_);
  EXPECT_EQ(client_->Delete("/api/reviews/" + std::to_string(other), admin_).status, 204);
  EXPECT_EQ(CoffeeJson(1)["review_count"], 0);
  EXPECT_TRUE(CoffeeJson(1)["average_rating"].is_null());
}

TEST_P(ReviewHttp, AdminHidesWithAReasonAndTheChangeIsRecorded) {
  const auto spam = Create(1, 1, user_);
  Create(1, 5, staff_);
  const std::string path = "/api/admin/reviews/" + std::to_string(spam);
  auto body =
      ExpectError(client_->Patch(path, R"({"hidden":true})", admin_), 400, "VALIDATION_ERROR");
  EXPECT_TRUE(body["fields"].as_object().contains("reason"));
  ExpectError(client_->Patch(path, R"({"reason":"spam"})", admin_), 400, "VALIDATION_ERROR");
  auto res = client_->Patch(path, R"({"hidden":true,"reason":"Advertising"})", admin_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Json().as_object()["hidden"], true);
  EXPECT_EQ(res.Json().as_object()["hidden_reason"], "Advertising");
  // Out of the public list and of the aggregate: 5 / 1.
  auto list = client_->Get("/api/coffees/1/reviews");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Header("x-total-count"), "1");
  EXPECT_EQ(list.Json().as_array().size(), 1U);
  EXPECT_EQ(CoffeeJson(1)["review_count"], 1);
  EXPECT_DOUBLE_EQ(CoffeeJson(1)["average_rating"].to_number<double>(), 5.0);
  // The change log has who, what, before and after.
  auto changes = client_->Get("/api/business-rules/changes", admin_).Json().as_array();
  ASSERT_FALSE(changes.empty());
  auto change = changes[0].as_object();
  EXPECT_EQ(change["entity"], "review");
  EXPECT_EQ(change["entity_id"], std::to_string(spam).c_str());
  EXPECT_EQ(change["action"], "hide");
  EXPECT_EQ(change["before"].as_object()["hidden"], false);
  EXPECT_EQ(change["after"].as_object()["hidden"], true);
  EXPECT_EQ(change["after"].as_object()["reason"], "Advertising");
  // Hiding again with the same reason changes and records nothing; showing it does.
  const auto count = server_->db().QueryValue("SELECT count(*) FROM config_change_log");
  EXPECT_EQ(client_->Patch(path, R"({"hidden":true,"reason":"Advertising"})", admin_).status, 200);
  EXPECT_EQ(server_->db().QueryValue("SELECT count(*) FROM config_change_log"), count);
  res = client_->Patch(path, R"({"hidden":false})", admin_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.Json().as_object()["hidden_reason"].is_null());
  EXPECT_EQ(CoffeeJson(1)["review_count"], 2);
  EXPECT_DOUBLE_EQ(CoffeeJson(1)["average_rating"].to_number<double>(), 3.0);
  ExpectError(client_->Patch("/api/admin/reviews/99999", R"({"hidden":false})", admin_), 404,
              "NOT_FOUND");
}

TEST_P(ReviewHttp, CoffeeReviewsArePagedNewestFirst) {
  const auto first = Create(2, 3, user_);
  const auto second = Create(2, 4, admin_);
  const auto third = Create(2, 5, staff_);
  // Distinct creation instants, whatever the clock's resolution.
  for (const auto& [id, day] : {std::pair{first, 1}, std::pair{second, 2}, std::pair{third, 3}}) {
    server_->db().Exec("UPDATE reviews SET created_at = '2026-01-0" + std::to_string(day) +
                       "T10:00:00.000000Z' WHERE id = " + std::to_string(id));
  }
  auto page = client_->Get("/api/coffees/2/reviews?limit=2");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("x-total-count"), "3");
  auto items = page.Json().as_array();
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0].as_object()["id"], third);
  EXPECT_EQ(items[1].as_object()["id"], second);
  items = client_->Get("/api/coffees/2/reviews?limit=2&page=2").Json().as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].as_object()["id"], first);
  ExpectError(client_->Get("/api/coffees/999/reviews"), 404, "COFFEE_NOT_FOUND");
  ExpectError(client_->Get("/api/coffees/2/reviews?limit=0"), 400, "VALIDATION_ERROR");
}

TEST_P(ReviewHttp, VerifiedPurchaseNeedsACompletedOrderWithTheCoffee) {
  const auto id = Create(1, 5, user_);
  auto reviews = client_->Get("/api/coffees/1/reviews").Json().as_array();
  EXPECT_EQ(reviews[0].as_object()["verified_purchase"], false);
  auto order =
      client_->Post("/api/orders", R"({"items":[{"coffee_item_id":1,"quantity":1}]})", user_);
  ASSERT_EQ(order.status, 201) << order.body;
  const std::string order_id(order.Json().as_object()["id"].as_string());
  for (const char* s : {"confirmed", "preparing", "ready"}) {
    ASSERT_EQ(client_
                  ->Patch("/api/orders/" + order_id + "/status",
                          std::string(R"({"status":")") + s + R"("})", staff_)
                  .status,
              200);
  }
  // Ready is not completed yet.
  reviews = client_->Get("/api/coffees/1/reviews").Json().as_array();
  EXPECT_EQ(reviews[0].as_object()["verified_purchase"], false);
  ASSERT_EQ(
      client_->Patch("/api/orders/" + order_id + "/status", R"({"status":"completed"})", staff_)
          .status,
      200);
  reviews = client_->Get("/api/coffees/1/reviews").Json().as_array();
  EXPECT_EQ(reviews[0].as_object()["id"], id);
  EXPECT_EQ(reviews[0].as_object()["verified_purchase"], true);
}

INSTANTIATE_TEST_SUITE_P(Http, ReviewHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
