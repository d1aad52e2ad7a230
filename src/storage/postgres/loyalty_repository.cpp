#include <algorithm>
#include <string>

#include "storage/order_columns.hpp"
#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

constexpr Statement kAccountGet{
    "loyalty_account_get",
    "SELECT points_balance, lifetime_points FROM customer_loyalty WHERE user_id = $1"};
constexpr Statement kAccountLock{
    "loyalty_account_lock",
    "SELECT points_balance FROM customer_loyalty WHERE user_id = $1 FOR UPDATE"};
// The unique index (order_id, kind) makes a second award of one order a no-op; a concurrent
// uncommitted award of the same order makes this wait, then do nothing.
constexpr Statement kLedgerAward{
    "loyalty_ledger_award",
    "INSERT INTO loyalty_transactions (user_id, order_id, kind, points) "
    "VALUES ($1, $2::uuid, 'award', $3) ON CONFLICT DO NOTHING RETURNING id"};
constexpr Statement kLedgerReversal{
    "loyalty_ledger_reversal",
    "INSERT INTO loyalty_transactions (user_id, order_id, kind, points, unrecovered_points) "
    "VALUES ($1, $2::uuid, 'reversal', $3, $4) ON CONFLICT DO NOTHING RETURNING id"};
constexpr Statement kAccountCredit{
    "loyalty_account_credit",
    "INSERT INTO customer_loyalty (user_id, points_balance, lifetime_points, updated_at) "
    "VALUES ($1, $2, $2, now()) ON CONFLICT (user_id) DO UPDATE SET "
    "points_balance = customer_loyalty.points_balance + EXCLUDED.points_balance, "
    "lifetime_points = customer_loyalty.lifetime_points + EXCLUDED.lifetime_points, "
    "updated_at = EXCLUDED.updated_at"};
constexpr Statement kAccountDebit{
    "loyalty_account_debit",
    "UPDATE customer_loyalty SET points_balance = points_balance - $2, updated_at = now() "
    "WHERE user_id = $1"};
constexpr Statement kLedgerList{
    "loyalty_ledger_list",
    "SELECT id, order_id, kind, points, unrecovered_points, created_at FROM loyalty_transactions "
    "WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"};

}  // namespace

app::LoyaltyAccount LoyaltyRepository::GetAccount(domain::UserId user) {
  const Result result = conn_.Run(kAccountGet, Params().Int(user.value));
  if (result.Rows() == 0) return {};
  RowReader r(result, 0);
  app::LoyaltyAccount account;
  account.points_balance = r.Int64();
  account.lifetime_points = r.Int64();
  return account;
}

bool LoyaltyRepository::Award(domain::UserId user, const domain::OrderId& order_id,
                              std::int64_t points) {
  if (conn_.Run(kLedgerAward, Params().Int(user.value).Text(order_id.str()).Int(points)).Rows() ==
      0) {
    return false;
  }
  conn_.Run(kAccountCredit, Params().Int(user.value).Int(points));
  return true;
}

std::optional<std::int64_t> LoyaltyRepository::Reverse(domain::UserId user,
                                                       const domain::OrderId& order_id,
                                                       std::int64_t points) {
  // Locking the balance first serializes reversals of one customer, so the balance read here
  // is the one the debit applies to and never goes below zero.
  const Result balance = conn_.Run(kAccountLock, Params().Int(user.value));
  const std::int64_t available = balance.Rows() == 0 ? 0 : RowReader(balance, 0).Int64();
  const std::int64_t taken =
      std::clamp<std::int64_t>(points, 0, std::max<std::int64_t>(available, 0));
  if (conn_
          .Run(kLedgerReversal,
               Params().Int(user.value).Text(order_id.str()).Int(-taken).Int(points - taken))
          .Rows() == 0) {
    return std::nullopt;
  }
  if (taken > 0) conn_.Run(kAccountDebit, Params().Int(user.value).Int(taken));
  return taken;
}

std::vector<app::LoyaltyTransaction> LoyaltyRepository::Transactions(domain::UserId user,
                                                                     std::int64_t limit) {
  const Result result =
      conn_.Run(kLedgerList, Params().Int(user.value).Int(std::max<std::int64_t>(limit, 0)));
  std::vector<app::LoyaltyTransaction> transactions;
  transactions.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    app::LoyaltyTransaction t;
    t.id = r.Int64();
    t.order_id = ReadOptOrderId(r.OptString(), "loyalty_transactions.order_id");
    t.kind = r.String();
    t.points = r.Int64();
    t.unrecovered_points = r.Int64();
    t.created_at = r.Time();
    transactions.push_back(std::move(t));
  }
  return transactions;
}

}  // namespace coffee::storage::postgres
