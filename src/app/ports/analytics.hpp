#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/ports/loyalty.hpp"
#include "app/ports/orders.hpp"
#include "app/ports/reviews.hpp"
#include "app/ports/rules.hpp"
#include "domain/business_rules.hpp"
#include "domain/coffee.hpp"
#include "domain/money.hpp"
#include "domain/order_id.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// The rollup levels of migration 0003 (table rollup_levels): buckets of kRollupSeconds[level]
/// seconds since the epoch, UTC. Each size divides the next.
enum class RollupLevel { kQuarterHour = 0, kHour = 1, kDay = 2, kBlock = 3, kLongBlock = 4 };
inline constexpr std::array<std::int64_t, 5> kRollupSeconds{900, 3600, 86400, 16 * 86400,
                                                            64 * 86400};
/// Seconds of one bucket of `level`.
constexpr std::int64_t RollupSeconds(RollupLevel level) {
  return kRollupSeconds.at(static_cast<std::size_t>(level));
}

/// Part of a report's time range: whole rollup buckets [first, last) of one level, or, without a
/// level, the raw rows created in [from, to) (the partial quarter hours at a range's edges).
struct Slice {
  std::optional<RollupLevel> level;
  std::int64_t first = 0;
  std::int64_t last = 0;
  domain::Instant from;
  domain::Instant to;
};

/// Sums over counted orders (completed, payment not refunded): whole orders, or the lines of one
/// coffee. The timed_* fields cover the orders that have a ready_at.
struct SalesSums {
  std::int64_t orders = 0;
  std::int64_t quantity = 0;
  domain::Money gross;
  domain::Money discount;
  domain::Money net;
  std::int64_t timed_orders = 0;
  std::int64_t quoted_minutes = 0;
  std::int64_t actual_seconds = 0;

  SalesSums& operator+=(const SalesSums& other) {
    orders += other.orders;
    quantity += other.quantity;
    gross += other.gross;
    discount += other.discount;
    net += other.net;
    timed_orders += other.timed_orders;
    quoted_minutes += other.quoted_minutes;
    actual_seconds += other.actual_seconds;
    return *this;
  }
};

struct CoffeeSales {
  domain::CoffeeId coffee_id;
  SalesSums sums;
};

/// Discount granted by one pricing rule over counted orders.
struct RuleDiscount {
  domain::RuleId rule_id;
  std::int64_t orders = 0;
  domain::Money discount;
  std::int64_t capped_orders = 0;  // orders whose discount max_discount_percent clipped
};

/// Counted orders with a ready_at by lateness: ceil((actual − quoted) / 1 minute).
struct PrepBin {
  std::int64_t coffee_id = 0;  // 0 = every order
  std::int64_t late_minutes = 0;
  std::int64_t orders = 0;
};

/// Visible reviews with one rating.
struct RatingCount {
  std::int64_t coffee_id = 0;  // 0 = every coffee
  int rating = 0;
  std::int64_t reviews = 0;
};

/// Rollup buckets [first, last) of one level for one coffee (0 = whole orders / every coffee),
/// grouped by key = ((bucket × seconds + offset_seconds) / unit_seconds) % modulo: local days
/// or local hours of day when the offset is constant over the buckets.
struct GroupedQuery {
  RollupLevel level = RollupLevel::kQuarterHour;
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t coffee_id = 0;
  std::int64_t offset_seconds = 0;
  std::int64_t unit_seconds = 86400;
  std::int64_t modulo = std::int64_t{1} << 62;
};

struct KeyedSales {
  std::int64_t key = 0;
  SalesSums sums;
};

struct KeyedRatings {
  std::int64_t key = 0;
  int rating = 0;
  std::int64_t reviews = 0;
};

/// Loyalty points held by customers now.
struct LoyaltyTotals {
  std::int64_t customers = 0;  // accounts with a positive balance
  std::int64_t points_balance = 0;
  std::int64_t lifetime_points = 0;
};

/// An order of a generated history, with the instant it became ready and its audit rows.
struct HistoricOrder {
  Order order;
  std::optional<domain::Instant> ready_at;
  std::vector<AuditRecord> audit;
};

/// Rows written by a rollup rebuild, per table.
struct RollupCounts {
  std::int64_t sales = 0;
  std::int64_t rules = 0;
  std::int64_t prep = 0;
  std::int64_t reviews = 0;
};

/// One line of a recorded order as it was charged.
struct RecordedLine {
  domain::CoffeeId coffee_id;
  int quantity = 0;
  domain::Money unit_price;
};

/// A counted order (completed, payment not refunded) to replay under other rules: its lines,
/// what it was charged, and the rule-set version its pricing_summary audit row recorded (0 when
/// it recorded none).
struct RecordedOrder {
  domain::OrderId id;
  domain::Instant created_at;
  domain::Money total;
  std::int64_t rules_version = 0;
  std::string promo_code;  // the code it presented; empty: none
  std::vector<RecordedLine> lines;
};

/// A page of counted orders placed in [from, to), ordered by (created_at, id), after the
/// order (after_time, after_id) when `after_id` is set.
struct RecordedOrderPage {
  domain::Instant from;
  domain::Instant to;
  std::optional<domain::Instant> after_time;
  std::optional<domain::OrderId> after_id;
  std::int64_t limit = 10000;
};

/// Reads of the analytics rollups (and of raw rows for the edges of a range), the rebuild of
/// the rollups, and bulk writes of a generated history.
class AnalyticsRepository {
 public:
  virtual ~AnalyticsRepository() = default;
  /// Whole orders (coffee_id 0) or the lines of one coffee.
  virtual SalesSums Sales(const Slice& slice, std::int64_t coffee_id) = 0;
  /// Every coffee with counted lines in the slice (no coffee 0), in no particular order.
  virtual std::vector<CoffeeSales> SalesByCoffee(const Slice& slice) = 0;
  /// Every rule with granted discount in counted orders of the slice.
  virtual std::vector<RuleDiscount> RuleDiscounts(const Slice& slice) = 0;
  /// Lateness bins of coffee 0 and of every coffee.
  virtual std::vector<PrepBin> PrepBins(const Slice& slice) = 0;
  /// Visible reviews by rating, of coffee 0 and of every coffee.
  virtual std::vector<RatingCount> Ratings(const Slice& slice) = 0;
  virtual std::vector<KeyedSales> SalesGrouped(const GroupedQuery& query) = 0;
  virtual std::vector<KeyedRatings> RatingsGrouped(const GroupedQuery& query) = 0;
  virtual LoyaltyTotals Loyalty() = 0;
  /// Every coffee's name, by id.
  virtual std::vector<std::pair<domain::CoffeeId, std::string>> CoffeeNames() = 0;
  /// Every pricing rule's description, by id.
  virtual std::vector<std::pair<domain::RuleId, std::string>> RuleDescriptions() = 0;
  /// Counted orders with their lines, one page (a fixed number of queries per page).
  virtual std::vector<RecordedOrder> RecordedOrders(const RecordedOrderPage& page) = 0;

  /// Empties the rollups and recomputes them from orders, lines, audit rows and reviews.
  virtual RollupCounts RebuildRollups() = 0;
  /// Updates the planner's statistics (ANALYZE).
  virtual void Analyze() = 0;
  /// Inserts users that cannot log in (the hash verifies no password); returns their ids.
  virtual std::vector<domain::UserId> InsertUsers(const std::vector<std::string>& emails,
                                                  std::string_view password_hash) = 0;
  /// Inserts orders as they are (status, payment, ready_at, times), with lines and audit rows.
  /// Inserting does not touch the rollups: rebuild them afterwards.
  virtual void InsertOrders(const std::vector<HistoricOrder>& orders) = 0;
  /// Inserts reviews as they are (created_at, hidden); the aggregates and review rollups follow.
  virtual void InsertReviews(const std::vector<Review>& reviews) = 0;
  /// Creates or replaces the customers' loyalty accounts.
  virtual void SetLoyaltyAccounts(
      const std::vector<std::pair<domain::UserId, LoyaltyAccount>>& accounts) = 0;
};

}  // namespace coffee::app
