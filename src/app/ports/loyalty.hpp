#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/order_id.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

struct LoyaltyAccount {
  std::int64_t points_balance = 0;
  std::int64_t lifetime_points = 0;
};

/// One row of the points ledger.
struct LoyaltyTransaction {
  std::int64_t id = 0;
  std::optional<domain::OrderId> order_id;
  std::string kind;         // "award" or "reversal"
  std::int64_t points = 0;  // signed: + award, − reversal
  std::int64_t unrecovered_points = 0;
  domain::Instant created_at;
};

class LoyaltyRepository {
 public:
  virtual ~LoyaltyRepository() = default;
  /// Zeros when the customer has no account row yet.
  virtual LoyaltyAccount GetAccount(domain::UserId user) = 0;
  /// Ledger row "award" for the order + balance and lifetime increased (account created if
  /// missing). false, changing nothing, if the order already has an award (unique per order).
  virtual bool Award(domain::UserId user, const domain::OrderId& order_id, std::int64_t points) = 0;
  /// Takes back up to `points` of the order's award without taking the balance below zero:
  /// ledger row "reversal" with points = −taken and unrecovered_points = points − taken;
  /// lifetime is not changed. Returns taken, or nullopt (changing nothing) if the order was
  /// reversed already.
  virtual std::optional<std::int64_t> Reverse(domain::UserId user, const domain::OrderId& order_id,
                                              std::int64_t points) = 0;
  /// Newest first.
  virtual std::vector<LoyaltyTransaction> Transactions(domain::UserId user, std::int64_t limit) = 0;
};

}  // namespace coffee::app
