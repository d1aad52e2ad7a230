#include "storage/sqlite/repositories.hpp"

namespace coffee::storage::sqlite {

namespace {

// One statement per counter: it inserts the first use, or adds one only while below the limit
// (?2 NULL = no limit). SQLite has one writer at a time, so the check and the increment are
// never split by another order.
constexpr std::string_view kClaimRule =
    "INSERT INTO rule_usage (rule_id, uses) VALUES (?1, 1) ON CONFLICT (rule_id) DO UPDATE SET"
    " uses = rule_usage.uses + 1 WHERE ?2 IS NULL OR rule_usage.uses < ?2 RETURNING uses";
constexpr std::string_view kClaimCustomer =
    "INSERT INTO rule_customer_usage (rule_id, user_id, uses) VALUES (?1, ?2, 1)"
    " ON CONFLICT (rule_id, user_id) DO UPDATE SET uses = rule_customer_usage.uses + 1"
    " WHERE ?3 IS NULL OR rule_customer_usage.uses < ?3 RETURNING uses";
constexpr std::string_view kUnclaimRule =
    "UPDATE rule_usage SET uses = uses - 1 WHERE rule_id = ?1 AND uses > 0";
constexpr std::string_view kUnclaimCustomer =
    "UPDATE rule_customer_usage SET uses = uses - 1 WHERE rule_id = ?1 AND user_id = ?2"
    " AND uses > 0";
constexpr std::string_view kInsertOrderUse =
    "INSERT INTO order_rule_uses (order_id, rule_id, user_id) VALUES (?1, ?2, ?3)";
constexpr std::string_view kDeleteOrderUses =
    "DELETE FROM order_rule_uses WHERE order_id = ?1 RETURNING rule_id, user_id";
constexpr std::string_view kRuleUses = "SELECT uses FROM rule_usage WHERE rule_id = ?1";
constexpr std::string_view kCustomerUses =
    "SELECT uses FROM rule_customer_usage WHERE rule_id = ?1 AND user_id = ?2";

}  // namespace

app::ClaimResult RuleUsageRepository::Claim(domain::RuleId rule, domain::UserId customer,
                                            std::optional<std::int64_t> max_uses,
                                            std::optional<std::int64_t> max_per_customer) {
  {
    Statement stmt = conn_.Prepare(kClaimRule);
    stmt.Bind(1, rule.value).Bind(2, max_uses);
    if (!stmt.Step()) return app::ClaimResult::kUsageLimitReached;
  }
  Statement stmt = conn_.Prepare(kClaimCustomer);
  stmt.Bind(1, rule.value).Bind(2, customer.value).Bind(3, max_per_customer);
  if (stmt.Step()) return app::ClaimResult::kClaimed;
  Statement undo = conn_.Prepare(kUnclaimRule);
  undo.Bind(1, rule.value);
  undo.Run();
  return app::ClaimResult::kCustomerLimitReached;
}

void RuleUsageRepository::Unclaim(domain::RuleId rule, domain::UserId customer) {
  Statement total = conn_.Prepare(kUnclaimRule);
  total.Bind(1, rule.value);
  total.Run();
  Statement own = conn_.Prepare(kUnclaimCustomer);
  own.Bind(1, rule.value).Bind(2, customer.value);
  own.Run();
}

void RuleUsageRepository::RecordOrderUses(const domain::OrderId& order, domain::UserId customer,
                                          const std::vector<domain::RuleId>& rules) {
  for (const auto rule : rules) {
    Statement stmt = conn_.Prepare(kInsertOrderUse);
    stmt.Bind(1, order.str()).Bind(2, rule.value).Bind(3, customer.value);
    stmt.Run();
  }
}

std::vector<domain::RuleId> RuleUsageRepository::ReleaseOrder(const domain::OrderId& order) {
  std::vector<std::pair<domain::RuleId, domain::UserId>> held;
  {
    Statement stmt = conn_.Prepare(kDeleteOrderUses);
    stmt.Bind(1, order.str());
    while (stmt.Step()) held.emplace_back(domain::RuleId{stmt.Int(0)}, domain::UserId{stmt.Int(1)});
  }
  std::vector<domain::RuleId> released;
  released.reserve(held.size());
  for (const auto& [rule, customer] : held) {
    Unclaim(rule, customer);
    released.push_back(rule);
  }
  return released;
}

std::vector<app::RuleUsage> RuleUsageRepository::Usage(const std::vector<domain::RuleId>& rules,
                                                       std::optional<domain::UserId> customer) {
  std::vector<app::RuleUsage> out;
  out.reserve(rules.size());
  for (const auto rule : rules) {
    app::RuleUsage usage{rule, 0, 0};
    Statement total = conn_.Prepare(kRuleUses);
    total.Bind(1, rule.value);
    if (total.Step()) usage.uses = total.Int(0);
    if (customer) {
      Statement own = conn_.Prepare(kCustomerUses);
      own.Bind(1, rule.value).Bind(2, customer->value);
      if (own.Step()) usage.customer_uses = own.Int(0);
    }
    out.push_back(usage);
  }
  return out;
}

}  // namespace coffee::storage::sqlite
