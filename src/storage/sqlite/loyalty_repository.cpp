#include <algorithm>

#include "storage/order_columns.hpp"
#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

constexpr std::string_view kGetLoyaltyAccount =
    "SELECT points_balance, lifetime_points FROM customer_loyalty WHERE user_id = ?1";
/// The unique index (order_id, kind) makes a second award or reversal of an order fail here,
/// before any balance changes.
constexpr std::string_view kInsertLoyaltyTransaction =
    "INSERT INTO loyalty_transactions (user_id, order_id, kind, points, unrecovered_points,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kCreditLoyaltyAccount =
    "INSERT INTO customer_loyalty (user_id, points_balance, lifetime_points, updated_at)"
    " VALUES (?1, ?2, ?2, ?3) ON CONFLICT (user_id) DO UPDATE SET"
    " points_balance = points_balance + excluded.points_balance,"
    " lifetime_points = lifetime_points + excluded.lifetime_points,"
    " updated_at = excluded.updated_at";
constexpr std::string_view kDebitLoyaltyAccount =
    "UPDATE customer_loyalty SET points_balance = points_balance - ?2, updated_at = ?3"
    " WHERE user_id = ?1";
constexpr std::string_view kListLoyaltyTransactions =
    "SELECT id, order_id, kind, points, unrecovered_points, created_at FROM loyalty_transactions"
    " WHERE user_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2";

constexpr std::string_view kAward = "award";
constexpr std::string_view kReversal = "reversal";

}  // namespace

app::LoyaltyAccount LoyaltyRepository::GetAccount(domain::UserId user) {
  Statement stmt = conn_.Prepare(kGetLoyaltyAccount);
  stmt.Bind(1, user.value);
  if (!stmt.Step()) return {};
  return {stmt.Int(0), stmt.Int(1)};
}

bool LoyaltyRepository::Award(domain::UserId user, const domain::OrderId& order_id,
                              std::int64_t points) {
  const std::string now = domain::FormatTimestamp(Now());
  {
    Statement stmt = conn_.Prepare(kInsertLoyaltyTransaction);
    stmt.Bind(1, user.value).Bind(2, order_id.str()).Bind(3, kAward).Bind(4, points);
    stmt.Bind(5, std::int64_t{0}).Bind(6, now);
    bool has_row = false;
    const int constraint = stmt.StepOrConstraint(has_row);
    if (constraint == SQLITE_CONSTRAINT_UNIQUE) return false;
    if (constraint != 0) ThrowSqliteError(conn_.handle(), constraint, "insert loyalty award");
  }
  Statement stmt = conn_.Prepare(kCreditLoyaltyAccount);
  stmt.Bind(1, user.value).Bind(2, points).Bind(3, now);
  stmt.Run();
  return true;
}

std::optional<std::int64_t> LoyaltyRepository::Reverse(domain::UserId user,
                                                       const domain::OrderId& order_id,
                                                       std::int64_t points) {
  // The writer transaction is exclusive, so the balance cannot change between read and update.
  const std::int64_t balance = GetAccount(user).points_balance;
  const std::int64_t taken =
      std::clamp<std::int64_t>(points, 0, std::max<std::int64_t>(balance, 0));
  const std::string now = domain::FormatTimestamp(Now());
  {
    Statement stmt = conn_.Prepare(kInsertLoyaltyTransaction);
    stmt.Bind(1, user.value).Bind(2, order_id.str()).Bind(3, kReversal).Bind(4, -taken);
    stmt.Bind(5, points - taken).Bind(6, now);
    bool has_row = false;
    const int constraint = stmt.StepOrConstraint(has_row);
    if (constraint == SQLITE_CONSTRAINT_UNIQUE) return std::nullopt;
    if (constraint != 0) ThrowSqliteError(conn_.handle(), constraint, "insert loyalty reversal");
  }
  if (taken > 0) {
    Statement stmt = conn_.Prepare(kDebitLoyaltyAccount);
    stmt.Bind(1, user.value).Bind(2, taken).Bind(3, now);
    stmt.Run();
  }
  return taken;
}

std::vector<app::LoyaltyTransaction> LoyaltyRepository::Transactions(domain::UserId user,
                                                                     std::int64_t limit) {
  Statement stmt = conn_.Prepare(kListLoyaltyTransactions);
  stmt.Bind(1, user.value).Bind(2, limit);
  std::vector<app::LoyaltyTransaction> out;
  while (stmt.Step()) {
    app::LoyaltyTransaction t;
    t.id = stmt.Int(0);
    t.order_id = ReadOptOrderId(stmt.OptText(1), "loyalty_transactions.order_id");
    t.kind = stmt.Text(2);
    t.points = stmt.Int(3);
    t.unrecovered_points = stmt.Int(4);
    t.created_at = ReadTimestamp(stmt.Text(5), "loyalty_transactions.created_at");
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace coffee::storage::sqlite
