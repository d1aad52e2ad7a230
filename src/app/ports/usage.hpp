#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/order_id.hpp"
#include "domain/strong_id.hpp"

namespace coffee::app {

/// What claiming one use of a limited rule for an order did.
enum class ClaimResult {
  kClaimed,               // both counters went up by one
  kUsageLimitReached,     // the rule's uses were at max_uses; nothing changed
  kCustomerLimitReached,  // the customer's uses were at max_uses_per_customer; nothing changed
};

/// How often a rule was used: in all, and by one customer.
struct RuleUsage {
  domain::RuleId rule_id;
  std::int64_t uses = 0;
  std::int64_t customer_uses = 0;  // 0 when no customer was asked about
};

/// Usage counters of rules with max_uses or max_uses_per_customer (issue 14 item 4): one row
/// per rule and one per (rule, customer), each changed by one conditional UPDATE in the
/// caller's transaction, so concurrent orders never push a counter past its limit.
class RuleUsageRepository {
 public:
  virtual ~RuleUsageRepository() = default;
  /// Adds one use of `rule` for `customer` if the rule's uses are below `max_uses` and the
  /// customer's below `max_per_customer` (nullopt: no cap); otherwise changes nothing.
  virtual ClaimResult Claim(domain::RuleId rule, domain::UserId customer,
                            std::optional<std::int64_t> max_uses,
                            std::optional<std::int64_t> max_per_customer) = 0;
  /// Takes back one use claimed in this transaction (never below zero).
  virtual void Unclaim(domain::RuleId rule, domain::UserId customer) = 0;
  /// Records which claimed rules an inserted order holds, for ReleaseOrder.
  virtual void RecordOrderUses(const domain::OrderId& order, domain::UserId customer,
                               const std::vector<domain::RuleId>& rules) = 0;
  /// Gives back every use the order holds (one per rule, on both counters) and forgets them;
  /// the rules released, none on a second call.
  virtual std::vector<domain::RuleId> ReleaseOrder(const domain::OrderId& order) = 0;
  /// The counters of `rules` (absent ones are 0), with `customer`'s when given; in the order
  /// of `rules`.
  virtual std::vector<RuleUsage> Usage(const std::vector<domain::RuleId>& rules,
                                       std::optional<domain::UserId> customer) = 0;
};

}  // namespace coffee::app
