// Deep pages are read from the nearer end of their list (app/paging.hpp): every page a client
// asks for must still be exactly the slice of the whole list, whichever end it was read from.

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "http_test_support.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;

constexpr int kRows = 23;

std::string WithQuery(const std::string& path, const std::string& query) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + query;
}

/// A timestamp as both backends store and compare it; `second` < 60.
std::string At(int second) {
  char text[32];
  std::snprintf(text, sizeof text, "2026-01-01T10:00:%02d.000000Z", second);
  return text;
}

/// An order id whose order is unrelated to i's (a valid UUID, lower case).
std::string OrderIdOf(int i) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", ((i * 7) % kRows) + 1, i);
  return text;
}

class PagingHttp : public HttpTest {
 protected:
  /// The whole list at `path` (page 1 of 100 rows, which is read in the list's own order),
  /// checked against its X-Total-Count.
  json::array Whole(const std::string& path, const std::string& token) {
    const auto res = client_->Get(WithQuery(path, "page=1&limit=100"), token);
    EXPECT_EQ(res.status, 200) << path << ": " << res.body;
    if (res.status != 200) return {};
    json::array whole = res.Json().as_array();
    EXPECT_EQ(res.Header("x-total-count"), std::to_string(whole.size())) << path;
    return whole;
  }

  /// Every page at `path` for limits 1, 3, 10 and 100, up to one past the last, is the slice
  /// of the whole list with the same total. Returns the whole list.
  json::array ExpectEveryPageIsASlice(const std::string& path, const std::string& token) {
    const json::array whole = Whole(path, token);
    for (const std::size_t limit : {1U, 3U, 10U, 100U}) {
      const std::size_t pages = (whole.size() + limit - 1) / limit;
      for (std::size_t page = 1; page <= pages + 1; ++page) {
        const std::string target =
            WithQuery(path, "page=" + std::to_string(page) + "&limit=" + std::to_string(limit));
        const auto res = client_->Get(target, token);
        EXPECT_EQ(res.status, 200) << target << ": " << res.body;
        if (res.status != 200) continue;
        EXPECT_EQ(res.Header("x-total-count"), std::to_string(whole.size())) << target;
        json::array expected;
        for (std::size_t i = (page - 1) * limit; i < std::min(whole.size(), page * limit); ++i) {
          expected.push_back(whole[i]);
        }
        EXPECT_EQ(res.Json().as_array(), expected) << target;
      }
    }
    return whole;
  }

  std::string UserId(const std::string& email) {
    return server_->db().QueryValue("SELECT id FROM users WHERE email = '" + email + "'");
  }

  /// Inserts an order with one line (quantity `quantity`) directly in SQL.
  void InsertOrder(const std::string& id, const std::string& user_id, const std::string& status,
                   const std::string& created_at, int quantity) {
    server_->db().Exec(
        "INSERT INTO orders (id, user_id, status, base_price_cents, discount_total_cents, "
        "total_price_cents, pricing_strategy, prep_work_minutes, estimated_prep_minutes, "
        "estimated_ready_at, created_at, updated_at) VALUES ('" +
        id + "', " + user_id + ", '" + status + "', 350, 0, 350, 'additive', 2, 2, '" + created_at +
        "', '" + created_at + "', '" + created_at + "')");
    server_->db().Exec(
        "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, "
        "price_snapshot_cents, subtotal_cents, discount_cents, final_cents) VALUES ('" +
        id + "', 1, 'Espresso', " + std::to_string(quantity) + ", 350, 350, 0, 350)");
  }
};

// 23 orders of two customers in three statuses, created in groups of three at the same
// instant, their ids in an order unrelated to their creation: the staff's list, by status and
// by customer, and a customer's own list.
TEST_P(PagingHttp, EveryOrdersPageIsTheSliceOfTheWholeListForEveryFilter) {
  const std::string ann = UserId("test@example.com");
  const std::string ben = UserId("barista@example.com");
  const std::vector<std::string> statuses = {"pending", "completed", "cancelled"};
  std::vector<std::tuple<std::string, std::string>> newest_first;  // created_at, id
  for (int i = 0; i < kRows; ++i) {
    InsertOrder(OrderIdOf(i), i % 2 == 0 ? ann : ben, statuses[i % 3], At(i / 3), i + 1);
    newest_first.emplace_back(At(i / 3), OrderIdOf(i));
  }
  std::sort(newest_first.rbegin(), newest_first.rend());
  const std::string admin = server_->AdminToken();
  const auto all = ExpectEveryPageIsASlice("/api/orders", admin);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kRows));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].as_object().at("id").as_string(), std::get<1>(newest_first[i])) << i;
  }
  const std::vector<std::string> queries = {"status=pending", "status=completed", "user_id=" + ann,
                                            "user_id=" + ben,
                                            "user_id=" + ben + "&status=cancelled"};
  for (const std::string& query : queries) {
    EXPECT_FALSE(ExpectEveryPageIsASlice("/api/orders?" + query, admin).empty()) << query;
  }
  const std::string customer = server_->UserToken();
  EXPECT_EQ(ExpectEveryPageIsASlice("/api/orders", customer).size(),
            static_cast<std::size_t>((kRows + 1) / 2));
  EXPECT_FALSE(ExpectEveryPageIsASlice("/api/orders?status=completed", customer).empty());
}

// The seeded catalog and 11 more coffees that tie with each other and with it on price and
// rating, under every sort and direction, with filters of each kind.
TEST_P(PagingHttp, EveryCoffeesPageIsTheSliceOfTheWholeListForEverySortAndFilter) {
  const std::string admin = server_->AdminToken();
  const std::vector<std::string> prices = {"3.50", "4.50", "5.00"};
  const std::vector<std::string> ratings = {"4.5", "4.8"};
  for (int i = 0; i < kRows - 12; ++i) {
    const auto res = client_->Post("/api/coffees",
                                   R"({"name":"Paging blend )" + std::to_string(i) +
                                       R"(","coffee_type":"Paging","price":")" + prices[i % 3] +
                                       R"(","rating":)" + ratings[i % 2] +
                                       R"(,"image_url":"https://images.example.com/blend.jpg"})",
                                   admin);
    ASSERT_EQ(res.status, 201) << res.body;
  }
  ASSERT_EQ(Whole("/api/coffees", "").size(), static_cast<std::size_t>(kRows));
  for (const std::string sort : {"", "sort=price", "sort=rating", "sort=name"}) {
    for (const std::string order : {"", "order=asc", "order=desc"}) {
      for (const std::string filter : {"", "type_filter=paging", "min_price=3.50&max_price=4.50",
                                       "search=la", "search=blend"}) {
        std::string query;
        for (const std::string& part : {sort, order, filter}) {
          if (part.empty()) continue;
          query += (query.empty() ? "" : "&") + part;
        }
        const std::string path = query.empty() ? "/api/coffees" : "/api/coffees?" + query;
        EXPECT_FALSE(ExpectEveryPageIsASlice(path, "").empty()) << path;
      }
    }
  }
}

// 23 audit rows of two rule types, some of them one order's: the whole log, by type and by order.
TEST_P(PagingHttp, EveryAuditPageIsTheSliceOfTheWholeLogForEveryFilter) {
  const std::string order = OrderIdOf(0);
  InsertOrder(order, UserId("test@example.com"), "pending", At(0), 1);
  const std::string before = server_->db().QueryValue("SELECT count(*) FROM rule_audit_log");
  for (int i = 0; i < kRows; ++i) {
    server_->db().Exec(
        "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, "
        "created_at) VALUES (" +
        (i % 3 == 0 ? "'" + order + "'" : std::string("NULL")) + ", '" +
        (i % 2 == 0 ? "pricing_rule" : "availability") + "', " + std::to_string(i) + ", '{}', '" +
        "effect " + std::to_string(i) + "', '" + At(i / 4) + "')");
  }
  const std::string admin = server_->AdminToken();
  const auto all = ExpectEveryPageIsASlice("/api/business-rules/audit", admin);
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kRows) + std::stoul(before));
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].as_object().at("audit_id").to_number<std::int64_t>(),
              all[i].as_object().at("audit_id").to_number<std::int64_t>());
  }
  EXPECT_FALSE(
      ExpectEveryPageIsASlice("/api/business-rules/audit?rule_type=availability", admin).empty());
  EXPECT_EQ(ExpectEveryPageIsASlice("/api/business-rules/audit?order_id=" + order, admin).size(),
            8U);
  EXPECT_FALSE(ExpectEveryPageIsASlice(
                   "/api/business-rules/audit?order_id=" + order + "&rule_type=pricing_rule", admin)
                   .empty());
}

// 23 visible reviews of one coffee by 23 customers, written in groups of four at the same
// instant, and two hidden ones that no page shows.
TEST_P(PagingHttp, EveryReviewsPageIsTheSliceOfTheWholeList) {
  const std::string hidden = GetParam() == "sqlite" ? "1" : "true";
  std::vector<std::tuple<std::string, std::string>> newest_first;  // created_at, id
  for (int i = 0; i < kRows + 2; ++i) {
    const std::string email = "reviewer" + std::to_string(i) + "@example.com";
    server_->db().Exec(
        "INSERT INTO users (email, password_hash, role, created_at, updated_at) VALUES ('" + email +
        "', 'x', 'user', '" + At(0) + "', '" + At(0) + "')");
    server_->db().Exec(
        "INSERT INTO reviews (user_id, coffee_id, rating, comment, created_at, updated_at) "
        "VALUES (" +
        UserId(email) + ", 1, " + std::to_string(i % 5 + 1) + ", 'review " + std::to_string(i) +
        "', '" + At(i / 4) + "', '" + At(i / 4) + "')");
    const std::string id =
        server_->db().QueryValue("SELECT max(id) FROM reviews WHERE coffee_id = 1");
    if (i % 10 == 5) {
      server_->db().Exec("UPDATE reviews SET hidden = " + hidden + " WHERE id = " + id);
    } else {
      newest_first.emplace_back(At(i / 4), id);
    }
  }
  // Newest first by created_at, then by id, compared as numbers.
  std::sort(newest_first.begin(), newest_first.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
    return std::stol(std::get<1>(a)) > std::stol(std::get<1>(b));
  });
  const auto all = ExpectEveryPageIsASlice("/api/coffees/1/reviews", "");
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kRows));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(std::to_string(all[i].as_object().at("id").to_number<std::int64_t>()),
              std::get<1>(newest_first[i]))
        << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PagingHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
