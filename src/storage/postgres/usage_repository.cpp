#include "storage/postgres/repositories.hpp"

namespace coffee::storage::postgres {

namespace {

// Every statement here is listed in BatchCache (batch_cache.cpp): none may change an order, a
// coffee or a review.
// One statement per counter: it inserts the first use, or adds one only while below the limit
// ($2 NULL = no limit). A concurrent order holding the row waits for it, and PostgreSQL then
// checks the condition again on the committed count, so no two orders take the last use.
constexpr Statement kClaimRule{
    "usage_claim_rule",
    "INSERT INTO rule_usage (rule_id, uses) VALUES ($1, 1) ON CONFLICT (rule_id) DO UPDATE SET "
    "uses = rule_usage.uses + 1 WHERE $2::bigint IS NULL OR rule_usage.uses < $2::bigint "
    "RETURNING uses"};
constexpr Statement kClaimCustomer{
    "usage_claim_customer",
    "INSERT INTO rule_customer_usage (rule_id, user_id, uses) VALUES ($1, $2, 1) "
    "ON CONFLICT (rule_id, user_id) DO UPDATE SET uses = rule_customer_usage.uses + 1 "
    "WHERE $3::bigint IS NULL OR rule_customer_usage.uses < $3::bigint RETURNING uses"};
constexpr Statement kUnclaimRule{
    "usage_unclaim_rule", "UPDATE rule_usage SET uses = uses - 1 WHERE rule_id = $1 AND uses > 0"};
constexpr Statement kUnclaimCustomer{
    "usage_unclaim_customer",
    "UPDATE rule_customer_usage SET uses = uses - 1 WHERE rule_id = $1 AND user_id = $2 "
    "AND uses > 0"};
constexpr Statement kInsertOrderUses{"usage_order_insert",
                                     "INSERT INTO order_rule_uses (order_id, rule_id, user_id) "
                                     "SELECT $1::uuid, unnest($2::bigint[]), $3"};
constexpr Statement kDeleteOrderUses{
    "usage_order_delete",
    "DELETE FROM order_rule_uses WHERE order_id = $1::uuid RETURNING rule_id, user_id"};
constexpr Statement kUsage{
    "usage_read",
    "SELECT r.id, COALESCE(u.uses, 0), COALESCE(c.uses, 0) "
    "FROM unnest($1::bigint[]) WITH ORDINALITY AS r (id, n) "
    "LEFT JOIN rule_usage u ON u.rule_id = r.id "
    "LEFT JOIN rule_customer_usage c ON c.rule_id = r.id AND c.user_id = $2 ORDER BY r.n"};

/// A bigint[] literal: {1,2,3}.
std::string IdArray(const std::vector<domain::RuleId>& rules) {
  std::string out = "{";
  for (const auto rule : rules) {
    if (out.size() > 1) out += ',';
    out += std::to_string(rule.value);
  }
  out += '}';
  return out;
}

}  // namespace

app::ClaimResult RuleUsageRepository::Claim(domain::RuleId rule, domain::UserId customer,
                                            std::optional<std::int64_t> max_uses,
                                            std::optional<std::int64_t> max_per_customer) {
  if (conn_.Run(kClaimRule, Params().Int(rule.value).OptInt(max_uses)).Rows() == 0) {
    return app::ClaimResult::kUsageLimitReached;
  }
  if (conn_
          .Run(kClaimCustomer,
               Params().Int(rule.value).Int(customer.value).OptInt(max_per_customer))
          .Rows() > 0) {
    return app::ClaimResult::kClaimed;
  }
  conn_.Run(kUnclaimRule, Params().Int(rule.value));
  return app::ClaimResult::kCustomerLimitReached;
}

void RuleUsageRepository::Unclaim(domain::RuleId rule, domain::UserId customer) {
  conn_.Run(kUnclaimRule, Params().Int(rule.value));
  conn_.Run(kUnclaimCustomer, Params().Int(rule.value).Int(customer.value));
}

void RuleUsageRepository::RecordOrderUses(const domain::OrderId& order, domain::UserId customer,
                                          const std::vector<domain::RuleId>& rules) {
  if (rules.empty()) return;
  conn_.Run(kInsertOrderUses, Params().Text(order.str()).Text(IdArray(rules)).Int(customer.value));
}

std::vector<domain::RuleId> RuleUsageRepository::ReleaseOrder(const domain::OrderId& order) {
  const Result held = conn_.Run(kDeleteOrderUses, Params().Text(order.str()));
  std::vector<domain::RuleId> released;
  released.reserve(static_cast<std::size_t>(held.Rows()));
  for (int i = 0; i < held.Rows(); ++i) {
    RowReader r(held, i);
    const domain::RuleId rule{r.Int64()};
    const domain::UserId customer{r.Int64()};
    Unclaim(rule, customer);
    released.push_back(rule);
  }
  return released;
}

std::vector<app::RuleUsage> RuleUsageRepository::Usage(const std::vector<domain::RuleId>& rules,
                                                       std::optional<domain::UserId> customer) {
  std::vector<app::RuleUsage> out;
  if (rules.empty()) return out;
  Params params;
  params.Text(IdArray(rules));
  if (customer) {
    params.Int(customer->value);
  } else {
    params.Null();
  }
  const Result result = conn_.Run(kUsage, params);
  out.reserve(static_cast<std::size_t>(result.Rows()));
  for (int i = 0; i < result.Rows(); ++i) {
    RowReader r(result, i);
    app::RuleUsage usage;
    usage.rule_id = domain::RuleId{r.Int64()};
    usage.uses = r.Int64();
    usage.customer_uses = r.Int64();
    out.push_back(usage);
  }
  return out;
}

}  // namespace coffee::storage::postgres
