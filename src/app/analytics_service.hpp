#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/analytics_range.hpp"
#include "app/errors.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"

namespace coffee::app {

/// /sales/total and the extra /sales/trends.
struct SalesTotal {
  std::int64_t orders = 0;
  domain::Money revenue;  // net of discounts
  domain::Money average_order_value;
  domain::Money discount_total;
};

/// One bucket of /sales/by-period (also /ratings/trends, with ratings).
struct PeriodSales {
  PeriodBucket period;
  SalesSums sums;
};

/// One coffee's sales, with its name.
struct CoffeeReportRow {
  domain::CoffeeId coffee_id;
  std::string coffee_name;
  SalesSums sums;
  std::int64_t previous_quantity = 0;  // trending only
};

/// One coffee's visible reviews in the range.
struct CoffeeRating {
  domain::CoffeeId coffee_id;
  std::string coffee_name;
  std::int64_t rating_sum = 0;
  std::int64_t review_count = 0;
};

/// One rule of /rules/discount-cost.
struct RuleCost {
  RuleDiscount sums;
  std::string description;
};

/// Quoted against actual prep time for one group of orders.
struct PrepAccuracy {
  std::int64_t orders = 0;
  std::int64_t quoted_minutes = 0;  // Σ
  std::int64_t actual_seconds = 0;  // Σ
  std::optional<std::int64_t> p90_late_minutes;
};

struct CoffeePrepAccuracy {
  domain::CoffeeId coffee_id;
  std::string coffee_name;
  PrepAccuracy accuracy;
};

struct PrepReport {
  PrepAccuracy overall;
  std::vector<CoffeePrepAccuracy> coffees;
  std::vector<PrepAccuracy> hours;  // 24, by local hour of placement (no percentile)
};

/// One bucket of /ratings/trends.
struct PeriodRatings {
  PeriodBucket period;
  std::int64_t rating_sum = 0;
  std::int64_t review_count = 0;
};

/// The admin sales analytics of SPEC §10. Every report reads one consistent snapshot: whole
/// rollup buckets inside the range and raw rows only for partial quarter hours at its edges, so
/// its cost does not grow with the number of orders. Blocking: runs on a worker thread.
class AnalyticsService {
 public:
  /// `zone` is SHOP_TIMEZONE (null: UTC); `clock` gives "today" for the default range.
  AnalyticsService(Store& store, const Clock& clock, const date::time_zone* zone)
      : store_(store), clock_(clock), zone_(zone) {}

  /// Parses the common parameters (see ParseAnalyticsQuery).
  [[nodiscard]] Outcome<AnalyticsQuery> Parse(const QueryParams& params) const;

  Outcome<SalesTotal> Total(const AnalyticsQuery& q);
  /// This range and the one of equal length just before it.
  Outcome<std::pair<SalesTotal, SalesTotal>> Trends(const AnalyticsQuery& q);
  /// Every period overlapping the range, empty ones included.
  Outcome<std::vector<PeriodSales>> ByPeriod(const AnalyticsQuery& q);
  /// 24 rows, local hours 0–23.
  Outcome<std::vector<SalesSums>> ByHour(const AnalyticsQuery& q);
  /// By quantity, then orders, then id; at most q.limit.
  Outcome<std::vector<CoffeeReportRow>> MostOrdered(const AnalyticsQuery& q);
  /// Quantity now and in the previous range of equal length; by growth, then quantity, then id.
  Outcome<std::vector<CoffeeReportRow>> Trending(const AnalyticsQuery& q);
  /// Every coffee with sales, by net revenue then id (net sums to the total revenue).
  Outcome<std::vector<CoffeeReportRow>> RevenueByCoffee(const AnalyticsQuery& q);
  /// Coffees with at least 3 visible reviews in the range, best average first.
  Outcome<std::vector<CoffeeRating>> HighestRated(const AnalyticsQuery& q);
  /// Visible reviews in the range per rating 1–5 (index 0 is rating 1).
  Outcome<std::vector<std::int64_t>> RatingDistribution(const AnalyticsQuery& q);
  Outcome<CoffeeRating> RatingAverage(const AnalyticsQuery& q);
  Outcome<std::vector<PeriodRatings>> RatingTrends(const AnalyticsQuery& q);
  /// Per pricing rule, by discount then id. coffee_id is refused (rules are per order).
  Outcome<std::vector<RuleCost>> DiscountCost(const AnalyticsQuery& q);
  Outcome<PrepReport> PrepTime(const AnalyticsQuery& q);
  /// Points held now; the range does not apply.
  Outcome<LoyaltyTotals> LoyaltyOutstanding(const AnalyticsQuery& q);

 private:
  /// 404 when q.coffee_id names no coffee.
  std::optional<AppError> CheckCoffee(Tx& tx, const AnalyticsQuery& q);
  SalesSums SumSales(Tx& tx, domain::Instant from, domain::Instant to, std::int64_t coffee_id);
  std::vector<CoffeeReportRow> SumByCoffee(Tx& tx, domain::Instant from, domain::Instant to);
  /// Sales per coffee in q's range (with each coffee's quantity in the range before when
  /// `with_previous`), named, only q.coffee_id's when set; unsorted. 404 for an unknown coffee.
  Outcome<std::vector<CoffeeReportRow>> CoffeeRows(const AnalyticsQuery& q, bool with_previous);
  /// Sales per local unit (86400: local day number; 3600 with modulo 24: local hour).
  std::map<std::int64_t, SalesSums> SalesByLocalUnit(Tx& tx, const ReportRange& range,
                                                     std::int64_t coffee_id, std::int64_t unit,
                                                     std::int64_t modulo);

  Store& store_;
  const Clock& clock_;
  const date::time_zone* zone_;
};

/// p90 of lateness bins by nearest rank: the smallest late_minutes with at least 90 % of the
/// orders at or below it; nullopt without orders.
std::optional<std::int64_t> P90(const std::map<std::int64_t, std::int64_t>& orders_by_late);

}  // namespace coffee::app
