#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/ports/rules.hpp"
#include "domain/business_rules.hpp"
#include "domain/coffee.hpp"
#include "domain/order_id.hpp"
#include "domain/order_status.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// One line of a stored order: a snapshot of the coffee's name and price when ordered.
struct OrderLine {
  std::int64_t id = 0;  // assigned by Insert
  domain::CoffeeId coffee_id;
  std::string coffee_name;
  int quantity = 0;
  domain::Money price_snapshot;
  domain::Money subtotal;
  domain::Money discount;
  domain::Money final_amount;
};

/// A pricing rule that changed the price of an order.
struct AppliedRule {
  domain::RuleId rule_id;
  std::string description;
  domain::Money discount;
};

/// An order with its lines (SPEC §6).
struct Order {
  domain::OrderId id;  // chosen by the caller
  domain::UserId user_id;
  domain::OrderStatus status = domain::OrderStatus::kPending;
  domain::PaymentStatus payment_status = domain::PaymentStatus::kUnpaid;
  domain::Money base_price;
  domain::Money discount_total;
  domain::Money total_price;
  domain::CombinationStrategy pricing_strategy = domain::CombinationStrategy::kBestPrice;
  /// What the pricing used: "none", "additive", "multiplicative" or "rule:<id>".
  std::string pricing_combination;
  std::vector<AppliedRule> applied_rules;
  int prep_work_minutes = 0;  // this order's own work, for the queue of later orders
  int estimated_prep_minutes = 0;
  domain::Instant estimated_ready_at;
  std::int64_t loyalty_points_awarded = 0;
  domain::Instant created_at;  // chosen by the caller (the placement instant)
  domain::Instant updated_at;
  std::vector<OrderLine> items;  // in line order
  /// What priced it: the rule-set version (0: not recorded) and the promo code it presented
  /// (normalized; empty: none). Written on insert and read by the simulation (RecordedOrders);
  /// Find and List leave them empty.
  std::int64_t rules_version = 0;
  std::string promo_code;
};

struct OrderQuery {
  std::optional<domain::UserId> user_id;
  std::optional<domain::OrderStatus> status;
  std::int64_t offset = 0;
  std::int64_t limit = 10;
  /// The exact reverse of the list's order (created_at asc, id asc): how OrderService reads
  /// a page nearer the end than the start (app/paging.hpp).
  bool oldest_first = false;
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;
  /// Inserts the order and its lines; returns it with line ids filled in.
  virtual Order Insert(const Order& order) = 0;
  /// Inserts the order, its lines and `audits` (how it was decided, rule_audit_log rows in their
  /// order): the same rows as Insert then AuditLog::InsertAudits, in one statement where the
  /// adapter can. Returns the order with line ids filled in.
  virtual Order InsertWithAudits(const Order& order, const std::vector<AuditRecord>& audits) = 0;
  /// The order with its lines, or nullopt.
  virtual std::optional<Order> Find(const domain::OrderId& id) = 0;
  /// Newest first (created_at desc, id desc), or oldest first (created_at asc, id asc) with
  /// query.oldest_first, each with its lines, in a fixed number of queries whatever the page
  /// size (no N+1).
  virtual std::vector<Order> List(const OrderQuery& query) = 0;
  /// Orders matching the filters of `query` (offset, limit and direction ignored).
  virtual std::int64_t Count(const OrderQuery& query) = 0;
  /// Sets status `to` only if the order is in `from` now (one conditional UPDATE, which also
  /// sets updated_at, and ready_at when `to` is ready); true if this call made the change.
  /// Concurrent callers: exactly one wins.
  virtual bool UpdateStatus(const domain::OrderId& id, domain::OrderStatus from,
                            domain::OrderStatus to) = 0;
  /// Same, for payment_status.
  virtual bool UpdatePayment(const domain::OrderId& id, domain::PaymentStatus from,
                             domain::PaymentStatus to) = 0;
  virtual void SetLoyaltyPointsAwarded(const domain::OrderId& id, std::int64_t points) = 0;
  /// Σ prep_work_minutes of orders in pending, confirmed or preparing: the baristas' queue.
  virtual std::int64_t QueuedWorkMinutes() = 0;
  /// Number of orders per status (statuses without orders are absent).
  virtual std::vector<std::pair<domain::OrderStatus, std::int64_t>> CountByStatus() = 0;
};

}  // namespace coffee::app
