#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <tuple>
#include <unordered_map>

#include "storage/json_columns.hpp"
#include "storage/order_columns.hpp"
#include "storage/postgres/batch_cache.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

constexpr const char* kOrderColumns =
    "id, user_id, status, payment_status, base_price_cents, discount_total_cents, "
    "total_price_cents, pricing_strategy, applied_rules, prep_work_minutes, "
    "estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded, created_at, updated_at";

// The order, every line and its audit records in one statement (one round trip): the CTEs
// insert the order and the audit rows ($17, a JSON array as AuditLog::InsertAudits sends it),
// the main INSERT the lines. Data-modifying CTEs always run to completion, so an order without
// lines is still inserted. Foreign keys are checked at the end of the statement, when the order
// is there. Identity values follow the ORDER BY, so the returned ids sorted ascending are the ids
// of the lines in their given order, and audit ids follow the records' order. Listed in
// BatchCache: OrderRepository adds the order's queued work to the batch's memory itself.
constexpr Statement kOrderInsert{
    "order_insert",
    "WITH o AS (INSERT INTO orders (id, user_id, status, payment_status, base_price_cents, "
    "discount_total_cents, total_price_cents, pricing_strategy, applied_rules, prep_work_minutes, "
    "estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded, created_at, updated_at, "
    "rules_version, promo_code) "
    "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15, "
    "nullif($18::bigint, 0), nullif($19, '')) "
    "RETURNING id), "
    "a AS (INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, "
    "created_at) "
    "SELECT (r->>'order_id')::uuid, r->>'rule_type', (r->>'rule_id')::bigint, r->'rule_data', "
    "r->>'effect', COALESCE((r->>'created_at')::timestamptz, now()) "
    "FROM jsonb_array_elements($17::jsonb) WITH ORDINALITY AS e(r, n) ORDER BY n) "
    "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents, "
    "subtotal_cents, discount_cents, final_cents) "
    "SELECT o.id, (l->>'coffee_id')::bigint, l->>'coffee_name', (l->>'quantity')::integer, "
    "(l->>'price_snapshot_cents')::bigint, (l->>'subtotal_cents')::bigint, "
    "(l->>'discount_cents')::bigint, (l->>'final_cents')::bigint "
    "FROM o, jsonb_array_elements($16::jsonb) WITH ORDINALITY AS e(l, n) ORDER BY n RETURNING id"};
// kOrderFind, kOrderLinesOf and kOrderQueuedWork are listed in BatchCache (batch_cache.cpp), as
// reads.
constexpr Statement kOrderFind{
    "order_find",
    "SELECT id, user_id, status, payment_status, base_price_cents, discount_total_cents, "
    "total_price_cents, pricing_strategy, applied_rules, prep_work_minutes, "
    "estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded, created_at, updated_at "
    "FROM orders WHERE id = $1::uuid"};
constexpr Statement kOrderLinesOf{
    "order_lines_of",
    "SELECT order_id, id, coffee_id, coffee_name, quantity, price_snapshot_cents, "
    "subtotal_cents, discount_cents, final_cents FROM order_items "
    "WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, id"};
// ready_at records when the order became ready (prep-time accuracy, migration 0003).
constexpr Statement kOrderUpdateStatus{
    "order_update_status",
    "UPDATE orders SET status = $3, updated_at = now(), "
    "ready_at = CASE WHEN $3 = 'ready' THEN now() ELSE ready_at END "
    "WHERE id = $1::uuid AND status = $2"};
constexpr Statement kOrderUpdatePayment{"order_update_payment",
                                        "UPDATE orders SET payment_status = $3, updated_at = now() "
                                        "WHERE id = $1::uuid AND payment_status = $2"};
constexpr Statement kOrderSetPoints{
    "order_set_points",
    "UPDATE orders SET loyalty_points_awarded = $2, updated_at = now() WHERE id = $1::uuid"};
// Kept by the orders_queue_track trigger (migration 0002): 16 shard rows, not every order.
constexpr Statement kOrderQueuedWork{
    "order_queued_work",
    "SELECT COALESCE(SUM(queued_work_minutes), 0)::bigint FROM prep_queue_shards"};
// Kept by triggers on orders (migration 0012): 16 shard rows per status, not every order.
constexpr Statement kOrderCountByStatus{
    "order_count_by_status",
    "SELECT status, sum(orders)::bigint FROM order_status_totals GROUP BY status "
    "HAVING sum(orders) <> 0"};

/// The list and count statements, one per combination of filters, so that each gets a plan
/// that uses its index (a generic plan for "$1 IS NULL OR user_id = $1" cannot); the list
/// statements also per direction: newest first, and its exact reverse
/// (OrderQuery::oldest_first), which reads the same indexes backwards.
class FilteredStatements {
 public:
  FilteredStatements() {
    for (std::size_t mask = 0; mask < kVariants; ++mask) {
      const bool by_user = (mask & kByUser) != 0;
      const bool by_status = (mask & kByStatus) != 0;
      std::string where;
      int next = 1;
      if (by_user) where += " WHERE user_id = $" + std::to_string(next++);
      if (by_status) {
        where += (by_user ? " AND" : " WHERE");
        where += " status = $" + std::to_string(next++);
      }
      const std::string suffix = std::to_string(mask);
      for (const bool oldest_first : {false, true}) {
        auto& list = list_.at(ListIndex(mask, oldest_first));
        list.name = "order_list_" + suffix + (oldest_first ? "_oldest" : "");
        list.sql = std::string("SELECT ") + kOrderColumns + " FROM orders" + where +
                   (oldest_first ? " ORDER BY created_at ASC, id ASC"
                                 : " ORDER BY created_at DESC, id DESC") +
                   " OFFSET $" + std::to_string(next) + " LIMIT $" + std::to_string(next + 1);
      }
      count_[mask].name = "order_count_" + suffix;
      // Without a user the totals come from order_status_totals (migration 0012): counting
      // those orders would read the whole table.
      count_[mask].sql = by_user ? "SELECT count(*) FROM orders" + where
                                 : "SELECT coalesce(sum(orders), 0)::bigint FROM "
                                   "order_status_totals" +
                                       where;
    }
  }

  [[nodiscard]] Statement List(const app::OrderQuery& query) const {
    const auto& owned = list_.at(ListIndex(Mask(query), query.oldest_first));
    return {owned.name.c_str(), owned.sql.c_str()};
  }
  [[nodiscard]] Statement Count(const app::OrderQuery& query) const {
    const auto& owned = count_[Mask(query)];
    return {owned.name.c_str(), owned.sql.c_str()};
  }

 private:
  static constexpr std::size_t kByUser = 1;
  static constexpr std::size_t kByStatus = 2;
  static constexpr std::size_t kVariants = 4;

  struct Owned {
    std::string name;
    std::string sql;
  };
  static std::size_t Mask(const app::OrderQuery& query) {
    return (query.user_id ? kByUser : 0) | (query.status ? kByStatus : 0);
  }
  static std::size_t ListIndex(std::size_t mask, bool oldest_first) {
    return mask * 2 + (oldest_first ? 1 : 0);
  }
  std::array<Owned, 2 * kVariants> list_;
  std::array<Owned, kVariants> count_;
};

const FilteredStatements& Filtered() {
  static const FilteredStatements statements;
  return statements;
}

app::Order ReadOrder(const Result& result, int row) {
  RowReader r(result, row);
  app::Order order;
  order.id = ReadOrderId(r.String(), "orders.id");
  order.user_id = domain::UserId(r.Int64());
  const std::string status = r.String();
  const auto parsed_status = domain::ParseOrderStatus(status);
  if (!parsed_status)
    throw DecodeError("orders id=" + order.id.str() + ": status '" + status + "'");
  order.status = *parsed_status;
  const std::string payment = r.String();
  const auto parsed_payment = domain::ParsePaymentStatus(payment);
  if (!parsed_payment) {
    throw DecodeError("orders id=" + order.id.str() + ": payment_status '" + payment + "'");
  }
  order.payment_status = *parsed_payment;
  order.base_price = domain::Money::FromCents(r.Int64());
  order.discount_total = domain::Money::FromCents(r.Int64());
  order.total_price = domain::Money::FromCents(r.Int64());
  std::tie(order.pricing_strategy, order.pricing_combination) = DecodePricingStrategy(r.String());
  order.applied_rules = DecodeAppliedRules(r.String());
  order.prep_work_minutes = r.Int();
  order.estimated_prep_minutes = r.Int();
  order.estimated_ready_at = r.Time();
  order.loyalty_points_awarded = r.Int64();
  order.created_at = r.Time();
  order.updated_at = r.Time();
  return order;
}

/// The order id of a line row, then the line itself.
std::pair<std::string, app::OrderLine> ReadLine(const Result& result, int row) {
  RowReader r(result, row);
  std::string order_id = r.String();
  app::OrderLine line;
  line.id = r.Int64();
  line.coffee_id = domain::CoffeeId(r.Int64());
  line.coffee_name = r.String();
  line.quantity = r.Int();
  line.price_snapshot = domain::Money::FromCents(r.Int64());
  line.subtotal = domain::Money::FromCents(r.Int64());
  line.discount = domain::Money::FromCents(r.Int64());
  line.final_amount = domain::Money::FromCents(r.Int64());
  return {std::move(order_id), std::move(line)};
}

Params FilterParams(const app::OrderQuery& query) {
  Params params;
  if (query.user_id) params.Int(query.user_id->value);
  if (query.status) params.Text(domain::ToString(*query.status));
  return params;
}

}  // namespace

app::Order OrderRepository::Insert(const app::Order& order) { return InsertWithAudits(order, {}); }

app::Order OrderRepository::InsertWithAudits(const app::Order& order,
                                             const std::vector<app::AuditRecord>& audits) {
  const Result result =
      conn_.Run(kOrderInsert,
                Params()
                    .Text(order.id.str())
                    .Int(order.user_id.value)
                    .Text(domain::ToString(order.status))
                    .Text(domain::ToString(order.payment_status))
                    .Int(order.base_price.cents())
                    .Int(order.discount_total.cents())
                    .Int(order.total_price.cents())
                    .Text(EncodePricingStrategy(order.pricing_strategy, order.pricing_combination))
                    .Text(EncodeAppliedRules(order.applied_rules))
                    .Int(order.prep_work_minutes)
                    .Int(order.estimated_prep_minutes)
                    .Time(order.estimated_ready_at)
                    .Int(order.loyalty_points_awarded)
                    .Time(order.created_at)
                    .Time(order.updated_at)
                    .Text(EncodeOrderLines(order.items))
                    .Text(EncodeAuditRecords(audits))
                    .Int(order.rules_version)
                    .Text(order.promo_code));
  if (BatchCache* cache = conn_.batch_cache()) {
    cache->OrderInserted(order.status, order.prep_work_minutes);
  }
  app::Order stored = order;
  std::vector<std::int64_t> ids;
  ids.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) ids.push_back(RowReader(result, i).Int64());
  if (ids.size() != stored.items.size()) {
    throw app::StorageError("order_insert: " + std::to_string(ids.size()) + " ids for " +
                            std::to_string(stored.items.size()) + " lines");
  }
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size(); ++i) stored.items[i].id = ids[i];
  return stored;
}

std::optional<app::Order> OrderRepository::Find(const domain::OrderId& id) {
  const Result result = conn_.Run(kOrderFind, Params().Text(id.str()));
  if (result.Rows() == 0) return std::nullopt;
  std::vector<app::Order> orders;
  orders.push_back(ReadOrder(result, 0));
  LoadLines(orders);
  return std::move(orders.front());
}

std::vector<app::Order> OrderRepository::List(const app::OrderQuery& query) {
  Params params = FilterParams(query);
  params.Int(std::max<std::int64_t>(query.offset, 0)).Int(std::max<std::int64_t>(query.limit, 0));
  const Result result = conn_.Run(Filtered().List(query), params);
  std::vector<app::Order> orders;
  orders.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) orders.push_back(ReadOrder(result, i));
  LoadLines(orders);
  return orders;
}

void OrderRepository::LoadLines(std::vector<app::Order>& orders) {
  if (orders.empty()) return;
  std::string array = "{";
  std::unordered_map<std::string, app::Order*> by_id;
  for (auto& order : orders) {
    if (array.size() > 1) array += ',';
    array += order.id.str();  // a UUID: hex and dashes only
    by_id.emplace(order.id.str(), &order);
  }
  array += '}';
  const Result result = conn_.Run(kOrderLinesOf, Params().Text(array));
  for (int i = 0; i < result.Rows(); ++i) {
    auto [order_id, line] = ReadLine(result, i);
    const auto it = by_id.find(order_id);
    if (it != by_id.end()) it->second->items.push_back(std::move(line));
  }
}

std::int64_t OrderRepository::Count(const app::OrderQuery& query) {
  const Result result = conn_.Run(Filtered().Count(query), FilterParams(query));
  return RowReader(result, 0).Int64();
}

bool OrderRepository::UpdateStatus(const domain::OrderId& id, domain::OrderStatus from,
                                   domain::OrderStatus to) {
  return conn_
             .Run(kOrderUpdateStatus,
                  Params().Text(id.str()).Text(domain::ToString(from)).Text(domain::ToString(to)))
             .Affected() == 1;
}

bool OrderRepository::UpdatePayment(const domain::OrderId& id, domain::PaymentStatus from,
                                    domain::PaymentStatus to) {
  return conn_
             .Run(kOrderUpdatePayment,
                  Params().Text(id.str()).Text(domain::ToString(from)).Text(domain::ToString(to)))
             .Affected() == 1;
}

void OrderRepository::SetLoyaltyPointsAwarded(const domain::OrderId& id, std::int64_t points) {
  conn_.Run(kOrderSetPoints, Params().Text(id.str()).Int(points));
}

std::int64_t OrderRepository::QueuedWorkMinutes() {
  BatchCache* cache = conn_.batch_cache();
  if (cache != nullptr) {
    if (const auto known = cache->QueuedWork()) return *known;
  }
  const Result result = conn_.Run(kOrderQueuedWork, Params());
  const std::int64_t minutes = RowReader(result, 0).Int64();
  if (cache != nullptr) cache->RememberQueuedWork(minutes);
  return minutes;
}

std::vector<std::pair<domain::OrderStatus, std::int64_t>> OrderRepository::CountByStatus() {
  const Result result = conn_.Run(kOrderCountByStatus, Params());
  std::vector<std::pair<domain::OrderStatus, std::int64_t>> counts;
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    const std::string status = r.String();
    const auto parsed = domain::ParseOrderStatus(status);
    if (!parsed) throw DecodeError("orders: status '" + status + "'");
    counts.emplace_back(*parsed, r.Int64());
  }
  std::sort(counts.begin(), counts.end());
  return counts;
}

}  // namespace coffee::storage::postgres
