#include <boost/json.hpp>
#include <optional>
#include <string>

#include "app/analytics_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http {

namespace bj = boost::json;

namespace {

constexpr std::string_view kBase = "/api/v1/admin/analytics";

/// A number with two decimals from hundredths (467 → 4.67).
bj::value Hundredths(std::int64_t hundredths) { return static_cast<double>(hundredths) / 100.0; }

/// sum / count with two decimals, half away from zero; null when count is 0.
bj::value Mean(std::int64_t sum, std::int64_t count) {
  if (count <= 0) return nullptr;
  return Hundredths(app::RoundDiv(sum * 100, count));
}

/// (now − before) / before in percent with two decimals; null when before is 0.
bj::value ChangePercent(std::int64_t now, std::int64_t before) {
  if (before == 0) return nullptr;
  return Hundredths(app::RoundDiv((now - before) * 10000, before));
}

bj::object TotalJson(const app::SalesTotal& t) {
  return bj::object{{"orders", t.orders},
                    {"revenue", t.revenue.ToString()},
                    {"average_order_value", t.average_order_value.ToString()},
                    {"discount_total", t.discount_total.ToString()}};
}

/// Adds {orders, mean_quoted, mean_actual, mean_late} (minutes, two decimals) to `o`.
bj::object AccuracyJson(bj::object o, const app::PrepAccuracy& a) {
  o["orders"] = a.orders;
  o["mean_quoted"] = Mean(a.quoted_minutes, a.orders);
  o["mean_actual"] = Mean(a.actual_seconds, a.orders * 60);
  o["mean_late"] = Mean(a.actual_seconds - 60 * a.quoted_minutes, a.orders * 60);
  return o;
}

bj::value P90Json(const std::optional<std::int64_t>& p90) {
  if (!p90) return nullptr;
  return *p90;
}

/// A GET report: parse the common parameters, run `report`, serialize with `to_json`.
template <typename Report, typename ToJson>
void AddReport(Router& router, app::AnalyticsService& analytics, std::string_view path,
               Report report, ToJson to_json) {
  router.Add(Method::kGet, std::string(kBase) + std::string(path), Access::kAdmin, Exec::kWorker,
             [&analytics, report, to_json](Request& req) {
               auto query = analytics.Parse(req.query);
               if (!query) return json::ErrorResponse(query.error());
               auto result = (analytics.*report)(*query);
               if (!result) return json::ErrorResponse(result.error());
               return json::JsonResponse(200, to_json(*query, *result));
             });
}

}  // namespace

void AddAnalyticsRoutes(Router& router, app::AnalyticsService& analytics) {
  using S = app::AnalyticsService;
  using Q = app::AnalyticsQuery;
  AddReport(router, analytics, "/sales/total", &S::Total,
            [](const Q& q, const app::SalesTotal& t) -> bj::value {
              auto o = TotalJson(t);
              o["start_date"] = q.range.start_label;
              o["end_date"] = q.range.end_label;
              return o;
            });
  AddReport(router, analytics, "/sales/trends", &S::Trends,
            [](const Q& q, const std::pair<app::SalesTotal, app::SalesTotal>& t) -> bj::value {
              const auto& [now, before] = t;
              auto o = TotalJson(now);
              o["previous_orders"] = before.orders;
              o["previous_revenue"] = before.revenue.ToString();
              o["previous_average_order_value"] = before.average_order_value.ToString();
              o["orders_change_percent"] = ChangePercent(now.orders, before.orders);
              o["revenue_change_percent"] =
                  ChangePercent(now.revenue.cents(), before.revenue.cents());
              o["start_date"] = q.range.start_label;
              o["end_date"] = q.range.end_label;
              return o;
            });
  AddReport(router, analytics, "/sales/by-period", &S::ByPeriod,
            [](const Q&, const std::vector<app::PeriodSales>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{{"period", r.period.label},
                                         {"start_date", r.period.start_date},
                                         {"orders", r.sums.orders},
                                         {"revenue", r.sums.net.ToString()},
                                         {"discount_total", r.sums.discount.ToString()}});
              }
              return out;
            });
  AddReport(router, analytics, "/sales/by-hour", &S::ByHour,
            [](const Q&, const std::vector<app::SalesSums>& hours) -> bj::value {
              bj::array out;
              for (std::size_t h = 0; h < hours.size(); ++h) {
                out.push_back(bj::object{{"hour", static_cast<std::int64_t>(h)},
                                         {"orders", hours[h].orders},
                                         {"revenue", hours[h].net.ToString()}});
              }
              return out;
            });
  AddReport(router, analytics, "/coffees/most-ordered", &S::MostOrdered,
            [](const Q&, const std::vector<app::CoffeeReportRow>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{{"coffee_id", r.coffee_id.value},
                                         {"coffee_name", r.coffee_name},
                                         {"quantity", r.sums.quantity},
                                         {"orders", r.sums.orders},
                                         {"revenue", r.sums.net.ToString()}});
              }
              return out;
            });
  AddReport(router, analytics, "/coffees/highest-rated", &S::HighestRated,
            [](const Q&, const std::vector<app::CoffeeRating>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{{"coffee_id", r.coffee_id.value},
                                         {"coffee_name", r.coffee_name},
                                         {"average_rating", Mean(r.rating_sum, r.review_count)},
                                         {"review_count", r.review_count}});
              }
              return out;
            });
  AddReport(router, analytics, "/coffees/trending", &S::Trending,
            [](const Q&, const std::vector<app::CoffeeReportRow>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{
                    {"coffee_id", r.coffee_id.value},
                    {"coffee_name", r.coffee_name},
                    {"quantity", r.sums.quantity},
                    {"previous_quantity", r.previous_quantity},
                    {"change_percent", ChangePercent(r.sums.quantity, r.previous_quantity)}});
              }
              return out;
            });
  AddReport(router, analytics, "/revenue/by-coffee", &S::RevenueByCoffee,
            [](const Q&, const std::vector<app::CoffeeReportRow>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{{"coffee_id", r.coffee_id.value},
                                         {"coffee_name", r.coffee_name},
                                         {"gross", r.sums.gross.ToString()},
                                         {"discount", r.sums.discount.ToString()},
                                         {"net", r.sums.net.ToString()}});
              }
              return out;
            });
  AddReport(router, analytics, "/ratings/distribution", &S::RatingDistribution,
            [](const Q&, const std::vector<std::int64_t>& counts) -> bj::value {
              bj::array out;
              for (std::size_t i = 0; i < counts.size(); ++i) {
                out.push_back(
                    bj::object{{"rating", static_cast<std::int64_t>(i + 1)}, {"count", counts[i]}});
              }
              return out;
            });
  AddReport(router, analytics, "/ratings/average", &S::RatingAverage,
            [](const Q&, const app::CoffeeRating& r) -> bj::value {
              return bj::object{{"average_rating", Mean(r.rating_sum, r.review_count)},
                                {"review_count", r.review_count}};
            });
  AddReport(router, analytics, "/ratings/trends", &S::RatingTrends,
            [](const Q&, const std::vector<app::PeriodRatings>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{{"period", r.period.label},
                                         {"start_date", r.period.start_date},
                                         {"average_rating", Mean(r.rating_sum, r.review_count)},
                                         {"review_count", r.review_count}});
              }
              return out;
            });
  AddReport(router, analytics, "/rules/discount-cost", &S::DiscountCost,
            [](const Q&, const std::vector<app::RuleCost>& rows) -> bj::value {
              bj::array out;
              for (const auto& r : rows) {
                out.push_back(bj::object{{"rule_id", r.sums.rule_id.value},
                                         {"description", r.description},
                                         {"orders", r.sums.orders},
                                         {"discount_total", r.sums.discount.ToString()},
                                         {"capped_orders", r.sums.capped_orders}});
              }
              return out;
            });
  AddReport(router, analytics, "/prep-time/accuracy", &S::PrepTime,
            [](const Q&, const app::PrepReport& report) -> bj::value {
              auto overall = AccuracyJson({}, report.overall);
              overall["p90_late_minutes"] = P90Json(report.overall.p90_late_minutes);
              bj::array coffees;
              for (const auto& c : report.coffees) {
                auto o = AccuracyJson(
                    bj::object{{"coffee_id", c.coffee_id.value}, {"coffee_name", c.coffee_name}},
                    c.accuracy);
                o["p90_late_minutes"] = P90Json(c.accuracy.p90_late_minutes);
                coffees.push_back(std::move(o));
              }
              bj::array hours;
              for (std::size_t h = 0; h < report.hours.size(); ++h) {
                hours.push_back(AccuracyJson(bj::object{{"hour", static_cast<std::int64_t>(h)}},
                                             report.hours[h]));
              }
              return bj::object{{"overall", std::move(overall)},
                                {"coffees", std::move(coffees)},
                                {"hours", std::move(hours)}};
            });
  AddReport(router, analytics, "/loyalty/outstanding", &S::LoyaltyOutstanding,
            [](const Q&, const app::LoyaltyTotals& t) -> bj::value {
              return bj::object{{"customers", t.customers},
                                {"points_balance_total", t.points_balance},
                                {"lifetime_points_total", t.lifetime_points}};
            });
}

}  // namespace coffee::http
