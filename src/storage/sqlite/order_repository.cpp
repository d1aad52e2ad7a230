#include <array>
#include <string>
#include <tuple>
#include <unordered_map>

#include "storage/json_columns.hpp"
#include "storage/order_columns.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

constexpr std::string_view kInsertOrder =
    "INSERT INTO orders (id, user_id, status, payment_status, base_price_cents,"
    " discount_total_cents, total_price_cents, pricing_strategy, applied_rules,"
    " prep_work_minutes, estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded,"
    " created_at, updated_at, rules_version, promo_code)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, nullif(?16, 0),"
    " nullif(?17, ''))";
constexpr std::string_view kInsertOrderItem =
    "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents,"
    " subtotal_cents, discount_cents, final_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " RETURNING id";
constexpr std::string_view kFindOrder =
    "SELECT id, user_id, status, payment_status, base_price_cents, discount_total_cents,"
    " total_price_cents, pricing_strategy, applied_rules, prep_work_minutes,"
    " estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded, created_at, updated_at"
    " FROM orders WHERE id = ?1";
constexpr std::string_view kFindOrderItems =
    "SELECT id, order_id, coffee_id, coffee_name, quantity, price_snapshot_cents, subtotal_cents,"
    " discount_cents, final_cents FROM order_items WHERE order_id = ?1 ORDER BY id";
/// The lines of a page of orders in one query: ?1 is a JSON array of order ids.
constexpr std::string_view kListOrderItems =
    "SELECT id, order_id, coffee_id, coffee_name, quantity, price_snapshot_cents, subtotal_cents,"
    " discount_cents, final_cents FROM order_items"
    " WHERE order_id IN (SELECT value FROM json_each(?1)) ORDER BY id";

// One statement per filter combination rather than `(?1 IS NULL OR user_id = ?1)`, so the
// planner can use orders_user_created_idx / orders_status_created_idx, and per direction:
// newest first, and its exact reverse (OrderQuery::oldest_first), which reads the same indexes
// backwards. ?1 is the user id, ?2 the status (unused parameters stay unbound), ?3 the limit,
// ?4 the offset.
constexpr std::string_view kListOrdersFrom =
    "SELECT id, user_id, status, payment_status, base_price_cents, discount_total_cents,"
    " total_price_cents, pricing_strategy, applied_rules, prep_work_minutes,"
    " estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded, created_at,"
    " updated_at FROM orders";
/// By filter: [has user][has status]. With statistics (ANALYZE, which `analytics generate`
/// runs) the planner reads a status's orders by scanning orders_created_id_idx and testing
/// each row, since orders_status_created_idx leaves the id tiebreaker to sort: from the end
/// where a status's orders are not (pending ones are the newest), that reads the whole table
/// (70 s at 1M orders, cold). INDEXED BY keeps it on the status's own entries.
constexpr std::array<std::array<std::string_view, 2>, 2> kListOrdersWhere{{
    {"", " INDEXED BY orders_status_created_idx WHERE status = ?2"},
    {" WHERE user_id = ?1", " WHERE user_id = ?1 AND status = ?2"},
}};
/// By direction: [oldest first].
constexpr std::array<std::string_view, 2> kListOrdersOrder{
    " ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4",
    " ORDER BY created_at ASC, id ASC LIMIT ?3 OFFSET ?4"};

/// The list statement of `query`'s filters and direction, built once.
const std::string& ListOrdersSql(const app::OrderQuery& query) {
  static const auto statements = [] {
    std::array<std::string, 8> all;
    for (std::size_t i = 0; i < all.size(); ++i) {
      all.at(i) = std::string(kListOrdersFrom) + std::string(kListOrdersWhere[i / 4][(i / 2) % 2]) +
                  std::string(kListOrdersOrder.at(i % 2));
    }
    return all;
  }();
  return statements.at((query.user_id ? 4 : 0) + (query.status ? 2 : 0) +
                       (query.oldest_first ? 1 : 0));
}

/// By filter: [has user][has status]. Without a user the totals come from order_status_totals,
/// kept by triggers (migration 0012): counting those orders would read the whole table.
constexpr std::array<std::array<std::string_view, 2>, 2> kCountOrders{{
    {"SELECT coalesce(sum(orders), 0) FROM order_status_totals",
     "SELECT coalesce(sum(orders), 0) FROM order_status_totals WHERE status = ?2"},
    {"SELECT count(*) FROM orders WHERE user_id = ?1",
     "SELECT count(*) FROM orders WHERE user_id = ?1 AND status = ?2"},
}};

// ready_at records when the order became ready (prep-time accuracy, migration 0003).
constexpr std::string_view kUpdateOrderStatus =
    "UPDATE orders SET status = ?3, updated_at = ?4,"
    " ready_at = CASE WHEN ?3 = 'ready' THEN ?4 ELSE ready_at END WHERE id = ?1 AND status = ?2";
constexpr std::string_view kUpdateOrderPayment =
    "UPDATE orders SET payment_status = ?3, updated_at = ?4 WHERE id = ?1 AND payment_status = ?2";
constexpr std::string_view kSetLoyaltyPointsAwarded =
    "UPDATE orders SET loyalty_points_awarded = ?2 WHERE id = ?1";
// Kept by triggers on orders (migration 0002).
constexpr std::string_view kQueuedWorkMinutes =
    "SELECT queued_work_minutes FROM prep_queue WHERE id = 1";
// Kept by triggers on orders (migration 0012); a status no order has any more keeps its row at 0.
constexpr std::string_view kCountOrdersByStatus =
    "SELECT status, orders FROM order_status_totals WHERE orders <> 0 ORDER BY status";

domain::OrderStatus ReadStatus(const std::string& text, std::string_view where) {
  const auto status = domain::ParseOrderStatus(text);
  if (!status) {
    throw app::StorageError("sqlite: " + std::string(where) + ": unknown order status " + text);
  }
  return *status;
}

app::Order ReadOrder(const Statement& row) {
  app::Order o;
  o.id = ReadOrderId(row.Text(0), "orders.id");
  const std::string where = "orders id=" + o.id.str();
  o.user_id = domain::UserId{row.Int(1)};
  o.status = ReadStatus(row.Text(2), where);
  const auto payment = domain::ParsePaymentStatus(row.Text(3));
  if (!payment) {
    throw app::StorageError("sqlite: " + where + ": unknown payment status " + row.Text(3));
  }
  o.payment_status = *payment;
  o.base_price = domain::Money::FromCents(row.Int(4));
  o.discount_total = domain::Money::FromCents(row.Int(5));
  o.total_price = domain::Money::FromCents(row.Int(6));
  std::tie(o.pricing_strategy, o.pricing_combination) = DecodePricingStrategy(row.Text(7));
  try {
    o.applied_rules = DecodeAppliedRules(row.Text(8));
  } catch (const DecodeError& e) {
    throw app::StorageError("sqlite: " + where + ": " + e.what());
  }
  o.prep_work_minutes = static_cast<int>(row.Int(9));
  o.estimated_prep_minutes = static_cast<int>(row.Int(10));
  o.estimated_ready_at = ReadTimestamp(row.Text(11), "orders.estimated_ready_at");
  o.loyalty_points_awarded = row.Int(12);
  o.created_at = ReadTimestamp(row.Text(13), "orders.created_at");
  o.updated_at = ReadTimestamp(row.Text(14), "orders.updated_at");
  return o;
}

/// Reads a row of kFindOrderItems / kListOrderItems (column 1, the order id, is skipped).
app::OrderLine ReadLine(const Statement& row) {
  app::OrderLine line;
  line.id = row.Int(0);
  line.coffee_id = domain::CoffeeId{row.Int(2)};
  line.coffee_name = row.Text(3);
  line.quantity = static_cast<int>(row.Int(4));
  line.price_snapshot = domain::Money::FromCents(row.Int(5));
  line.subtotal = domain::Money::FromCents(row.Int(6));
  line.discount = domain::Money::FromCents(row.Int(7));
  line.final_amount = domain::Money::FromCents(row.Int(8));
  return line;
}

/// Binds the filters of `query` as ?1 (user) and ?2 (status) where the statement has them.
void BindOrderFilters(Statement& stmt, const app::OrderQuery& query) {
  if (query.user_id) stmt.Bind(1, query.user_id->value);
  if (query.status) stmt.Bind(2, domain::ToString(*query.status));
}

}  // namespace

app::Order OrderRepository::Insert(const app::Order& order) {
  {
    Statement stmt = conn_.Prepare(kInsertOrder);
    stmt.Bind(1, order.id.str()).Bind(2, order.user_id.value);
    stmt.Bind(3, domain::ToString(order.status)).Bind(4, domain::ToString(order.payment_status));
    stmt.Bind(5, order.base_price.cents()).Bind(6, order.discount_total.cents());
    stmt.Bind(7, order.total_price.cents())
        .Bind(8, EncodePricingStrategy(order.pricing_strategy, order.pricing_combination));
    stmt.Bind(9, EncodeAppliedRules(order.applied_rules));
    stmt.Bind(10, order.prep_work_minutes).Bind(11, order.estimated_prep_minutes);
    stmt.Bind(12, domain::FormatTimestamp(order.estimated_ready_at));
    stmt.Bind(13, order.loyalty_points_awarded);
    stmt.Bind(14, domain::FormatTimestamp(order.created_at));
    stmt.Bind(15, domain::FormatTimestamp(order.updated_at));
    stmt.Bind(16, order.rules_version).Bind(17, order.promo_code);
    stmt.Run();
  }
  app::Order stored = order;
  for (auto& line : stored.items) {
    Statement stmt = conn_.Prepare(kInsertOrderItem);
    stmt.Bind(1, order.id.str()).Bind(2, line.coffee_id.value).Bind(3, line.coffee_name);
    stmt.Bind(4, line.quantity).Bind(5, line.price_snapshot.cents());
    stmt.Bind(6, line.subtotal.cents()).Bind(7, line.discount.cents());
    stmt.Bind(8, line.final_amount.cents());
    if (!stmt.Step()) throw app::StorageError("sqlite: insert order line returned no id");
    line.id = stmt.Int(0);
    stmt.Run();
  }
  return stored;
}

app::Order OrderRepository::InsertWithAudits(const app::Order& order,
                                             const std::vector<app::AuditRecord>& audits) {
  // Statements here are function calls, not round trips: the same inserts, one after another.
  app::Order stored = Insert(order);
  AuditLog(conn_).InsertAudits(audits);
  return stored;
}

std::optional<app::Order> OrderRepository::Find(const domain::OrderId& id) {
  std::optional<app::Order> order;
  {
    Statement stmt = conn_.Prepare(kFindOrder);
    stmt.Bind(1, id.str());
    if (!stmt.Step()) return std::nullopt;
    order = ReadOrder(stmt);
  }
  Statement lines = conn_.Prepare(kFindOrderItems);
  lines.Bind(1, id.str());
  while (lines.Step()) order->items.push_back(ReadLine(lines));
  return order;
}

std::vector<app::Order> OrderRepository::List(const app::OrderQuery& query) {
  std::vector<app::Order> orders;
  {
    Statement stmt = conn_.Prepare(ListOrdersSql(query));
    BindOrderFilters(stmt, query);
    stmt.Bind(3, query.limit).Bind(4, query.offset);
    while (stmt.Step()) orders.push_back(ReadOrder(stmt));
  }
  if (orders.empty()) return orders;

  std::vector<std::string> ids;
  std::unordered_map<std::string, std::size_t> index;
  ids.reserve(orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    ids.push_back(orders[i].id.str());
    index.emplace(orders[i].id.str(), i);
  }
  Statement lines = conn_.Prepare(kListOrderItems);
  lines.Bind(1, EncodeTextArray(ids));
  while (lines.Step()) {
    const auto it = index.find(lines.Text(1));
    if (it == index.end()) continue;
    orders[it->second].items.push_back(ReadLine(lines));
  }
  return orders;
}

std::int64_t OrderRepository::Count(const app::OrderQuery& query) {
  Statement stmt = conn_.Prepare(kCountOrders.at(query.user_id ? 1 : 0).at(query.status ? 1 : 0));
  BindOrderFilters(stmt, query);
  stmt.Step();
  return stmt.Int(0);
}

bool OrderRepository::UpdateStatus(const domain::OrderId& id, domain::OrderStatus from,
                                   domain::OrderStatus to) {
  Statement stmt = conn_.Prepare(kUpdateOrderStatus);
  stmt.Bind(1, id.str()).Bind(2, domain::ToString(from)).Bind(3, domain::ToString(to));
  stmt.Bind(4, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

bool OrderRepository::UpdatePayment(const domain::OrderId& id, domain::PaymentStatus from,
                                    domain::PaymentStatus to) {
  Statement stmt = conn_.Prepare(kUpdateOrderPayment);
  stmt.Bind(1, id.str()).Bind(2, domain::ToString(from)).Bind(3, domain::ToString(to));
  stmt.Bind(4, domain::FormatTimestamp(Now()));
  stmt.Run();
  return conn_.Changes() > 0;
}

void OrderRepository::SetLoyaltyPointsAwarded(const domain::OrderId& id, std::int64_t points) {
  Statement stmt = conn_.Prepare(kSetLoyaltyPointsAwarded);
  stmt.Bind(1, id.str()).Bind(2, points);
  stmt.Run();
}

std::int64_t OrderRepository::QueuedWorkMinutes() {
  Statement stmt = conn_.Prepare(kQueuedWorkMinutes);
  stmt.Step();
  return stmt.Int(0);
}

std::vector<std::pair<domain::OrderStatus, std::int64_t>> OrderRepository::CountByStatus() {
  Statement stmt = conn_.Prepare(kCountOrdersByStatus);
  std::vector<std::pair<domain::OrderStatus, std::int64_t>> counts;
  while (stmt.Step()) counts.emplace_back(ReadStatus(stmt.Text(0), "orders"), stmt.Int(1));
  return counts;
}

}  // namespace coffee::storage::sqlite
