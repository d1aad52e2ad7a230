#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <initializer_list>
#include <string>

#include "storage/json_columns.hpp"
#include "storage/order_columns.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

namespace json = boost::json;

/// Joins SQL fragments (the statements below share their predicates and expressions).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto part : parts) out += part;
  return out;
}

// Only completed orders whose payment is not refunded count (SPEC §10).
constexpr std::string_view kCounted = "o.status = 'completed' AND o.payment_status <> 'refunded'";
constexpr std::string_view kCreatedEpoch = "floor(extract(epoch FROM o.created_at))::bigint";
// Lateness of order o in minutes: ceil((actual − quoted) / 60 s), whole seconds; integer
// division truncates toward zero, hence the two branches.
constexpr std::string_view kLateMinutes =
    "CASE WHEN (floor(extract(epoch FROM o.ready_at)) - floor(extract(epoch FROM o.created_at)))"
    "::bigint - 60 * o.estimated_prep_minutes > 0 THEN ((floor(extract(epoch FROM o.ready_at))"
    " - floor(extract(epoch FROM o.created_at)))::bigint - 60 * o.estimated_prep_minutes + 59) / 60"
    " ELSE ((floor(extract(epoch FROM o.ready_at)) - floor(extract(epoch FROM o.created_at)))"
    "::bigint - 60 * o.estimated_prep_minutes) / 60 END";
// The discount of pricing_rule audit row a in cents: discount_cents since migration 0003, else
// the two-decimal string "1.05" read as the digits 105.
constexpr std::string_view kRuleCents =
    "coalesce((a.rule_data->>'discount_cents')::bigint,"
    " replace(a.rule_data->>'discount', '.', '')::bigint)";
// 1 when max_discount_percent clipped order o (before migration 0003 the summary had only the
// broader `capped`, which also covers the per-line floor).
constexpr std::string_view kCapped =
    "coalesce((SELECT CASE WHEN coalesce((s.rule_data->>'max_discount_capped')::boolean,"
    " (s.rule_data->>'capped')::boolean, false) THEN 1 ELSE 0 END FROM rule_audit_log s"
    " WHERE s.order_id = o.id AND s.rule_type = 'pricing_summary' LIMIT 1), 0)";
constexpr std::string_view kTimedSums =
    "coalesce(sum((o.ready_at IS NOT NULL)::int), 0),"
    " coalesce(sum(CASE WHEN o.ready_at IS NULL THEN 0 ELSE o.estimated_prep_minutes END), 0),"
    " coalesce(sum(floor(extract(epoch FROM o.ready_at))::bigint"
    " - floor(extract(epoch FROM o.created_at))::bigint), 0)";
constexpr std::string_view kRollupSums =
    "coalesce(sum(r.orders), 0), coalesce(sum(r.quantity), 0), coalesce(sum(r.gross_cents), 0),"
    " coalesce(sum(r.discount_cents), 0), coalesce(sum(r.net_cents), 0),"
    " coalesce(sum(r.timed_orders), 0), coalesce(sum(r.quoted_minutes), 0),"
    " coalesce(sum(r.actual_seconds), 0)";
constexpr std::string_view kInRange = " AND o.created_at >= $1 AND o.created_at < $2";
// Reviews per rating, r1 … r5.
constexpr std::string_view kRatingSums =
    "coalesce(sum((rating = 1)::int), 0), coalesce(sum((rating = 2)::int), 0),"
    " coalesce(sum((rating = 3)::int), 0), coalesce(sum((rating = 4)::int), 0),"
    " coalesce(sum((rating = 5)::int), 0)";
constexpr std::string_view kSalesColumns =
    "(level, coffee_id, bucket, orders, quantity, gross_cents, discount_cents, net_cents,"
    " timed_orders, quoted_minutes, actual_seconds)";

/// A statement whose SQL is built from the fragments above, once.
struct Owned {
  std::string name;
  std::string sql;
  [[nodiscard]] Statement Get() const { return {name.c_str(), sql.c_str()}; }
};

struct Statements {
  Owned sales_rollup{"analytics_sales_rollup",
                     Cat({"SELECT ", kRollupSums, " FROM sales_rollup r WHERE r.level = $1",
                          " AND r.coffee_id = $2 AND r.bucket >= $3 AND r.bucket < $4"})};
  Owned sales_raw_orders{
      "analytics_sales_raw_orders",
      Cat({"SELECT count(*),",
           " coalesce(sum((SELECT sum(quantity) FROM order_items WHERE order_id = o.id)), 0),",
           " coalesce(sum(o.base_price_cents), 0), coalesce(sum(o.discount_total_cents), 0),",
           " coalesce(sum(o.total_price_cents), 0), ", kTimedSums, " FROM orders o WHERE ",
           kCounted, kInRange})};
  Owned sales_raw_coffee{
      "analytics_sales_raw_coffee",
      Cat({"SELECT count(*), coalesce(sum(i.quantity), 0), coalesce(sum(i.subtotal_cents), 0),",
           " coalesce(sum(i.discount_cents), 0), coalesce(sum(i.final_cents), 0), ", kTimedSums,
           " FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ", kCounted, kInRange,
           " AND i.coffee_id = $3"})};
  Owned by_coffee_rollup{
      "analytics_by_coffee_rollup",
      Cat({"SELECT r.coffee_id, ", kRollupSums,
           " FROM sales_rollup r WHERE r.level = $1 AND r.coffee_id = ANY (ARRAY(SELECT id",
           " FROM coffees)) AND r.bucket >= $2 AND r.bucket < $3 GROUP BY r.coffee_id"})};
  Owned by_coffee_raw{"analytics_by_coffee_raw",
                      Cat({"SELECT i.coffee_id, count(*), sum(i.quantity), sum(i.subtotal_cents),",
                           " sum(i.discount_cents), sum(i.final_cents), ", kTimedSums,
                           " FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ",
                           kCounted, kInRange, " GROUP BY i.coffee_id"})};
  Owned rules_rollup{"analytics_rules_rollup",
                     "SELECT rule_id, sum(orders), sum(discount_cents), sum(capped_orders)"
                     " FROM rule_rollup WHERE level = $1 AND bucket >= $2 AND bucket < $3"
                     " GROUP BY rule_id"};
  Owned rules_raw{"analytics_rules_raw",
                  Cat({"SELECT a.rule_id, count(*), sum(", kRuleCents, "), sum(", kCapped, ")",
                       " FROM orders o JOIN rule_audit_log a ON a.order_id = o.id",
                       " AND a.rule_type = 'pricing_rule' AND a.rule_id IS NOT NULL WHERE ",
                       kCounted, kInRange, " GROUP BY a.rule_id"})};
  // `coffee_id = ANY (…)` rather than a join with coffees: the generic plan of the join (prepared
  // statements switch to it) misjudged the row count and went parallel, several times slower.
  Owned prep_rollup{"analytics_prep_rollup",
                    "SELECT coffee_id, late_minutes, sum(orders) FROM prep_rollup"
                    " WHERE level = $1 AND coffee_id = ANY (ARRAY(SELECT 0::bigint UNION ALL"
                    " SELECT id FROM coffees)) AND bucket >= $2 AND bucket < $3"
                    " GROUP BY coffee_id, late_minutes"};
  Owned prep_raw{
      "analytics_prep_raw",
      Cat({"SELECT 0, ", kLateMinutes, " AS late, count(*) FROM orders o WHERE ", kCounted,
           " AND o.ready_at IS NOT NULL", kInRange, " GROUP BY late UNION ALL SELECT i.coffee_id, ",
           kLateMinutes, " AS late, count(*) FROM orders o JOIN order_items i",
           " ON i.order_id = o.id WHERE ", kCounted, " AND o.ready_at IS NOT NULL", kInRange,
           " GROUP BY i.coffee_id, late"})};
  Owned ratings_rollup{"analytics_ratings_rollup",
                       "SELECT coffee_id, sum(r1), sum(r2), sum(r3), sum(r4), sum(r5)"
                       " FROM review_rollup WHERE level = $1 AND coffee_id = ANY (ARRAY("
                       "SELECT 0::bigint UNION ALL SELECT id FROM coffees)) AND bucket >= $2"
                       " AND bucket < $3 GROUP BY coffee_id"};
  Owned ratings_raw{"analytics_ratings_raw",
                    Cat({"SELECT 0, ", kRatingSums,
                         " FROM reviews WHERE NOT hidden AND created_at >= $1 AND created_at < $2",
                         " UNION ALL SELECT coffee_id, ", kRatingSums,
                         " FROM reviews WHERE NOT hidden AND created_at >= $1 AND created_at < $2",
                         " GROUP BY coffee_id"})};
  // $5 bucket seconds, $6 offset, $7 unit, $8 modulo.
  Owned sales_grouped{
      "analytics_sales_grouped",
      Cat({"SELECT ((r.bucket * $5::bigint + $6::bigint) / $7::bigint) % $8::bigint AS k, ",
           kRollupSums,
           " FROM sales_rollup r WHERE r.level = $1 AND r.coffee_id = $2 AND r.bucket >= $3",
           " AND r.bucket < $4 GROUP BY k"})};
  Owned ratings_grouped{
      "analytics_ratings_grouped",
      "SELECT ((bucket * $5::bigint + $6::bigint) / $7::bigint) % $8::bigint AS k, sum(r1),"
      " sum(r2), sum(r3), sum(r4), sum(r5) FROM review_rollup WHERE level = $1"
      " AND coffee_id = $2 AND bucket >= $3 AND bucket < $4 GROUP BY k"};
  Owned loyalty{"analytics_loyalty",
                "SELECT count(*) FILTER (WHERE points_balance > 0),"
                " coalesce(sum(points_balance), 0), coalesce(sum(lifetime_points), 0)"
                " FROM customer_loyalty"};
  Owned coffee_names{"analytics_coffee_names", "SELECT id, name FROM coffees ORDER BY id"};
  Owned rule_descriptions{"analytics_rule_descriptions",
                          "SELECT rule_id, description FROM pricing_rules ORDER BY rule_id"};
  Owned counts{"analytics_rollup_counts",
               "SELECT (SELECT count(*) FROM sales_rollup), (SELECT count(*) FROM rule_rollup),"
               " (SELECT count(*) FROM prep_rollup), (SELECT count(*) FROM review_rollup)"};

  // The rebuild: the finest level from the raw rows, then every coarser level from it.
  std::string rebuild = Cat(
      {"TRUNCATE sales_rollup, rule_rollup, prep_rollup, review_rollup;",
       " INSERT INTO sales_rollup ",
       kSalesColumns,
       " SELECT 0, 0, ",
       kCreatedEpoch,
       " / 900 AS b, count(*),",
       " coalesce(sum((SELECT sum(quantity) FROM order_items WHERE order_id = o.id)), 0),",
       " sum(o.base_price_cents), sum(o.discount_total_cents), sum(o.total_price_cents), ",
       kTimedSums,
       " FROM orders o WHERE ",
       kCounted,
       " GROUP BY b;",
       " INSERT INTO sales_rollup ",
       kSalesColumns,
       " SELECT 0, i.coffee_id, ",
       kCreatedEpoch,
       " / 900 AS b, count(*), sum(i.quantity), sum(i.subtotal_cents), sum(i.discount_cents),",
       " sum(i.final_cents), ",
       kTimedSums,
       " FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ",
       kCounted,
       " GROUP BY i.coffee_id, b;",
       " INSERT INTO sales_rollup ",
       kSalesColumns,
       " SELECT l.level, r.coffee_id, r.bucket * 900 / l.seconds AS b, ",
       kRollupSums,
       " FROM sales_rollup r, rollup_levels l WHERE r.level = 0 AND l.level > 0",
       " GROUP BY l.level, r.coffee_id, b;",
       " INSERT INTO rule_rollup (level, bucket, rule_id, orders, discount_cents, capped_orders)",
       " SELECT 0, ",
       kCreatedEpoch,
       " / 900 AS b, a.rule_id, count(*), sum(",
       kRuleCents,
       "), sum(",
       kCapped,
       ") FROM orders o JOIN rule_audit_log a ON a.order_id = o.id",
       " AND a.rule_type = 'pricing_rule' AND a.rule_id IS NOT NULL WHERE ",
       kCounted,
       " GROUP BY b, a.rule_id;",
       " INSERT INTO rule_rollup (level, bucket, rule_id, orders, discount_cents, capped_orders)",
       " SELECT l.level, r.bucket * 900 / l.seconds AS b, r.rule_id, sum(r.orders),",
       " sum(r.discount_cents), sum(r.capped_orders) FROM rule_rollup r, rollup_levels l",
       " WHERE r.level = 0 AND l.level > 0 GROUP BY l.level, b, r.rule_id;",
       " INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)",
       " SELECT 0, 0, ",
       kCreatedEpoch,
       " / 900 AS b, ",
       kLateMinutes,
       " AS late, count(*) FROM orders o WHERE ",
       kCounted,
       " AND o.ready_at IS NOT NULL GROUP BY b, late;",
       " INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)",
       " SELECT 0, i.coffee_id, ",
       kCreatedEpoch,
       " / 900 AS b, ",
       kLateMinutes,
       " AS late, count(*) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ",
       kCounted,
       " AND o.ready_at IS NOT NULL GROUP BY i.coffee_id, b, late;",
       " INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)",
       " SELECT l.level, r.coffee_id, r.bucket * 900 / l.seconds AS b, r.late_minutes,",
       " sum(r.orders) FROM prep_rollup r, rollup_levels l WHERE r.level = 0 AND l.level > 0",
       " GROUP BY l.level, r.coffee_id, b, r.late_minutes;",
       " INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)",
       " SELECT 0, 0, floor(extract(epoch FROM created_at))::bigint / 900 AS b, ",
       kRatingSums,
       " FROM reviews WHERE NOT hidden GROUP BY b;",
       " INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)",
       " SELECT 0, coffee_id, floor(extract(epoch FROM created_at))::bigint / 900 AS b, ",
       kRatingSums,
       " FROM reviews WHERE NOT hidden GROUP BY coffee_id, b;",
       " INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)",
       " SELECT l.level, r.coffee_id, r.bucket * 900 / l.seconds AS b, sum(r.r1), sum(r.r2),",
       " sum(r.r3), sum(r.r4), sum(r.r5) FROM review_rollup r, rollup_levels l",
       " WHERE r.level = 0 AND l.level > 0 GROUP BY l.level, r.coffee_id, b;",
       " UPDATE coffees c SET rating_sum = (SELECT coalesce(sum(rating), 0) FROM reviews",
       " WHERE coffee_id = c.id AND NOT hidden), review_count = (SELECT count(*) FROM reviews",
       " WHERE coffee_id = c.id AND NOT hidden);"});
};

const Statements& Sql() {
  static const Statements statements;
  return statements;
}

// Counted orders of [$1, $2) after ($3, $4), $5 of them, each with its lines and the rule-set
// version that priced it and the promo code it presented (migration 0009). `created_at >= $3`
// repeats the cursor's time as a plain bound: the row comparison alone does not narrow the (status,
// created_at) index scan, so every page would scan from the start of the period again (quadratic in
// the pages).
constexpr Statement kRecordedOrders{
    "analytics_recorded_orders",
    "WITH page AS (SELECT o.id, o.created_at, o.total_price_cents,"
    " coalesce(o.rules_version, 0) AS version, coalesce(o.promo_code, '') AS code"
    " FROM orders o WHERE o.status = 'completed' AND o.payment_status <> 'refunded'"
    " AND o.created_at >= $1 AND o.created_at >= $3 AND o.created_at < $2"
    " AND (o.created_at, o.id) > ($3, $4::uuid)"
    " ORDER BY o.created_at, o.id LIMIT $5)"
    " SELECT p.id, p.created_at, p.total_price_cents, p.version, i.coffee_id, i.quantity,"
    " i.price_snapshot_cents, p.code FROM page p JOIN order_items i ON i.order_id = p.id"
    " ORDER BY p.created_at, p.id, i.id"};

// Bulk writes: one statement per batch, the rows as a JSON array.
constexpr Statement kInsertUsers{
    "analytics_insert_users",
    "INSERT INTO users (email, password_hash, role) "
    "SELECT e, $2, 'user' FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS t(e, n) "
    "ORDER BY n RETURNING id"};
constexpr Statement kInsertOrders{
    "analytics_insert_orders",
    "INSERT INTO orders (id, user_id, status, payment_status, base_price_cents, "
    "discount_total_cents, total_price_cents, pricing_strategy, applied_rules, prep_work_minutes, "
    "estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded, created_at, updated_at, "
    "ready_at) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, user_id bigint, "
    "status text, payment_status text, base_price_cents bigint, discount_total_cents bigint, "
    "total_price_cents bigint, pricing_strategy text, applied_rules jsonb, prep_work_minutes int, "
    "estimated_prep_minutes int, estimated_ready_at timestamptz, loyalty_points_awarded bigint, "
    "created_at timestamptz, updated_at timestamptz, ready_at timestamptz)"};
constexpr Statement kInsertLines{
    "analytics_insert_lines",
    "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents, "
    "subtotal_cents, discount_cents, final_cents) SELECT * FROM jsonb_to_recordset($1::jsonb) AS "
    "x(order_id uuid, coffee_id bigint, coffee_name text, quantity int, price_snapshot_cents "
    "bigint, subtotal_cents bigint, discount_cents bigint, final_cents bigint)"};
constexpr Statement kInsertAudit{
    "analytics_insert_audit",
    "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at) "
    "SELECT (a->>'order_id')::uuid, a->>'rule_type', (a->>'rule_id')::bigint, a->'rule_data', "
    "a->>'effect', (a->>'created_at')::timestamptz FROM jsonb_array_elements($1::jsonb) AS e(a)"};
constexpr Statement kInsertReviews{
    "analytics_insert_reviews",
    "INSERT INTO reviews (user_id, coffee_id, rating, comment, hidden, hidden_reason, created_at, "
    "updated_at) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(user_id bigint, coffee_id "
    "bigint, rating int, comment text, hidden boolean, hidden_reason text, created_at "
    "timestamptz, updated_at timestamptz)"};
constexpr Statement kSetLoyalty{
    "analytics_set_loyalty",
    "INSERT INTO customer_loyalty (user_id, points_balance, lifetime_points) "
    "SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(user_id bigint, points_balance bigint, "
    "lifetime_points bigint) ON CONFLICT (user_id) DO UPDATE SET "
    "points_balance = excluded.points_balance, lifetime_points = excluded.lifetime_points, "
    "updated_at = now()"};

/// Reads eight SalesSums columns from the reader's position.
app::SalesSums ReadSums(RowReader& r) {
  app::SalesSums s;
  s.orders = r.Int64();
  s.quantity = r.Int64();
  s.gross = domain::Money::FromCents(r.Int64());
  s.discount = domain::Money::FromCents(r.Int64());
  s.net = domain::Money::FromCents(r.Int64());
  s.timed_orders = r.Int64();
  s.quoted_minutes = r.Int64();
  s.actual_seconds = r.Int64();
  return s;
}

Params Buckets(const app::Slice& slice) {
  return Params().Int(static_cast<std::int64_t>(*slice.level)).Int(slice.first).Int(slice.last);
}

Params Instants(const app::Slice& slice) { return Params().Time(slice.from).Time(slice.to); }

Params Grouped(const app::GroupedQuery& q) {
  return Params()
      .Int(static_cast<std::int64_t>(q.level))
      .Int(q.coffee_id)
      .Int(q.first)
      .Int(q.last)
      .Int(app::RollupSeconds(q.level))
      .Int(q.offset_seconds)
      .Int(q.unit_seconds)
      .Int(q.modulo);
}

json::value OptTimeJson(const std::optional<domain::Instant>& t) {
  if (!t) return nullptr;
  return json::string(domain::FormatTimestamp(*t));
}

json::value OptTextJson(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::string(*s);
}

}  // namespace

app::SalesSums AnalyticsRepository::Sales(const app::Slice& slice, std::int64_t coffee_id) {
  UseCustomPlans();
  Result result =
      slice.level
          ? conn_.Run(Sql().sales_rollup.Get(), Params()
                                                    .Int(static_cast<std::int64_t>(*slice.level))
                                                    .Int(coffee_id)
                                                    .Int(slice.first)
                                                    .Int(slice.last))
      : coffee_id == 0 ? conn_.Run(Sql().sales_raw_orders.Get(), Instants(slice))
                       : conn_.Run(Sql().sales_raw_coffee.Get(), Instants(slice).Int(coffee_id));
  RowReader r(result, 0);
  return ReadSums(r);
}

std::vector<app::CoffeeSales> AnalyticsRepository::SalesByCoffee(const app::Slice& slice) {
  UseCustomPlans();
  const Result result = slice.level ? conn_.Run(Sql().by_coffee_rollup.Get(), Buckets(slice))
                                    : conn_.Run(Sql().by_coffee_raw.Get(), Instants(slice));
  std::vector<app::CoffeeSales> rows;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const domain::CoffeeId id(r.Int64());
    rows.push_back({id, ReadSums(r)});
  }
  return rows;
}

std::vector<app::RuleDiscount> AnalyticsRepository::RuleDiscounts(const app::Slice& slice) {
  UseCustomPlans();
  const Result result = slice.level ? conn_.Run(Sql().rules_rollup.Get(), Buckets(slice))
                                    : conn_.Run(Sql().rules_raw.Get(), Instants(slice));
  std::vector<app::RuleDiscount> rows;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    app::RuleDiscount d;
    d.rule_id = domain::RuleId(r.Int64());
    d.orders = r.Int64();
    d.discount = domain::Money::FromCents(r.Int64());
    d.capped_orders = r.Int64();
    rows.push_back(d);
  }
  return rows;
}

void AnalyticsRepository::UseCustomPlans() {
  if (custom_plans_) return;
  // After five executions a prepared statement may switch to a generic plan, made without the
  // bucket range; for the lateness bins that plan was about twice as slow (prep-time accuracy
  // went from 21 ms to 40 ms at a million orders). SET LOCAL ends with the (read) transaction,
  // so the pool's other users keep the default.
  conn_.Exec("SET LOCAL plan_cache_mode = force_custom_plan", "analytics plan mode");
  custom_plans_ = true;
}

std::vector<app::PrepBin> AnalyticsRepository::PrepBins(const app::Slice& slice) {
  UseCustomPlans();
  const Result result = slice.level ? conn_.Run(Sql().prep_rollup.Get(), Buckets(slice))
                                    : conn_.Run(Sql().prep_raw.Get(), Instants(slice));
  std::vector<app::PrepBin> rows;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    app::PrepBin bin;
    bin.coffee_id = r.Int64();
    bin.late_minutes = r.Int64();
    bin.orders = r.Int64();
    rows.push_back(bin);
  }
  return rows;
}

std::vector<app::RatingCount> AnalyticsRepository::Ratings(const app::Slice& slice) {
  UseCustomPlans();
  const Result result = slice.level ? conn_.Run(Sql().ratings_rollup.Get(), Buckets(slice))
                                    : conn_.Run(Sql().ratings_raw.Get(), Instants(slice));
  std::vector<app::RatingCount> rows;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const std::int64_t coffee = r.Int64();
    for (int rating = 1; rating <= 5; ++rating) {
      if (const auto n = r.Int64(); n != 0) rows.push_back({coffee, rating, n});
    }
  }
  return rows;
}

std::vector<app::KeyedSales> AnalyticsRepository::SalesGrouped(const app::GroupedQuery& query) {
  UseCustomPlans();
  const Result result = conn_.Run(Sql().sales_grouped.Get(), Grouped(query));
  std::vector<app::KeyedSales> rows;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const std::int64_t key = r.Int64();
    rows.push_back({key, ReadSums(r)});
  }
  return rows;
}

std::vector<app::KeyedRatings> AnalyticsRepository::RatingsGrouped(const app::GroupedQuery& query) {
  UseCustomPlans();
  const Result result = conn_.Run(Sql().ratings_grouped.Get(), Grouped(query));
  std::vector<app::KeyedRatings> rows;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const std::int64_t key = r.Int64();
    for (int rating = 1; rating <= 5; ++rating) {
      if (const auto n = r.Int64(); n != 0) rows.push_back({key, rating, n});
    }
  }
  return rows;
}

app::LoyaltyTotals AnalyticsRepository::Loyalty() {
  const Result result = conn_.Run(Sql().loyalty.Get(), Params());
  RowReader r(result, 0);
  app::LoyaltyTotals t;
  t.customers = r.Int64();
  t.points_balance = r.Int64();
  t.lifetime_points = r.Int64();
  return t;
}

std::vector<std::pair<domain::CoffeeId, std::string>> AnalyticsRepository::CoffeeNames() {
  const Result result = conn_.Run(Sql().coffee_names.Get(), Params());
  std::vector<std::pair<domain::CoffeeId, std::string>> names;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const domain::CoffeeId id(r.Int64());
    names.emplace_back(id, r.String());
  }
  return names;
}

std::vector<std::pair<domain::RuleId, std::string>> AnalyticsRepository::RuleDescriptions() {
  const Result result = conn_.Run(Sql().rule_descriptions.Get(), Params());
  std::vector<std::pair<domain::RuleId, std::string>> rules;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const domain::RuleId id(r.Int64());
    rules.emplace_back(id, r.String());
  }
  return rules;
}

app::RollupCounts AnalyticsRepository::RebuildRollups() {
  const UnboundedQueries unbounded(conn_);
  conn_.Exec(Sql().rebuild, "analytics rollup rebuild");
  const Result result = conn_.Run(Sql().counts.Get(), Params());
  RowReader r(result, 0);
  app::RollupCounts counts;
  counts.sales = r.Int64();
  counts.rules = r.Int64();
  counts.prep = r.Int64();
  counts.reviews = r.Int64();
  return counts;
}

void AnalyticsRepository::Analyze() {
  const UnboundedQueries unbounded(conn_);
  conn_.Exec("ANALYZE", "analyze");
}

std::vector<domain::UserId> AnalyticsRepository::InsertUsers(const std::vector<std::string>& emails,
                                                             std::string_view password_hash) {
  if (emails.empty()) return {};
  const UnboundedQueries unbounded(conn_);
  json::array array;
  for (const auto& e : emails) array.emplace_back(e);
  const Result result =
      conn_.Run(kInsertUsers, Params().Text(json::serialize(array)).Text(password_hash));
  std::vector<domain::UserId> ids;
  std::vector<std::int64_t> raw;
  raw.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) raw.push_back(RowReader(result, i).Int64());
  std::sort(raw.begin(), raw.end());  // identity values follow the ORDER BY of the insert
  ids.reserve(raw.size());
  for (const auto id : raw) ids.emplace_back(id);
  return ids;
}

void AnalyticsRepository::InsertOrders(const std::vector<app::HistoricOrder>& orders) {
  if (orders.empty()) return;
  std::string order_rows = "[";
  json::array lines;
  std::vector<app::AuditRecord> audit;
  for (const auto& h : orders) {
    const app::Order& o = h.order;
    json::object row{
        {"id", o.id.str()},
        {"user_id", o.user_id.value},
        {"status", domain::ToString(o.status)},
        {"payment_status", domain::ToString(o.payment_status)},
        {"base_price_cents", o.base_price.cents()},
        {"discount_total_cents", o.discount_total.cents()},
        {"total_price_cents", o.total_price.cents()},
        {"pricing_strategy", EncodePricingStrategy(o.pricing_strategy, o.pricing_combination)},
        {"applied_rules", nullptr},
        {"prep_work_minutes", o.prep_work_minutes},
        {"estimated_prep_minutes", o.estimated_prep_minutes},
        {"estimated_ready_at", domain::FormatTimestamp(o.estimated_ready_at)},
        {"loyalty_points_awarded", o.loyalty_points_awarded},
        {"created_at", domain::FormatTimestamp(o.created_at)},
        {"updated_at", domain::FormatTimestamp(o.updated_at)},
        {"ready_at", OptTimeJson(h.ready_at)}};
    row["applied_rules"] = json::parse(EncodeAppliedRules(o.applied_rules));
    if (order_rows.size() > 1) order_rows += ',';
    order_rows += json::serialize(row);
    for (const auto& line : o.items) {
      lines.push_back(json::object{{"order_id", o.id.str()},
                                   {"coffee_id", line.coffee_id.value},
                                   {"coffee_name", line.coffee_name},
                                   {"quantity", line.quantity},
                                   {"price_snapshot_cents", line.price_snapshot.cents()},
                                   {"subtotal_cents", line.subtotal.cents()},
                                   {"discount_cents", line.discount.cents()},
                                   {"final_cents", line.final_amount.cents()}});
    }
    audit.insert(audit.end(), h.audit.begin(), h.audit.end());
  }
  order_rows += ']';
  const UnboundedQueries unbounded(conn_);
  conn_.Run(kInsertOrders, Params().Text(order_rows));
  conn_.Run(kInsertLines, Params().Text(json::serialize(lines)));
  if (!audit.empty()) conn_.Run(kInsertAudit, Params().Text(EncodeAuditRecords(audit)));
}

void AnalyticsRepository::InsertReviews(const std::vector<app::Review>& reviews) {
  if (reviews.empty()) return;
  const UnboundedQueries unbounded(conn_);
  json::array rows;
  for (const auto& r : reviews) {
    rows.push_back(json::object{{"user_id", r.user_id.value},
                                {"coffee_id", r.coffee_id.value},
                                {"rating", r.rating},
                                {"comment", OptTextJson(r.comment)},
                                {"hidden", r.hidden},
                                {"hidden_reason", OptTextJson(r.hidden_reason)},
                                {"created_at", domain::FormatTimestamp(r.created_at)},
                                {"updated_at", domain::FormatTimestamp(r.updated_at)}});
  }
  conn_.Run(kInsertReviews, Params().Text(json::serialize(rows)));
}

void AnalyticsRepository::SetLoyaltyAccounts(
    const std::vector<std::pair<domain::UserId, app::LoyaltyAccount>>& accounts) {
  if (accounts.empty()) return;
  const UnboundedQueries unbounded(conn_);
  json::array rows;
  for (const auto& [user, account] : accounts) {
    rows.push_back(json::object{{"user_id", user.value},
                                {"points_balance", account.points_balance},
                                {"lifetime_points", account.lifetime_points}});
  }
  conn_.Run(kSetLoyalty, Params().Text(json::serialize(rows)));
}

std::vector<app::RecordedOrder> AnalyticsRepository::RecordedOrders(
    const app::RecordedOrderPage& page) {
  // The first page starts just before `from`, after the nil id.
  const domain::Instant after =
      page.after_time ? *page.after_time : page.from - std::chrono::microseconds(1);
  const Result result = conn_.Run(
      kRecordedOrders, Params()
                           .Time(page.from)
                           .Time(page.to)
                           .Time(after)
                           .Text(page.after_id ? page.after_id->str() : domain::OrderId().str())
                           .Int(page.limit));
  std::vector<app::RecordedOrder> orders;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const std::string id = r.String();
    if (orders.empty() || orders.back().id.str() != id) {
      app::RecordedOrder& order = orders.emplace_back();
      order.id = ReadOrderId(id, "orders.id");
      order.created_at = r.Time();
      order.total = domain::Money::FromCents(r.Int64());
      order.rules_version = r.Int64();
    } else {
      r.Time();  // the order's columns, already read
      r.Int64();
      r.Int64();
    }
    const domain::CoffeeId coffee{r.Int64()};
    const int quantity = r.Int();
    orders.back().lines.push_back({coffee, quantity, domain::Money::FromCents(r.Int64())});
    orders.back().promo_code = r.String();
  }
  return orders;
}

}  // namespace coffee::storage::postgres
