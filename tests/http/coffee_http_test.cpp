#include <algorithm>
#include <thread>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

const char* kNewCoffee =
    R"({"name":"Ristretto","coffee_type":"Short Shot","price":"3.95","rating":4.4,)"
    R"("image_url":"https://images.example.com/ristretto.jpg"})";

class CoffeeHttp : public HttpTest {
 protected:
  std::vector<std::string> Names(const HttpResult& res) {
    std::vector<std::string> out;
    const auto json = res.Json();
    for (const auto& c : json.as_array()) {
      out.emplace_back(c.as_object().at("name").as_string());
    }
    return out;
  }
  std::string CoffeeCount() { return server_->db().QueryValue("SELECT COUNT(*) FROM coffees"); }
};

TEST_P(CoffeeHttp, ListsTheSeededCatalogByIdWithTotal) {
  auto res = client_->Get("/api/coffees");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("x-total-count"), "12");
  EXPECT_EQ(res.Header("content-type"), "application/json");
  auto items = res.Json().as_array();
  ASSERT_EQ(items.size(), 10U);  // default limit
  auto first = items[0].as_object();
  EXPECT_EQ(first["name"], "Espresso");
  EXPECT_EQ(first["coffee_type"], "Single Shot");
  EXPECT_DOUBLE_EQ(first["price"].to_number<double>(), 3.5);
  EXPECT_NE(res.body.find(R"("price":3.50)"), std::string::npos) << res.body;
  for (const char* k : {"id", "rating", "image_url", "average_rating", "review_count"}) {
    EXPECT_TRUE(first.contains(k)) << k;
  }
  auto page2 = client_->Get("/api/coffees?page=2&limit=10");
  EXPECT_EQ(page2.Json().as_array().size(), 2U);
}

TEST_P(CoffeeHttp, SearchIsCaseInsensitiveAndTreatsWildcardsLiterally) {
  EXPECT_EQ(Names(client_->Get("/api/coffees?search=LATTE")),
            (std::vector<std::string>{"Latte", "Iced Latte"}));
  EXPECT_TRUE(Names(client_->Get("/api/coffees?search=%25")).empty());
  EXPECT_TRUE(Names(client_->Get("/api/coffees?search=_")).empty());
}

TEST_P(CoffeeHttp, FiltersByTypeAndPriceRange) {
  EXPECT_EQ(Names(client_->Get("/api/coffees?type_filter=with%20chocolate")),
            (std::vector<std::string>{"Cappuccino", "Mocha"}));
  auto range = client_->Get("/api/coffees?min_price=4.50&max_price=5&limit=100");
  EXPECT_EQ(Names(range),
            (std::vector<std::string>{"Cappuccino", "Mocha", "Cold Brew", "Iced Latte"}));
  EXPECT_EQ(range.Header("x-total-count"), "4");
}

TEST_P(CoffeeHttp, SortsByPriceRatingAndName) {
  auto by_price = Names(client_->Get("/api/coffees?sort=price&limit=3"));
  EXPECT_EQ(by_price, (std::vector<std::string>{"Americano", "Turkish Coffee", "Espresso"}));
  auto by_price_desc = Names(client_->Get("/api/coffees?sort=price&order=desc&limit=2"));
  EXPECT_EQ(by_price_desc, (std::vector<std::string>{"Affogato", "Mocha"}));
  auto by_rating = Names(client_->Get("/api/coffees?sort=rating&limit=1"));
  EXPECT_EQ(by_rating, (std::vector<std::string>{"Affogato"}));
  auto by_name = Names(client_->Get("/api/coffees?sort=name&limit=2"));
  EXPECT_EQ(by_name, (std::vector<std::string>{"Affogato", "Americano"}));
}

TEST_P(CoffeeHttp, BadQueryParametersAreNamed) {
  for (const char* q : {"page=0", "limit=500", "min_price=0", "min_price=6&max_price=2",
                        "sort=colour", "order=sideways", "max_price=abc"}) {
    auto body =
        ExpectError(client_->Get(std::string("/api/coffees?") + q), 400, "VALIDATION_ERROR");
    EXPECT_FALSE(body["fields"].as_object().empty()) << q;
  }
}

TEST_P(CoffeeHttp, GetOneOr404) {
  auto res = client_->Get("/api/coffees/2");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.Json().as_object()["name"], "Cappuccino");
  auto missing = ExpectError(client_->Get("/api/coffees/999"), 404, "NOT_FOUND");
  EXPECT_EQ(missing["details"], "Coffee with id 999 not found");
  ExpectError(client_->Get("/api/coffees/abc"), 400, "VALIDATION_ERROR");
}

TEST_P(CoffeeHttp, AdminCreatesUpdatesAndDeletes) {
  const std::string admin = server_->AdminToken();
  auto created = client_->Post("/api/coffees", kNewCoffee, admin);
  ASSERT_EQ(created.status, 201) << created.body;
  auto coffee = created.Json().as_object();
  EXPECT_EQ(coffee["name"], "Ristretto");
  EXPECT_NE(created.body.find(R"("price":3.95)"), std::string::npos);
  const std::string id = std::to_string(coffee["id"].as_int64());

  auto updated = client_->Put("/api/coffees/" + id, R"({"price":4.1,"rating":4.5})", admin);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json().as_object()["name"], "Ristretto");
  EXPECT_NE(updated.body.find(R"("price":4.10)"), std::string::npos);

  EXPECT_EQ(client_->Delete("/api/coffees/" + id, admin).status, 204);
  ExpectError(client_->Get("/api/coffees/" + id), 404, "NOT_FOUND");
  ExpectError(client_->Delete("/api/coffees/" + id, admin), 404, "NOT_FOUND");
}

TEST_P(CoffeeHttp, UserTokenGets403AndNoTokenGets401OnAdminRoutes) {
  const std::string user = server_->UserToken();
  const std::string staff = server_->StaffToken();
  ExpectError(client_->Post("/api/coffees", kNewCoffee, user), 403, "FORBIDDEN");
  ExpectError(client_->Post("/api/coffees", kNewCoffee, staff), 403, "FORBIDDEN");
  ExpectError(client_->Put("/api/coffees/1", R"({"price":1})", user), 403, "FORBIDDEN");
  ExpectError(client_->Delete("/api/coffees/1", user), 403, "FORBIDDEN");
  ExpectError(client_->Post("/api/coffees", kNewCoffee), 401, "MISSING_TOKEN");
  EXPECT_EQ(CoffeeCount(), "12");
}

TEST_P(CoffeeHttp, DuplicateNameIs409AndRollsBack) {
  const std::string admin = server_->AdminToken();
  auto dup =
      ExpectError(client_->Post("/api/coffees",
                                R"({"name":"eSpReSsO","coffee_type":"x","price":1,"rating":1,)"
                                R"("image_url":"https://x.example/e.jpg"})",
                                admin),
                  409, "CONFLICT");
  EXPECT_EQ(CoffeeCount(), "12");
  ExpectError(client_->Put("/api/coffees/2", R"({"name":"LATTE"})", admin), 409, "CONFLICT");
  EXPECT_EQ(client_->Get("/api/coffees/2").Json().as_object()["name"], "Cappuccino");
}

TEST_P(CoffeeHttp, InvalidFieldsAreEachNamed) {
  const std::string admin = server_->AdminToken();
  auto body = ExpectError(
      client_->Post(
          "/api/coffees",
          R"({"name":"","coffee_type":"x","price":"1.999","rating":7,"image_url":"nope"})", admin),
      400, "VALIDATION_ERROR");
  auto fields = body["fields"].as_object();
  for (const char* f : {"name", "price", "rating", "image_url"}) {
    EXPECT_TRUE(fields.contains(f)) << f << " in " << json::serialize(fields);
  }
  auto price = ExpectError(client_->Post("/api/coffees",
                                         R"({"name":"A","coffee_type":"x","price":0,"rating":1,)"
                                         R"("image_url":"https://x.example/a.jpg"})",
                                         admin),
                           400, "VALIDATION_ERROR");
  EXPECT_EQ(price["details"], "price: must be greater than 0");
  ExpectError(client_->Post("/api/coffees", R"({"name":"A"})", admin), 400, "VALIDATION_ERROR");
  EXPECT_EQ(CoffeeCount(), "12");
}

TEST_P(CoffeeHttp, OrderedCoffeeCannotBeDeleted) {
  const std::string admin = server_->AdminToken();
  const std::string user_id =
      server_->db().QueryValue("SELECT id FROM users WHERE email = 'test@example.com'");
  const std::string now = "2026-01-01T00:00:00.000000Z";
  server_->db().Exec(
      "INSERT INTO orders (id, user_id, status, payment_status, base_price_cents, "
      "discount_total_cents, total_price_cents, pricing_strategy, prep_work_minutes, "
      "estimated_prep_minutes, estimated_ready_at, created_at, updated_at) VALUES "
      "('11111111-2222-3333-4444-555555555555', " +
      user_id + ", 'pending', 'unpaid', 350, 0, 350, 'best_price', 2, 2, '" + now + "', '" + now +
      "', '" + now + "')");
  server_->db().Exec(
      "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents, "
      "subtotal_cents, discount_cents, final_cents) VALUES "
      "('11111111-2222-3333-4444-555555555555', 1, 'Espresso', 1, 350, 350, 0, 350)");
  auto body = ExpectError(client_->Delete("/api/coffees/1", admin), 409, "CONFLICT");
  EXPECT_NE(std::string(body["details"].as_string()).find("discontinued"), std::string::npos);
  EXPECT_EQ(client_->Get("/api/coffees/1").status, 200);
}

TEST_P(CoffeeHttp, CachedListShowsAChangeThroughTheApiAtOnce) {
  const std::string admin = server_->AdminToken();
  const std::string target = "/api/coffees?sort=name&limit=100";
  ASSERT_EQ(client_->Get(target).Header("x-total-count"), "12");
  ASSERT_EQ(client_->Get(target).Header("x-total-count"), "12");  // now from the cache
  auto created = client_->Post("/api/coffees", kNewCoffee, admin);
  ASSERT_EQ(created.status, 201);
  auto after = client_->Get(target);
  EXPECT_EQ(after.Header("x-total-count"), "13");
  auto names = Names(after);
  EXPECT_NE(std::find(names.begin(), names.end(), "Ristretto"), names.end());
  ASSERT_EQ(client_->Put("/api/coffees/1", R"({"name":"Espresso Doppio"})", admin).status, 200);
  names = Names(client_->Get(target));
  EXPECT_NE(std::find(names.begin(), names.end(), "Espresso Doppio"), names.end());
}

TEST_P(CoffeeHttp, EarlierFavoritesRouteAnswersLikeGetOneForASignedInUser) {
  const std::string user = server_->UserToken();
  auto favorite = client_->Get("/api/coffees/favorites/2", user);
  ASSERT_EQ(favorite.status, 200) << favorite.body;
  EXPECT_EQ(favorite.body, client_->Get("/api/coffees/2").body);
  ExpectError(client_->Get("/api/coffees/favorites/2"), 401, "MISSING_TOKEN");
  auto missing = ExpectError(client_->Get("/api/coffees/favorites/999", user), 404, "NOT_FOUND");
  EXPECT_EQ(missing["error"], "Coffee with id 999 not found");
}

TEST_P(CoffeeHttp, NullOrControlCharactersInCoffeeFieldsAreNamed) {
  const std::string admin = server_->AdminToken();
  auto null_name = ExpectError(client_->Put("/api/coffees/1", R"({"name":null})", admin), 400,
                               "VALIDATION_ERROR");
  EXPECT_EQ(null_name["error"], "name: must not be null");
  auto tab = ExpectError(client_->Put("/api/coffees/1", R"({"coffee_type":"Hot\tdrink"})", admin),
                         400, "VALIDATION_ERROR");
  EXPECT_EQ(tab["fields"].as_object()["coffee_type"], "must not contain control characters");
  EXPECT_EQ(client_->Get("/api/coffees/1").Json().as_object()["coffee_type"], "Single Shot");
}

INSTANTIATE_TEST_SUITE_P(Backends, CoffeeHttp, ::testing::ValuesIn(AllBackends()), BackendName);

/// A coffee edited directly in SQL shows up in the cached list within CACHE_TTL.
class CatalogTtlHttp : public ::testing::TestWithParam<std::string> {};

TEST_P(CatalogTtlHttp, DirectDatabaseEditReachesTheListAfterTheTtl) {
  TestServer server(GetParam(), true,
                    [](config::Config& c) { c.cache_ttl = std::chrono::seconds(1); });
  auto client = server.Client();
  ASSERT_NE(client->Get("/api/coffees?limit=1").body.find("Espresso"), std::string::npos);
  server.db().Exec("UPDATE coffees SET name = 'Ristretto Classico' WHERE id = 1");
  std::string body;
  for (int i = 0; i < 40 && body.find("Ristretto Classico") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    body = client->Get("/api/coffees?limit=1").body;
  }
  EXPECT_NE(body.find("Ristretto Classico"), std::string::npos) << body;
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogTtlHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
