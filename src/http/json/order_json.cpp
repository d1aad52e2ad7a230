#include "http/json/mappers.hpp"

namespace coffee::http::json {

namespace bj = boost::json;

namespace {

bj::array AppliedJson(const std::vector<app::AppliedRule>& applied) {
  bj::array out;
  for (const auto& r : applied) {
    out.push_back(bj::object{{"rule_id", r.rule_id.value},
                             {"description", r.description},
                             {"discount", r.discount.ToString()}});
  }
  return out;
}

bj::object LineJson(const app::OrderLine& line) {
  bj::object o;
  if (line.id != 0) o["id"] = line.id;  // quotes have no stored lines
  for (auto& kv : bj::object{{"coffee_item_id", line.coffee_id.value},
                             {"coffee_name", line.coffee_name},
                             {"quantity", line.quantity},
                             {"price_snapshot", line.price_snapshot.ToString()},
                             {"subtotal", line.subtotal.ToString()},
                             {"discount", line.discount.ToString()},
                             {"final", line.final_amount.ToString()}}) {
    o[kv.key()] = kv.value();
  }
  return o;
}

}  // namespace

bj::object OrderJson(const app::Order& order) {
  bj::array items;
  for (const auto& line : order.items) items.push_back(LineJson(line));
  return bj::object{{"id", order.id.str()},
                    {"user_id", order.user_id.value},
                    {"status", domain::ToString(order.status)},
                    {"payment_status", domain::ToString(order.payment_status)},
                    {"base_price", order.base_price.ToString()},
                    {"discount_total", order.discount_total.ToString()},
                    {"total_price", order.total_price.ToString()},
                    {"applied_rules", AppliedJson(order.applied_rules)},
                    {"pricing_strategy", domain::ToString(order.pricing_strategy)},
                    {"pricing_combination", order.pricing_combination},
                    {"prep_work_minutes", order.prep_work_minutes},
                    {"estimated_prep_minutes", order.estimated_prep_minutes},
                    {"estimated_ready_at", domain::FormatTimestamp(order.estimated_ready_at)},
                    {"loyalty_points_awarded", order.loyalty_points_awarded},
                    {"items", std::move(items)},
                    {"created_at", domain::FormatTimestamp(order.created_at)},
                    {"updated_at", domain::FormatTimestamp(order.updated_at)}};
}

bj::array WarningsJson(const std::vector<rules::RuleWarning>& warnings) {
  bj::array out;
  for (const auto& w : warnings) {
    bj::object o{
        {"code", rules::ToString(w.code)}, {"rule_id", w.rule_id.value}, {"message", w.message}};
    if (w.other_rule_id) o["other_rule_id"] = w.other_rule_id->value;
    if (w.coffee_id) o["coffee_id"] = w.coffee_id->value;
    out.push_back(std::move(o));
  }
  return out;
}

bj::object QuoteJson(const app::OrderDecision& d) {
  std::vector<app::AppliedRule> applied;
  for (const auto& r : d.pricing.applied) applied.push_back({r.rule_id, r.description, r.discount});
  bj::array items;
  for (const auto& line : d.lines) items.push_back(LineJson(line));
  bj::array not_applied;
  for (const auto& n : d.pricing.not_applied) {
    not_applied.push_back(
        bj::object{{"rule_id", n.rule_id.value}, {"reason", n.code()}, {"message", n.message()}});
  }
  return bj::object{
      {"available", true},
      {"base_price", d.pricing.base_price.ToString()},
      {"discount_total", d.pricing.discount_total.ToString()},
      {"total_price", d.pricing.final_price.ToString()},
      {"applied_rules", AppliedJson(applied)},
      {"not_applied", std::move(not_applied)},
      {"pricing_strategy", domain::ToString(d.pricing.strategy)},
      {"pricing_combination", d.pricing.Chosen()},
      {"prep_work_minutes", d.prep.work_minutes},
      {"queue_delay_minutes", d.prep.queue_delay_minutes},
      {"estimated_prep_minutes", d.prep.total_minutes},
      {"items", std::move(items)},
      {"promo_code", d.promo_code.empty() ? bj::value(nullptr) : bj::value(d.promo_code)},
      {"warnings", WarningsJson(d.warnings)},
      {"quoted_at", domain::FormatTimestamp(d.at)}};
}

bj::object LoyaltyJson(const app::LoyaltySummary& s) {
  bj::array tx;
  for (const auto& t : s.transactions) {
    tx.push_back(bj::object{{"id", t.id},
                            {"order_id", t.order_id ? bj::value(t.order_id->str()) : nullptr},
                            {"kind", t.kind},
                            {"points", t.points},
                            {"unrecovered_points", t.unrecovered_points},
                            {"created_at", domain::FormatTimestamp(t.created_at)}});
  }
  return bj::object{{"points_balance", s.account.points_balance},
                    {"lifetime_points", s.account.lifetime_points},
                    {"transactions", std::move(tx)}};
}

}  // namespace coffee::http::json
