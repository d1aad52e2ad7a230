#include "app/analytics_service.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace coffee::app {

namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kNoModulo = std::int64_t{1} << 62;

// Every rollup table has every level.
constexpr std::array<RollupLevel, 5> kAllLevels{RollupLevel::kQuarterHour, RollupLevel::kHour,
                                                RollupLevel::kDay, RollupLevel::kBlock,
                                                RollupLevel::kLongBlock};

std::map<std::int64_t, std::string> CoffeeNameMap(Tx& tx) {
  std::map<std::int64_t, std::string> names;
  for (auto& [id, name] : tx.Analytics().CoffeeNames()) names.emplace(id.value, std::move(name));
  return names;
}

std::string NameOf(const std::map<std::int64_t, std::string>& names, std::int64_t id) {
  const auto it = names.find(id);
  return it == names.end() ? std::string() : it->second;
}

SalesTotal TotalOf(const SalesSums& s) {
  SalesTotal t;
  t.orders = s.orders;
  t.revenue = s.net;
  t.discount_total = s.discount;
  if (s.orders > 0) {
    t.average_order_value = domain::Money::FromCents(RoundDiv(s.net.cents(), s.orders));
  }
  return t;
}

/// The same span just before the range.
ReportRange Previous(const ReportRange& r) {
  ReportRange p;
  p.end = r.start;
  p.start = r.start - (r.end - r.start);
  return p;
}

/// Key of a raw slice in a grouped report: the local unit its first instant falls in.
std::int64_t KeyOf(domain::Instant t, std::int64_t offset, std::int64_t unit, std::int64_t modulo) {
  const std::int64_t secs = FloorDiv(t.time_since_epoch().count(), kMicros);
  const std::int64_t k = FloorDiv(secs + offset, unit);
  return ((k % modulo) + modulo) % modulo;
}

}  // namespace

std::optional<std::int64_t> P90(const std::map<std::int64_t, std::int64_t>& orders_by_late) {
  std::int64_t total = 0;
  for (const auto& [late, orders] : orders_by_late) total += orders;
  if (total <= 0) return std::nullopt;
  const std::int64_t rank = (9 * total + 9) / 10;  // ceil(0.9 × total)
  std::int64_t seen = 0;
  for (const auto& [late, orders] : orders_by_late) {
    seen += orders;
    if (seen >= rank) return late;
  }
  return orders_by_late.rbegin()->first;
}

Outcome<AnalyticsQuery> AnalyticsService::Parse(const QueryParams& params) const {
  return ParseAnalyticsQuery(params, clock_.Now(), zone_);
}

std::optional<AppError> AnalyticsService::CheckCoffee(Tx& tx, const AnalyticsQuery& q) {
  if (!q.coffee_id) return std::nullopt;
  if (tx.Coffees().Find(*q.coffee_id)) return std::nullopt;
  return AppError{ErrorCode::kCoffeeNotFound,
                  "Coffee with id " + std::to_string(q.coffee_id->value) + " not found",
                  {},
                  {}};
}

SalesSums AnalyticsService::SumSales(Tx& tx, domain::Instant from, domain::Instant to,
                                     std::int64_t coffee_id) {
  SalesSums total;
  for (const auto& slice : Decompose(from, to, kAllLevels)) {
    total += tx.Analytics().Sales(slice, coffee_id);
  }
  return total;
}

std::vector<CoffeeReportRow> AnalyticsService::SumByCoffee(Tx& tx, domain::Instant from,
                                                           domain::Instant to) {
  std::map<std::int64_t, SalesSums> by_coffee;
  for (const auto& slice : Decompose(from, to, kAllLevels)) {
    for (const auto& row : tx.Analytics().SalesByCoffee(slice)) {
      by_coffee[row.coffee_id.value] += row.sums;
    }
  }
  std::vector<CoffeeReportRow> rows;
  for (const auto& [id, sums] : by_coffee) {
    if (sums.orders == 0 && sums.quantity == 0) continue;  // only zeroed-out rollup rows
    rows.push_back({domain::CoffeeId{id}, std::string(), sums, 0});
  }
  return rows;
}

std::map<std::int64_t, SalesSums> AnalyticsService::SalesByLocalUnit(Tx& tx,
                                                                     const ReportRange& range,
                                                                     std::int64_t coffee_id,
                                                                     std::int64_t unit,
                                                                     std::int64_t modulo) {
  std::map<std::int64_t, SalesSums> out;
  for (const auto& span : OffsetSpans(range.start, range.end, zone_)) {
    const auto levels = GroupableLevels(span.offset_seconds, unit);
    for (const auto& slice : Decompose(span.from, span.to, levels)) {
      if (!slice.level) {
        out[KeyOf(slice.from, span.offset_seconds, unit, modulo)] +=
            tx.Analytics().Sales(slice, coffee_id);
        continue;
      }
      GroupedQuery g;
      g.level = *slice.level;
      g.first = slice.first;
      g.last = slice.last;
      g.coffee_id = coffee_id;
      g.offset_seconds = span.offset_seconds;
      g.unit_seconds = unit;
      g.modulo = modulo;
      for (const auto& row : tx.Analytics().SalesGrouped(g)) out[row.key] += row.sums;
    }
  }
  return out;
}

Outcome<SalesTotal> AnalyticsService::Total(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  SalesSums sums;
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    sums = SumSales(tx, q.range.start, q.range.end, q.coffee_id ? q.coffee_id->value : 0);
  });
  if (error) return *error;
  return TotalOf(sums);
}

Outcome<std::pair<SalesTotal, SalesTotal>> AnalyticsService::Trends(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  SalesSums now;
  SalesSums before;
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    const std::int64_t coffee = q.coffee_id ? q.coffee_id->value : 0;
    const ReportRange prev = Previous(q.range);
    now = SumSales(tx, q.range.start, q.range.end, coffee);
    before = SumSales(tx, prev.start, prev.end, coffee);
  });
  if (error) return *error;
  return std::pair{TotalOf(now), TotalOf(before)};
}

Outcome<std::vector<PeriodSales>> AnalyticsService::ByPeriod(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  std::map<std::int64_t, SalesSums> by_day;
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    by_day = SalesByLocalUnit(tx, q.range, q.coffee_id ? q.coffee_id->value : 0, 86400, kNoModulo);
  });
  if (error) return *error;
  // The local days of the range's first and last instants (offsets as they were then).
  const auto first_spans = OffsetSpans(q.range.start, q.range.end, zone_);
  const std::int64_t first_day = LocalDay(q.range.start, first_spans.front().offset_seconds);
  const domain::Instant last = q.range.end - std::chrono::microseconds{1};
  const std::int64_t last_day = LocalDay(last, first_spans.back().offset_seconds);
  std::vector<PeriodSales> out;
  for (auto& period : PeriodsBetween(first_day, last_day, q.period)) {
    PeriodSales row{std::move(period), {}};
    for (auto it = by_day.lower_bound(row.period.first_day);
         it != by_day.end() && it->first < row.period.end_day; ++it) {
      row.sums += it->second;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Outcome<std::vector<SalesSums>> AnalyticsService::ByHour(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  std::map<std::int64_t, SalesSums> by_hour;
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    by_hour = SalesByLocalUnit(tx, q.range, q.coffee_id ? q.coffee_id->value : 0, 3600, 24);
  });
  if (error) return *error;
  std::vector<SalesSums> out(24);
  for (const auto& [hour, sums] : by_hour) {
    if (hour >= 0 && hour < 24) out[static_cast<std::size_t>(hour)] += sums;
  }
  return out;
}

Outcome<std::vector<CoffeeReportRow>> AnalyticsService::CoffeeRows(const AnalyticsQuery& q,
                                                                   bool with_previous) {
  std::optional<AppError> error;
  std::map<std::int64_t, CoffeeReportRow> by_id;
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    for (auto& row : SumByCoffee(tx, q.range.start, q.range.end)) {
      by_id[row.coffee_id.value] = std::move(row);
    }
    if (with_previous) {
      const ReportRange prev = Previous(q.range);
      for (const auto& row : SumByCoffee(tx, prev.start, prev.end)) {
        auto& entry = by_id[row.coffee_id.value];
        entry.coffee_id = row.coffee_id;
        entry.previous_quantity = row.sums.quantity;
      }
    }
    const auto names = CoffeeNameMap(tx);
    for (auto& [id, row] : by_id) row.coffee_name = NameOf(names, id);
  });
  if (error) return *error;
  std::vector<CoffeeReportRow> rows;
  for (auto& [id, row] : by_id) {
    if (q.coffee_id && row.coffee_id != *q.coffee_id) continue;
    rows.push_back(std::move(row));
  }
  return rows;
}

Outcome<std::vector<CoffeeReportRow>> AnalyticsService::MostOrdered(const AnalyticsQuery& q) {
  auto rows = CoffeeRows(q, false);
  if (!rows) return rows;
  std::sort(rows->begin(), rows->end(), [](const auto& a, const auto& b) {
    if (a.sums.quantity != b.sums.quantity) return a.sums.quantity > b.sums.quantity;
    if (a.sums.orders != b.sums.orders) return a.sums.orders > b.sums.orders;
    return a.coffee_id < b.coffee_id;
  });
  if (rows->size() > static_cast<std::size_t>(q.limit)) {
    rows->resize(static_cast<std::size_t>(q.limit));
  }
  return rows;
}

Outcome<std::vector<CoffeeReportRow>> AnalyticsService::Trending(const AnalyticsQuery& q) {
  auto rows = CoffeeRows(q, true);
  if (!rows) return rows;
  std::sort(rows->begin(), rows->end(), [](const auto& a, const auto& b) {
    const auto growth_a = a.sums.quantity - a.previous_quantity;
    const auto growth_b = b.sums.quantity - b.previous_quantity;
    if (growth_a != growth_b) return growth_a > growth_b;
    if (a.sums.quantity != b.sums.quantity) return a.sums.quantity > b.sums.quantity;
    return a.coffee_id < b.coffee_id;
  });
  if (rows->size() > static_cast<std::size_t>(q.limit)) {
    rows->resize(static_cast<std::size_t>(q.limit));
  }
  return rows;
}

Outcome<std::vector<CoffeeReportRow>> AnalyticsService::RevenueByCoffee(const AnalyticsQuery& q) {
  auto rows = CoffeeRows(q, false);
  if (!rows) return rows;
  std::sort(rows->begin(), rows->end(), [](const auto& a, const auto& b) {
    if (a.sums.net != b.sums.net) return a.sums.net > b.sums.net;
    return a.coffee_id < b.coffee_id;
  });
  return rows;
}

Outcome<std::vector<CoffeeRating>> AnalyticsService::HighestRated(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  std::map<std::int64_t, CoffeeRating> by_id;
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    for (const auto& slice : Decompose(q.range.start, q.range.end, kAllLevels)) {
      for (const auto& c : tx.Analytics().Ratings(slice)) {
        if (c.coffee_id == 0) continue;
        auto& entry = by_id[c.coffee_id];
        entry.coffee_id = domain::CoffeeId{c.coffee_id};
        entry.rating_sum += c.rating * c.reviews;
        entry.review_count += c.reviews;
      }
    }
    const auto names = CoffeeNameMap(tx);
    for (auto& [id, row] : by_id) row.coffee_name = NameOf(names, id);
  });
  if (error) return *error;
  std::vector<CoffeeRating> rows;
  for (auto& [id, row] : by_id) {
    if (row.review_count < 3) continue;
    if (q.coffee_id && row.coffee_id != *q.coffee_id) continue;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    // Exact comparison of the averages: sum_a / n_a > sum_b / n_b.
    const auto lhs = a.rating_sum * b.review_count;
    const auto rhs = b.rating_sum * a.review_count;
    if (lhs != rhs) return lhs > rhs;
    if (a.review_count != b.review_count) return a.review_count > b.review_count;
    return a.coffee_id < b.coffee_id;
  });
  if (rows.size() > static_cast<std::size_t>(q.limit)) {
    rows.resize(static_cast<std::size_t>(q.limit));
  }
  return rows;
}

Outcome<std::vector<std::int64_t>> AnalyticsService::RatingDistribution(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  std::vector<std::int64_t> counts(5, 0);
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    const std::int64_t coffee = q.coffee_id ? q.coffee_id->value : 0;
    for (const auto& slice : Decompose(q.range.start, q.range.end, kAllLevels)) {
      for (const auto& c : tx.Analytics().Ratings(slice)) {
        if (c.coffee_id != coffee || c.rating < 1 || c.rating > 5) continue;
        counts[static_cast<std::size_t>(c.rating - 1)] += c.reviews;
      }
    }
  });
  if (error) return *error;
  return counts;
}

Outcome<CoffeeRating> AnalyticsService::RatingAverage(const AnalyticsQuery& q) {
  auto counts = RatingDistribution(q);
  if (!counts) return counts.error();
  CoffeeRating out;
  if (q.coffee_id) out.coffee_id = *q.coffee_id;
  for (std::size_t i = 0; i < counts->size(); ++i) {
    out.review_count += (*counts)[i];
    out.rating_sum += static_cast<std::int64_t>(i + 1) * (*counts)[i];
  }
  return out;
}

Outcome<std::vector<PeriodRatings>> AnalyticsService::RatingTrends(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> by_day;  // sum, count
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    const std::int64_t coffee = q.coffee_id ? q.coffee_id->value : 0;
    for (const auto& span : OffsetSpans(q.range.start, q.range.end, zone_)) {
      const auto levels = GroupableLevels(span.offset_seconds, 86400);
      for (const auto& slice : Decompose(span.from, span.to, levels)) {
        if (!slice.level) {
          const auto key = KeyOf(slice.from, span.offset_seconds, 86400, kNoModulo);
          for (const auto& c : tx.Analytics().Ratings(slice)) {
            if (c.coffee_id != coffee) continue;
            by_day[key].first += c.rating * c.reviews;
            by_day[key].second += c.reviews;
          }
          continue;
        }
        GroupedQuery g;
        g.level = *slice.level;
        g.first = slice.first;
        g.last = slice.last;
        g.coffee_id = coffee;
        g.offset_seconds = span.offset_seconds;
        g.unit_seconds = 86400;
        g.modulo = kNoModulo;
        for (const auto& row : tx.Analytics().RatingsGrouped(g)) {
          by_day[row.key].first += row.rating * row.reviews;
          by_day[row.key].second += row.reviews;
        }
      }
    }
  });
  if (error) return *error;
  const auto spans = OffsetSpans(q.range.start, q.range.end, zone_);
  const std::int64_t first_day = LocalDay(q.range.start, spans.front().offset_seconds);
  const std::int64_t last_day =
      LocalDay(q.range.end - std::chrono::microseconds{1}, spans.back().offset_seconds);
  std::vector<PeriodRatings> out;
  for (auto& period : PeriodsBetween(first_day, last_day, q.period)) {
    PeriodRatings row{std::move(period), 0, 0};
    for (auto it = by_day.lower_bound(row.period.first_day);
         it != by_day.end() && it->first < row.period.end_day; ++it) {
      row.rating_sum += it->second.first;
      row.review_count += it->second.second;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Outcome<std::vector<RuleCost>> AnalyticsService::DiscountCost(const AnalyticsQuery& q) {
  if (q.coffee_id) {
    return AppError::Validation("coffee_id",
                                "is not supported by this report (discounts are per order)");
  }
  std::map<std::int64_t, RuleCost> by_rule;
  store_.Read([&](Tx& tx) {
    for (const auto& slice : Decompose(q.range.start, q.range.end, kAllLevels)) {
      for (const auto& d : tx.Analytics().RuleDiscounts(slice)) {
        auto& entry = by_rule[d.rule_id.value];
        entry.sums.rule_id = d.rule_id;
        entry.sums.orders += d.orders;
        entry.sums.discount += d.discount;
        entry.sums.capped_orders += d.capped_orders;
      }
    }
    for (auto& [id, description] : tx.Analytics().RuleDescriptions()) {
      if (auto it = by_rule.find(id.value); it != by_rule.end()) {
        it->second.description = std::move(description);
      }
    }
  });
  std::vector<RuleCost> rows;
  for (auto& [id, row] : by_rule) {
    if (row.sums.orders == 0) continue;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.sums.discount != b.sums.discount) return a.sums.discount > b.sums.discount;
    return a.sums.rule_id < b.sums.rule_id;
  });
  return rows;
}

Outcome<PrepReport> AnalyticsService::PrepTime(const AnalyticsQuery& q) {
  std::optional<AppError> error;
  PrepReport report;
  std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> bins;  // coffee → late → orders
  store_.Read([&](Tx& tx) {
    error = CheckCoffee(tx, q);
    if (error) return;
    const auto whole = SumSales(tx, q.range.start, q.range.end, 0);
    report.overall.orders = whole.timed_orders;
    report.overall.quoted_minutes = whole.quoted_minutes;
    report.overall.actual_seconds = whole.actual_seconds;
    const auto names = CoffeeNameMap(tx);
    for (const auto& row : SumByCoffee(tx, q.range.start, q.range.end)) {
      if (row.sums.timed_orders == 0) continue;
      if (q.coffee_id && row.coffee_id != *q.coffee_id) continue;
      CoffeePrepAccuracy c;
      c.coffee_id = row.coffee_id;
      c.coffee_name = NameOf(names, row.coffee_id.value);
      c.accuracy.orders = row.sums.timed_orders;
      c.accuracy.quoted_minutes = row.sums.quoted_minutes;
      c.accuracy.actual_seconds = row.sums.actual_seconds;
      report.coffees.push_back(std::move(c));
    }
    for (const auto& slice : Decompose(q.range.start, q.range.end, kAllLevels)) {
      for (const auto& bin : tx.Analytics().PrepBins(slice)) {
        bins[bin.coffee_id][bin.late_minutes] += bin.orders;
      }
    }
    const auto by_hour = SalesByLocalUnit(tx, q.range, 0, 3600, 24);
    report.hours.resize(24);
    for (const auto& [hour, sums] : by_hour) {
      if (hour < 0 || hour >= 24) continue;
      auto& h = report.hours[static_cast<std::size_t>(hour)];
      h.orders += sums.timed_orders;
      h.quoted_minutes += sums.quoted_minutes;
      h.actual_seconds += sums.actual_seconds;
    }
  });
  if (error) return *error;
  report.overall.p90_late_minutes = P90(bins[0]);
  for (auto& c : report.coffees) c.accuracy.p90_late_minutes = P90(bins[c.coffee_id.value]);
  std::sort(report.coffees.begin(), report.coffees.end(),
            [](const auto& a, const auto& b) { return a.coffee_id < b.coffee_id; });
  return report;
}

Outcome<LoyaltyTotals> AnalyticsService::LoyaltyOutstanding(const AnalyticsQuery& q) {
  if (q.coffee_id) {
    return AppError::Validation("coffee_id", "is not supported by this report");
  }
  LoyaltyTotals totals;
  store_.Read([&](Tx& tx) { totals = tx.Analytics().Loyalty(); });
  return totals;
}

}  // namespace coffee::app
