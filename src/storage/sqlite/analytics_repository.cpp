#include <boost/json.hpp>
#include <initializer_list>
#include <string>

#include "storage/json_columns.hpp"
#include "storage/order_columns.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

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
// Lateness of order o in minutes: ceil(((ready_at − created_at) − quoted) / 60 s), whole
// seconds; SQLite's integer division truncates toward zero, hence the two branches.
constexpr std::string_view kLateMinutes =
    "CASE WHEN unixepoch(o.ready_at) - unixepoch(o.created_at) - 60 * o.estimated_prep_minutes > 0"
    " THEN (unixepoch(o.ready_at) - unixepoch(o.created_at) - 60 * o.estimated_prep_minutes + 59)"
    " / 60 ELSE (unixepoch(o.ready_at) - unixepoch(o.created_at) - 60 * o.estimated_prep_minutes)"
    " / 60 END";
// The discount of pricing_rule audit row a in cents: discount_cents since migration 0003, else
// the two-decimal string "1.05" read as the digits 105.
constexpr std::string_view kRuleCents =
    "coalesce(json_extract(a.rule_data, '$.discount_cents'),"
    " CAST(replace(json_extract(a.rule_data, '$.discount'), '.', '') AS INTEGER))";
// 1 when max_discount_percent clipped order o (before migration 0003 the summary had only the
// broader `capped`, which also covers the per-line floor).
constexpr std::string_view kCapped =
    "coalesce((SELECT coalesce(json_extract(s.rule_data, '$.max_discount_capped'),"
    " json_extract(s.rule_data, '$.capped')) FROM rule_audit_log s WHERE s.order_id = o.id"
    " AND +s.rule_type = 'pricing_summary' LIMIT 1), 0)";
constexpr std::string_view kTimedSums =
    "coalesce(sum(o.ready_at IS NOT NULL), 0),"
    " coalesce(sum(CASE WHEN o.ready_at IS NULL THEN 0 ELSE o.estimated_prep_minutes END), 0),"
    " coalesce(sum(unixepoch(o.ready_at) - unixepoch(o.created_at)), 0)";
constexpr std::string_view kRollupSums =
    "coalesce(sum(r.orders), 0), coalesce(sum(r.quantity), 0), coalesce(sum(r.gross_cents), 0),"
    " coalesce(sum(r.discount_cents), 0), coalesce(sum(r.net_cents), 0),"
    " coalesce(sum(r.timed_orders), 0), coalesce(sum(r.quoted_minutes), 0),"
    " coalesce(sum(r.actual_seconds), 0)";
constexpr std::string_view kInRange = " AND o.created_at >= ?1 AND o.created_at < ?2";
// Reviews per rating, r1 … r5.
constexpr std::string_view kRatingSums =
    "coalesce(sum(rating = 1), 0), coalesce(sum(rating = 2), 0), coalesce(sum(rating = 3), 0),"
    " coalesce(sum(rating = 4), 0), coalesce(sum(rating = 5), 0)";
constexpr std::string_view kSalesColumns =
    "(level, coffee_id, bucket, orders, quantity, gross_cents, discount_cents, net_cents,"
    " timed_orders, quoted_minutes, actual_seconds)";

/// Every statement of this adapter that is built from the fragments above, built once.
struct Statements {
  std::string sales_rollup = Cat({"SELECT ", kRollupSums, " FROM sales_rollup r WHERE r.level = ?1",
                                  " AND r.coffee_id = ?2 AND r.bucket >= ?3 AND r.bucket < ?4"});
  std::string sales_raw_orders =
      Cat({"SELECT count(*),",
           " coalesce(sum((SELECT sum(quantity) FROM order_items WHERE order_id = o.id)), 0),",
           " coalesce(sum(o.base_price_cents), 0), coalesce(sum(o.discount_total_cents), 0),",
           " coalesce(sum(o.total_price_cents), 0), ", kTimedSums, " FROM orders o WHERE ",
           kCounted, kInRange});
  std::string sales_raw_coffee =
      Cat({"SELECT count(*), coalesce(sum(i.quantity), 0), coalesce(sum(i.subtotal_cents), 0),",
           " coalesce(sum(i.discount_cents), 0), coalesce(sum(i.final_cents), 0), ", kTimedSums,
           " FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ", kCounted, kInRange,
           " AND i.coffee_id = ?3"});
  std::string by_coffee_rollup =
      Cat({"SELECT c.id, ", kRollupSums,
           " FROM coffees c JOIN sales_rollup r ON r.level = ?1 AND r.coffee_id = c.id",
           " AND r.bucket >= ?2 AND r.bucket < ?3 GROUP BY c.id"});
  std::string by_coffee_raw =
      Cat({"SELECT i.coffee_id, count(*), sum(i.quantity), sum(i.subtotal_cents),",
           " sum(i.discount_cents), sum(i.final_cents), ", kTimedSums,
           " FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ", kCounted, kInRange,
           " GROUP BY i.coffee_id"});
  std::string rules_raw =
      Cat({"SELECT a.rule_id, count(*), sum(", kRuleCents, "), sum(", kCapped, ")",
           " FROM orders o JOIN rule_audit_log a ON a.order_id = o.id",
           " AND +a.rule_type = 'pricing_rule' AND a.rule_id IS NOT NULL WHERE ", kCounted,
           kInRange, " GROUP BY a.rule_id"});
  std::string prep_raw =
      Cat({"SELECT 0, ", kLateMinutes, " AS late, count(*) FROM orders o WHERE ", kCounted,
           " AND o.ready_at IS NOT NULL", kInRange, " GROUP BY late UNION ALL SELECT i.coffee_id, ",
           kLateMinutes, " AS late, count(*) FROM orders o JOIN order_items i",
           " ON i.order_id = o.id WHERE ", kCounted, " AND o.ready_at IS NOT NULL", kInRange,
           " GROUP BY i.coffee_id, late"});
  std::string ratings_raw =
      Cat({"SELECT 0, ", kRatingSums, " FROM reviews WHERE hidden = 0 AND created_at >= ?1",
           " AND created_at < ?2 UNION ALL SELECT coffee_id, ", kRatingSums,
           " FROM reviews WHERE hidden = 0 AND created_at >= ?1 AND created_at < ?2",
           " GROUP BY coffee_id"});
  std::string sales_grouped =
      Cat({"SELECT ((r.bucket * ?5 + ?6) / ?7) % ?8 AS k, ", kRollupSums,
           " FROM sales_rollup r WHERE r.level = ?1 AND r.coffee_id = ?2 AND r.bucket >= ?3",
           " AND r.bucket < ?4 GROUP BY k"});
  // The rebuild: the finest level from the raw rows, then every coarser level from it.
  std::string rebuild = Cat(
      {"DELETE FROM sales_rollup; DELETE FROM rule_rollup; DELETE FROM prep_rollup;",
       " DELETE FROM review_rollup;",
       " INSERT INTO sales_rollup ",
       kSalesColumns,
       " SELECT 0, 0, unixepoch(o.created_at) / 900 AS b, count(*),",
       " coalesce(sum((SELECT sum(quantity) FROM order_items WHERE order_id = o.id)), 0),",
       " sum(o.base_price_cents), sum(o.discount_total_cents), sum(o.total_price_cents), ",
       kTimedSums,
       " FROM orders o WHERE ",
       kCounted,
       " GROUP BY b;",
       " INSERT INTO sales_rollup ",
       kSalesColumns,
       " SELECT 0, i.coffee_id, unixepoch(o.created_at) / 900 AS b, count(*), sum(i.quantity),",
       " sum(i.subtotal_cents), sum(i.discount_cents), sum(i.final_cents), ",
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
       " SELECT 0, unixepoch(o.created_at) / 900 AS b, a.rule_id, count(*), sum(",
       kRuleCents,
       "), sum(",
       kCapped,
       ") FROM orders o JOIN rule_audit_log a ON a.order_id = o.id",
       " AND +a.rule_type = 'pricing_rule' AND a.rule_id IS NOT NULL WHERE ",
       kCounted,
       " GROUP BY b, a.rule_id;",
       " INSERT INTO rule_rollup (level, bucket, rule_id, orders, discount_cents, capped_orders)",
       " SELECT l.level, r.bucket * 900 / l.seconds AS b, r.rule_id, sum(r.orders),",
       " sum(r.discount_cents), sum(r.capped_orders) FROM rule_rollup r, rollup_levels l",
       " WHERE r.level = 0 AND l.level > 0 GROUP BY l.level, b, r.rule_id;",
       " INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)",
       " SELECT 0, 0, unixepoch(o.created_at) / 900 AS b, ",
       kLateMinutes,
       " AS late, count(*) FROM orders o WHERE ",
       kCounted,
       " AND o.ready_at IS NOT NULL GROUP BY b, late;",
       " INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)",
       " SELECT 0, i.coffee_id, unixepoch(o.created_at) / 900 AS b, ",
       kLateMinutes,
       " AS late, count(*) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ",
       kCounted,
       " AND o.ready_at IS NOT NULL GROUP BY i.coffee_id, b, late;",
       " INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)",
       " SELECT l.level, r.coffee_id, r.bucket * 900 / l.seconds AS b, r.late_minutes,",
       " sum(r.orders) FROM prep_rollup r, rollup_levels l WHERE r.level = 0 AND l.level > 0",
       " GROUP BY l.level, r.coffee_id, b, r.late_minutes;",
       " INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)",
       " SELECT 0, 0, unixepoch(created_at) / 900 AS b, ",
       kRatingSums,
       " FROM reviews WHERE hidden = 0 GROUP BY b;",
       " INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)",
       " SELECT 0, coffee_id, unixepoch(created_at) / 900 AS b, ",
       kRatingSums,
       " FROM reviews WHERE hidden = 0 GROUP BY coffee_id, b;",
       " INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)",
       " SELECT l.level, r.coffee_id, r.bucket * 900 / l.seconds AS b, sum(r.r1), sum(r.r2),",
       " sum(r.r3), sum(r.r4), sum(r.r5) FROM review_rollup r, rollup_levels l",
       " WHERE r.level = 0 AND l.level > 0 GROUP BY l.level, r.coffee_id, b;",
       " UPDATE coffees SET rating_sum = (SELECT coalesce(sum(rating), 0) FROM reviews",
       " WHERE coffee_id = coffees.id AND hidden = 0), review_count = (SELECT count(*)",
       " FROM reviews WHERE coffee_id = coffees.id AND hidden = 0);"});
};

const Statements& Sql() {
  static const Statements statements;
  return statements;
}

constexpr std::string_view kRulesRollup =
    "SELECT rule_id, sum(orders), sum(discount_cents), sum(capped_orders) FROM rule_rollup"
    " WHERE level = ?1 AND bucket >= ?2 AND bucket < ?3 GROUP BY rule_id";
constexpr std::string_view kPrepRollup =
    "SELECT c.id, p.late_minutes, sum(p.orders)"
    " FROM (SELECT 0 AS id UNION ALL SELECT id FROM coffees) c"
    " JOIN prep_rollup p ON p.level = ?1 AND p.coffee_id = c.id"
    " AND p.bucket >= ?2 AND p.bucket < ?3 GROUP BY c.id, p.late_minutes";
constexpr std::string_view kRatingsRollup =
    "SELECT c.id, sum(r.r1), sum(r.r2), sum(r.r3), sum(r.r4), sum(r.r5)"
    " FROM (SELECT 0 AS id UNION ALL SELECT id FROM coffees) c"
    " JOIN review_rollup r ON r.level = ?1 AND r.coffee_id = c.id"
    " AND r.bucket >= ?2 AND r.bucket < ?3 GROUP BY c.id";
// ?5 bucket seconds, ?6 offset, ?7 unit, ?8 modulo.
constexpr std::string_view kRatingsGrouped =
    "SELECT ((bucket * ?5 + ?6) / ?7) % ?8 AS k, sum(r1), sum(r2), sum(r3), sum(r4), sum(r5)"
    " FROM review_rollup WHERE level = ?1 AND coffee_id = ?2 AND bucket >= ?3 AND bucket < ?4"
    " GROUP BY k";
constexpr std::string_view kLoyaltyTotals =
    "SELECT coalesce(sum(points_balance > 0), 0), coalesce(sum(points_balance), 0),"
    " coalesce(sum(lifetime_points), 0) FROM customer_loyalty";
constexpr std::string_view kCoffeeNames = "SELECT id, name FROM coffees ORDER BY id";
constexpr std::string_view kRuleDescriptions =
    "SELECT rule_id, description FROM pricing_rules ORDER BY rule_id";
constexpr std::string_view kCountRollup = "SELECT count(*) FROM ";

constexpr std::string_view kInsertUser =
    "INSERT INTO users (email, password_hash, role, created_at, updated_at)"
    " VALUES (?1, ?2, 'user', ?3, ?3) RETURNING id";
// A generated history goes in one statement per table and batch: ?1 is a JSON array of rows.
// (One statement per row was quadratic: SQLite's per-statement savepoint work grew with the
// pages a big transaction had dirtied.)
constexpr std::string_view kInsertHistoricOrders =
    "INSERT INTO orders (id, user_id, status, payment_status, base_price_cents,"
    " discount_total_cents, total_price_cents, pricing_strategy, applied_rules,"
    " prep_work_minutes, estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded,"
    " created_at, updated_at, ready_at)"
    " SELECT value->>'id', value->>'user_id', value->>'status', value->>'payment_status',"
    " value->>'base', value->>'discount', value->>'total', value->>'strategy',"
    " value->'applied_rules', value->>'work', value->>'quoted', value->>'estimated_ready_at',"
    " value->>'points', value->>'created_at', value->>'updated_at', value->>'ready_at'"
    " FROM json_each(?1)";
constexpr std::string_view kInsertHistoricLines =
    "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents,"
    " subtotal_cents, discount_cents, final_cents)"
    " SELECT value->>'order_id', value->>'coffee_id', value->>'coffee_name', value->>'quantity',"
    " value->>'price', value->>'subtotal', value->>'discount', value->>'final' FROM json_each(?1)";
constexpr std::string_view kInsertHistoricAudit =
    "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)"
    " SELECT value->>'order_id', value->>'rule_type', value->>'rule_id', value->'rule_data',"
    " value->>'effect', value->>'created_at' FROM json_each(?1)";
constexpr std::string_view kInsertHistoricReviews =
    "INSERT INTO reviews (user_id, coffee_id, rating, comment, hidden, hidden_reason, created_at,"
    " updated_at)"
    " SELECT value->>'user_id', value->>'coffee_id', value->>'rating', value->>'comment',"
    " value->>'hidden', value->>'hidden_reason', value->>'created_at', value->>'updated_at'"
    " FROM json_each(?1)";
constexpr std::string_view kUpsertLoyaltyAccount =
    "INSERT INTO customer_loyalty (user_id, points_balance, lifetime_points, updated_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE SET"
    " points_balance = excluded.points_balance, lifetime_points = excluded.lifetime_points,"
    " updated_at = excluded.updated_at";

// Counted orders of [?1, ?2) after (?3, ?4), ?5 of them, each with its lines and the rule-set
// version that priced it and the promo code it presented (migration 0009). `created_at >= max(?1,
// ?3)` repeats the cursor's time as the scan's lower bound: with the row comparison alone each page
// scanned the (status, created_at) index from the start of the period again, reading every earlier
// order's row (quadratic in the pages: over half of the reading time of a 100 000-order replay).
constexpr std::string_view kRecordedOrders =
    "WITH page AS (SELECT o.id, o.created_at, o.total_price_cents,"
    " coalesce(o.rules_version, 0) AS version, coalesce(o.promo_code, '') AS code"
    " FROM orders o WHERE o.status = 'completed' AND o.payment_status <> 'refunded'"
    " AND o.created_at >= max(?1, ?3) AND o.created_at < ?2 AND (o.created_at, o.id) > (?3, ?4)"
    " ORDER BY o.created_at, o.id LIMIT ?5)"
    " SELECT p.id, p.created_at, p.total_price_cents, p.version, i.coffee_id, i.quantity,"
    " i.price_snapshot_cents, p.code FROM page p JOIN order_items i ON i.order_id = p.id"
    " ORDER BY p.created_at, p.id, i.id";

/// Reads eight SalesSums columns starting at `first`.
app::SalesSums ReadSums(const Statement& row, int first) {
  app::SalesSums s;
  s.orders = row.Int(first);
  s.quantity = row.Int(first + 1);
  s.gross = domain::Money::FromCents(row.Int(first + 2));
  s.discount = domain::Money::FromCents(row.Int(first + 3));
  s.net = domain::Money::FromCents(row.Int(first + 4));
  s.timed_orders = row.Int(first + 5);
  s.quoted_minutes = row.Int(first + 6);
  s.actual_seconds = row.Int(first + 7);
  return s;
}

/// Binds a rollup slice as ?1 level, ?2 first, ?3 last.
void BindBuckets(Statement& stmt, const app::Slice& slice) {
  stmt.Bind(1, static_cast<std::int64_t>(*slice.level)).Bind(2, slice.first).Bind(3, slice.last);
}

/// Binds a raw slice as ?1 from, ?2 to (the stored text form sorts in time order).
void BindInstants(Statement& stmt, const app::Slice& slice) {
  stmt.Bind(1, domain::FormatTimestamp(slice.from)).Bind(2, domain::FormatTimestamp(slice.to));
}

/// A large page cache on the writer while bulk statements run. With the default 2 MB, a
/// transaction that touches more pages than that spills dirty pages into the WAL again and
/// again; the WAL then grows to many times the data, and every page read searches its index
/// (a 40 000-order history took minutes instead of seconds). Pages are allocated on demand.
class LargeCache {
 public:
  explicit LargeCache(Connection& conn) : conn_(conn), saved_(conn.QueryText("PRAGMA cache_size")) {
    conn_.Exec("PRAGMA cache_size = -262144");  // 256 MiB
  }
  ~LargeCache() {
    try {
      conn_.Exec("PRAGMA cache_size = " + saved_);
    } catch (...) {  // NOLINT(bugprone-empty-catch): the connection keeps working either way
    }
  }
  LargeCache(const LargeCache&) = delete;
  LargeCache& operator=(const LargeCache&) = delete;

 private:
  Connection& conn_;
  std::string saved_;
};

void BindGrouped(Statement& stmt, const app::GroupedQuery& q) {
  stmt.Bind(1, static_cast<std::int64_t>(q.level)).Bind(2, q.coffee_id);
  stmt.Bind(3, q.first).Bind(4, q.last).Bind(5, app::RollupSeconds(q.level));
  stmt.Bind(6, q.offset_seconds).Bind(7, q.unit_seconds).Bind(8, q.modulo);
}

}  // namespace

app::SalesSums AnalyticsRepository::Sales(const app::Slice& slice, std::int64_t coffee_id) {
  if (slice.level) {
    Statement stmt = conn_.Prepare(Sql().sales_rollup);
    stmt.Bind(1, static_cast<std::int64_t>(*slice.level)).Bind(2, coffee_id);
    stmt.Bind(3, slice.first).Bind(4, slice.last);
    stmt.Step();
    return ReadSums(stmt, 0);
  }
  Statement stmt = conn_.Prepare(coffee_id == 0 ? Sql().sales_raw_orders : Sql().sales_raw_coffee);
  BindInstants(stmt, slice);
  if (coffee_id != 0) stmt.Bind(3, coffee_id);
  stmt.Step();
  return ReadSums(stmt, 0);
}

std::vector<app::CoffeeSales> AnalyticsRepository::SalesByCoffee(const app::Slice& slice) {
  Statement stmt = conn_.Prepare(slice.level ? Sql().by_coffee_rollup : Sql().by_coffee_raw);
  if (slice.level) {
    BindBuckets(stmt, slice);
  } else {
    BindInstants(stmt, slice);
  }
  std::vector<app::CoffeeSales> rows;
  while (stmt.Step()) rows.push_back({domain::CoffeeId{stmt.Int(0)}, ReadSums(stmt, 1)});
  return rows;
}

std::vector<app::RuleDiscount> AnalyticsRepository::RuleDiscounts(const app::Slice& slice) {
  Statement stmt = conn_.Prepare(slice.level ? std::string(kRulesRollup) : Sql().rules_raw);
  if (slice.level) {
    BindBuckets(stmt, slice);
  } else {
    BindInstants(stmt, slice);
  }
  std::vector<app::RuleDiscount> rows;
  while (stmt.Step()) {
    rows.push_back({domain::RuleId{stmt.Int(0)}, stmt.Int(1), domain::Money::FromCents(stmt.Int(2)),
                    stmt.Int(3)});
  }
  return rows;
}

std::vector<app::PrepBin> AnalyticsRepository::PrepBins(const app::Slice& slice) {
  Statement stmt = conn_.Prepare(slice.level ? std::string(kPrepRollup) : Sql().prep_raw);
  if (slice.level) {
    BindBuckets(stmt, slice);
  } else {
    BindInstants(stmt, slice);
  }
  std::vector<app::PrepBin> rows;
  while (stmt.Step()) rows.push_back({stmt.Int(0), stmt.Int(1), stmt.Int(2)});
  return rows;
}

std::vector<app::RatingCount> AnalyticsRepository::Ratings(const app::Slice& slice) {
  Statement stmt = conn_.Prepare(slice.level ? std::string(kRatingsRollup) : Sql().ratings_raw);
  if (slice.level) {
    BindBuckets(stmt, slice);
  } else {
    BindInstants(stmt, slice);
  }
  std::vector<app::RatingCount> rows;
  while (stmt.Step()) {
    for (int rating = 1; rating <= 5; ++rating) {
      if (const auto n = stmt.Int(rating); n != 0) rows.push_back({stmt.Int(0), rating, n});
    }
  }
  return rows;
}

std::vector<app::KeyedSales> AnalyticsRepository::SalesGrouped(const app::GroupedQuery& query) {
  Statement stmt = conn_.Prepare(Sql().sales_grouped);
  BindGrouped(stmt, query);
  std::vector<app::KeyedSales> rows;
  while (stmt.Step()) rows.push_back({stmt.Int(0), ReadSums(stmt, 1)});
  return rows;
}

std::vector<app::KeyedRatings> AnalyticsRepository::RatingsGrouped(const app::GroupedQuery& query) {
  Statement stmt = conn_.Prepare(kRatingsGrouped);
  BindGrouped(stmt, query);
  std::vector<app::KeyedRatings> rows;
  while (stmt.Step()) {
    for (int rating = 1; rating <= 5; ++rating) {
      if (const auto n = stmt.Int(rating); n != 0) rows.push_back({stmt.Int(0), rating, n});
    }
  }
  return rows;
}

app::LoyaltyTotals AnalyticsRepository::Loyalty() {
  Statement stmt = conn_.Prepare(kLoyaltyTotals);
  stmt.Step();
  return {stmt.Int(0), stmt.Int(1), stmt.Int(2)};
}

std::vector<std::pair<domain::CoffeeId, std::string>> AnalyticsRepository::CoffeeNames() {
  Statement stmt = conn_.Prepare(kCoffeeNames);
  std::vector<std::pair<domain::CoffeeId, std::string>> names;
  while (stmt.Step()) names.emplace_back(domain::CoffeeId{stmt.Int(0)}, stmt.Text(1));
  return names;
}

std::vector<std::pair<domain::RuleId, std::string>> AnalyticsRepository::RuleDescriptions() {
  Statement stmt = conn_.Prepare(kRuleDescriptions);
  std::vector<std::pair<domain::RuleId, std::string>> rules;
  while (stmt.Step()) rules.emplace_back(domain::RuleId{stmt.Int(0)}, stmt.Text(1));
  return rules;
}

app::RollupCounts AnalyticsRepository::RebuildRollups() {
  const LargeCache cache(conn_);
  const UnboundedQueries unbounded(conn_);  // bulk statements may rightly run for minutes
  conn_.Exec(Sql().rebuild);
  const auto count = [this](std::string_view table) {
    Statement stmt = conn_.Prepare(std::string(kCountRollup) + std::string(table));
    stmt.Step();
    return stmt.Int(0);
  };
  return {count("sales_rollup"), count("rule_rollup"), count("prep_rollup"),
          count("review_rollup")};
}

void AnalyticsRepository::Analyze() {
  const UnboundedQueries unbounded(conn_);
  conn_.Exec("ANALYZE");
}

std::vector<domain::UserId> AnalyticsRepository::InsertUsers(const std::vector<std::string>& emails,
                                                             std::string_view password_hash) {
  const LargeCache cache(conn_);
  const UnboundedQueries unbounded(conn_);  // bulk statements may rightly run for minutes
  std::vector<domain::UserId> ids;
  ids.reserve(emails.size());
  const std::string now = domain::FormatTimestamp(Now());
  for (const auto& email : emails) {
    Statement stmt = conn_.Prepare(kInsertUser);
    stmt.Bind(1, email).Bind(2, password_hash).Bind(3, now);
    if (!stmt.Step()) throw app::StorageError("sqlite: insert user returned no id");
    ids.emplace_back(stmt.Int(0));
    stmt.Run();
  }
  return ids;
}

void AnalyticsRepository::InsertOrders(const std::vector<app::HistoricOrder>& orders) {
  if (orders.empty()) return;
  const LargeCache cache(conn_);
  const UnboundedQueries unbounded(conn_);  // bulk statements may rightly run for minutes
  json::array order_rows;
  json::array line_rows;
  json::array audit_rows;
  for (const auto& h : orders) {
    const app::Order& o = h.order;
    order_rows.push_back(
        json::object{{"id", o.id.str()},
                     {"user_id", o.user_id.value},
                     {"status", domain::ToString(o.status)},
                     {"payment_status", domain::ToString(o.payment_status)},
                     {"base", o.base_price.cents()},
                     {"discount", o.discount_total.cents()},
                     {"total", o.total_price.cents()},
                     {"strategy", EncodePricingStrategy(o.pricing_strategy, o.pricing_combination)},
                     {"applied_rules", json::parse(EncodeAppliedRules(o.applied_rules))},
                     {"work", o.prep_work_minutes},
                     {"quoted", o.estimated_prep_minutes},
                     {"estimated_ready_at", domain::FormatTimestamp(o.estimated_ready_at)},
                     {"points", o.loyalty_points_awarded},
                     {"created_at", domain::FormatTimestamp(o.created_at)},
                     {"updated_at", domain::FormatTimestamp(o.updated_at)},
                     {"ready_at", h.ready_at ? json::value(domain::FormatTimestamp(*h.ready_at))
                                             : json::value(nullptr)}});
    for (const auto& line : o.items) {
      line_rows.push_back(json::object{{"order_id", o.id.str()},
                                       {"coffee_id", line.coffee_id.value},
                                       {"coffee_name", line.coffee_name},
                                       {"quantity", line.quantity},
                                       {"price", line.price_snapshot.cents()},
                                       {"subtotal", line.subtotal.cents()},
                                       {"discount", line.discount.cents()},
                                       {"final", line.final_amount.cents()}});
    }
    for (const auto& record : h.audit) {
      audit_rows.push_back(json::object{
          {"order_id",
           record.order_id ? json::value(record.order_id->str()) : json::value(nullptr)},
          {"rule_type", record.rule_type},
          {"rule_id", record.rule_id ? json::value(*record.rule_id) : json::value(nullptr)},
          {"rule_data", json::parse(record.rule_data_json.empty() ? "{}" : record.rule_data_json)},
          {"effect", record.effect},
          {"created_at", domain::FormatTimestamp(record.created_at)}});
    }
  }
  const auto run = [this](std::string_view sql, const json::array& rows) {
    if (rows.empty()) return;
    Statement stmt = conn_.Prepare(sql);
    stmt.Bind(1, json::serialize(rows));
    stmt.Run();
  };
  run(kInsertHistoricOrders, order_rows);
  run(kInsertHistoricLines, line_rows);
  run(kInsertHistoricAudit, audit_rows);
}

void AnalyticsRepository::InsertReviews(const std::vector<app::Review>& reviews) {
  if (reviews.empty()) return;
  const LargeCache cache(conn_);
  const UnboundedQueries unbounded(conn_);  // bulk statements may rightly run for minutes
  json::array rows;
  for (const auto& r : reviews) {
    rows.push_back(json::object{
        {"user_id", r.user_id.value},
        {"coffee_id", r.coffee_id.value},
        {"rating", r.rating},
        {"comment", r.comment ? json::value(*r.comment) : json::value(nullptr)},
        {"hidden", r.hidden ? 1 : 0},
        {"hidden_reason", r.hidden_reason ? json::value(*r.hidden_reason) : json::value(nullptr)},
        {"created_at", domain::FormatTimestamp(r.created_at)},
        {"updated_at", domain::FormatTimestamp(r.updated_at)}});
  }
  Statement stmt = conn_.Prepare(kInsertHistoricReviews);
  stmt.Bind(1, json::serialize(rows));
  stmt.Run();
}

void AnalyticsRepository::SetLoyaltyAccounts(
    const std::vector<std::pair<domain::UserId, app::LoyaltyAccount>>& accounts) {
  const std::string now = domain::FormatTimestamp(Now());
  for (const auto& [user, account] : accounts) {
    Statement stmt = conn_.Prepare(kUpsertLoyaltyAccount);
    stmt.Bind(1, user.value).Bind(2, account.points_balance).Bind(3, account.lifetime_points);
    stmt.Bind(4, now);
    stmt.Run();
  }
}

std::vector<app::RecordedOrder> AnalyticsRepository::RecordedOrders(
    const app::RecordedOrderPage& page) {
  Statement stmt = conn_.Prepare(kRecordedOrders);
  stmt.Bind(1, domain::FormatTimestamp(page.from)).Bind(2, domain::FormatTimestamp(page.to));
  // The stored text forms sort in time order; "" sorts before every one of them.
  stmt.Bind(3, page.after_time ? domain::FormatTimestamp(*page.after_time) : std::string());
  stmt.Bind(4, page.after_id ? page.after_id->str() : std::string());
  stmt.Bind(5, page.limit);
  std::vector<app::RecordedOrder> orders;
  while (stmt.Step()) {
    const std::string id = stmt.Text(0);
    if (orders.empty() || orders.back().id.str() != id) {
      app::RecordedOrder& order = orders.emplace_back();
      order.id = ReadOrderId(id, "orders.id");
      order.created_at = ReadTimestamp(stmt.Text(1), "orders.created_at");
      order.total = domain::Money::FromCents(stmt.Int(2));
      order.rules_version = stmt.Int(3);
      order.promo_code = stmt.Text(7);
    }
    orders.back().lines.push_back({domain::CoffeeId{stmt.Int(4)}, static_cast<int>(stmt.Int(5)),
                                   domain::Money::FromCents(stmt.Int(6))});
  }
  return orders;
}

}  // namespace coffee::storage::sqlite
