#include "app/rule_set_document.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <map>
#include <span>
#include <stdexcept>
#include <utility>

#include "app/rules_json.hpp"

namespace coffee::app {

namespace json = boost::json;

namespace {

/// A malformed document; caught at the top of ParseRuleSet.
class BadDocument : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const json::value& Field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) throw BadDocument(std::string(key));
  return *v;
}

const json::object& Object(const json::value& v) {
  if (!v.is_object()) throw BadDocument("object expected");
  return v.get_object();
}

const json::array& Array(const json::value& v) {
  if (!v.is_array()) throw BadDocument("array expected");
  return v.get_array();
}

std::int64_t Int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  throw BadDocument("integer expected");
}

std::string Text(const json::value& v) {
  if (!v.is_string()) throw BadDocument("string expected");
  return std::string(v.get_string());
}

std::optional<std::string> OptText(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return Text(v);
}

domain::Instant Time(const json::value& v) {
  if (v.is_null()) return {};
  auto t = domain::ParseTimestamp(Text(v));
  if (!t) throw BadDocument("timestamp expected");
  return *t;
}

std::optional<domain::TimeOfDay> OptTimeOfDay(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  auto t = domain::TimeOfDay::Parse(Text(v));
  if (!t) throw BadDocument("HH:MM expected");
  return t;
}

template <int kDecimals>
domain::Fixed<kDecimals> Decimal(const json::value& v) {
  using F = domain::Fixed<kDecimals>;
  if (v.is_int64() || v.is_uint64()) return F{Int(v) * F::kScale};
  if (v.is_double()) {
    if (auto f = F::FromDouble(v.get_double())) return *f;
  }
  throw BadDocument("decimal expected");
}

template <typename T, typename Parse>
T Enum(const json::value& v, Parse parse) {
  auto e = parse(Text(v));
  if (!e) throw BadDocument("unknown enum value");
  return *e;
}

domain::Availability ReadAvailability(const json::object& o) {
  domain::Availability a;
  a.coffee_id = domain::CoffeeId{Int(Field(o, "coffee_id"))};
  a.status = Enum<domain::AvailabilityStatus>(Field(o, "status"), domain::ParseAvailabilityStatus);
  a.reason = OptText(Field(o, "reason"));
  a.available_from = OptTimeOfDay(Field(o, "available_from"));
  a.available_until = OptTimeOfDay(Field(o, "available_until"));
  a.updated_at = Time(Field(o, "updated_at"));
  return a;
}

domain::PricingRule ReadRule(const json::object& o) {
  domain::PricingRule r;
  r.id = domain::RuleId{Int(Field(o, "id"))};
  r.rule_type = Enum<domain::RuleType>(Field(o, "rule_type"), domain::ParseRuleType);
  r.description = Text(Field(o, "description"));
  r.discount_type =
      Enum<domain::DiscountType>(Field(o, "discount_type"), domain::ParseDiscountType);
  r.discount_value = Decimal<2>(Field(o, "discount_value"));
  r.priority = static_cast<int>(Int(Field(o, "priority")));
  const auto& active = Field(o, "is_active");
  if (!active.is_bool()) throw BadDocument("is_active");
  r.is_active = active.get_bool();
  r.valid_from = Time(Field(o, "valid_from"));
  if (const auto& until = Field(o, "valid_until"); !until.is_null()) r.valid_until = Time(until);
  if (const auto& ids = Field(o, "coffee_ids"); !ids.is_null()) {
    r.coffee_ids.emplace();
    for (const auto& id : Array(ids)) r.coffee_ids->push_back(domain::CoffeeId{Int(id)});
  }
  for (const auto& range : Array(Field(o, "time_ranges"))) {
    const auto& ro = Object(range);
    r.time_ranges.push_back({*OptTimeOfDay(Field(ro, "start")), *OptTimeOfDay(Field(ro, "end"))});
  }
  for (const auto& day : Array(Field(o, "days_of_week"))) {
    r.days_of_week.push_back(static_cast<int>(Int(day)));
  }
  if (const auto& q = Field(o, "min_quantity"); !q.is_null()) {
    r.min_quantity = static_cast<int>(Int(q));
  }
  // Absent from documents stored before usage limits (migration 0008): null.
  if (const auto* code = o.if_contains("promo_code")) r.promo_code = OptText(*code);
  if (const auto* v = o.if_contains("max_uses"); v != nullptr && !v->is_null()) {
    r.max_uses = Int(*v);
  }
  if (const auto* v = o.if_contains("max_uses_per_customer"); v != nullptr && !v->is_null()) {
    r.max_uses_per_customer = Int(*v);
  }
  r.created_at = Time(Field(o, "created_at"));
  r.updated_at = Time(Field(o, "updated_at"));
  return r;
}

RulesData Read(const json::object& doc) {
  RulesData data;
  for (const auto& row : Array(Field(doc, "availability"))) {
    data.availability.push_back(ReadAvailability(Object(row)));
  }
  for (const auto& row : Array(Field(doc, "pricing_rules"))) {
    data.pricing_rules.push_back(ReadRule(Object(row)));
  }
  const auto& pricing = Object(Field(doc, "pricing_settings"));
  data.pricing_settings.combination_strategy = Enum<domain::CombinationStrategy>(
      Field(pricing, "combination_strategy"), domain::ParseCombinationStrategy);
  data.pricing_settings.max_discount_percent = Decimal<2>(Field(pricing, "max_discount_percent"));
  data.pricing_settings.updated_at = Time(Field(pricing, "updated_at"));
  const auto& prep = Object(Field(doc, "prep_time_settings"));
  data.prep_time_settings.default_base_minutes =
      static_cast<int>(Int(Field(prep, "default_base_minutes")));
  data.prep_time_settings.default_per_additional_item =
      static_cast<int>(Int(Field(prep, "default_per_additional_item")));
  data.prep_time_settings.baristas = static_cast<int>(Int(Field(prep, "baristas")));
  data.prep_time_settings.updated_at = Time(Field(prep, "updated_at"));
  for (const auto& row : Array(Field(doc, "prep_times"))) {
    const auto& o = Object(row);
    domain::PrepTimeConfig c;
    c.coffee_id = domain::CoffeeId{Int(Field(o, "coffee_id"))};
    c.base_minutes = static_cast<int>(Int(Field(o, "base_minutes")));
    c.per_additional_item = static_cast<int>(Int(Field(o, "per_additional_item")));
    c.updated_at = Time(Field(o, "updated_at"));
    data.prep_times.push_back(c);
  }
  const auto& loyalty = Object(Field(doc, "loyalty_config"));
  data.loyalty.points_per_dollar = Decimal<4>(Field(loyalty, "points_per_dollar"));
  for (const auto& [key, value] : Object(Field(loyalty, "bonus_multipliers"))) {
    std::int64_t id = 0;
    try {
      id = std::stoll(std::string(key));
    } catch (const std::exception&) {
      throw BadDocument("bonus_multipliers key");
    }
    data.loyalty.bonus_multipliers[domain::CoffeeId{id}] = Decimal<4>(value);
  }
  data.loyalty.updated_at = Time(Field(loyalty, "updated_at"));
  return data;
}

/// The value without its created_at / updated_at keys (what a diff compares).
json::value WithoutTimes(const json::value& v) {
  if (!v.is_object()) return v;
  json::object o = v.get_object();
  o.erase("created_at");
  o.erase("updated_at");
  return o;
}

/// Rule fields added after the first documents were stored; an older document has none of
/// them, which means null.
constexpr std::array<std::string_view, 3> kLaterRuleFields = {"promo_code", "max_uses",
                                                              "max_uses_per_customer"};

/// Rows of one array of the document, keyed by `key`; `later_fields` missing from a row are
/// compared as null.
std::map<std::int64_t, json::value> Keyed(const json::object& doc, std::string_view array,
                                          std::string_view key,
                                          std::span<const std::string_view> later_fields = {}) {
  std::map<std::int64_t, json::value> rows;
  const auto* a = doc.if_contains(array);
  if (a == nullptr || !a->is_array()) return rows;
  for (const auto& row : a->get_array()) {
    if (!row.is_object()) continue;
    const auto* id = row.get_object().if_contains(key);
    if (id == nullptr || !id->is_int64()) continue;
    json::value kept = WithoutTimes(row);
    for (const auto field : later_fields) {
      if (!kept.get_object().contains(field)) kept.get_object()[field] = nullptr;
    }
    rows.emplace(id->get_int64(), std::move(kept));
  }
  return rows;
}

void DiffSingleton(const json::object& from, const json::object& to, std::string_view key,
                   std::vector<RuleSetDifference>& out) {
  const auto* a = from.if_contains(key);
  const auto* b = to.if_contains(key);
  const json::value before = a ? WithoutTimes(*a) : json::value(nullptr);
  const json::value after = b ? WithoutTimes(*b) : json::value(nullptr);
  if (before != after) out.push_back({std::string(key), "", "changed", before, after});
}

void DiffRows(const json::object& from, const json::object& to, std::string_view array,
              std::string_view key, std::string_view entity, std::vector<RuleSetDifference>& out,
              std::span<const std::string_view> later_fields = {}) {
  const auto before = Keyed(from, array, key, later_fields);
  const auto after = Keyed(to, array, key, later_fields);
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      out.push_back({std::string(entity), std::to_string(b->first), "removed", b->second, nullptr});
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      out.push_back({std::string(entity), std::to_string(a->first), "added", nullptr, a->second});
      ++a;
    } else {
      if (b->second != a->second) {
        out.push_back(
            {std::string(entity), std::to_string(a->first), "changed", b->second, a->second});
      }
      ++a;
      ++b;
    }
  }
}

}  // namespace

json::object RuleSetJson(const RulesData& data) {
  json::array availability;
  for (const auto& row : data.availability) {
    auto o = AvailabilityJson(AvailabilityView{row, true, true});
    o.erase("available_now");
    availability.push_back(std::move(o));
  }
  json::array rules;
  for (const auto& rule : data.pricing_rules) {
    auto o = PricingRuleJson(rule);
    o.erase("requires_promo_code");  // derived from promo_code
    rules.push_back(std::move(o));
  }
  json::array prep_times;
  for (const auto& row : data.prep_times) {
    auto o = PrepTimeJson(PrepTimeView{row, false});
    o.erase("is_default");
    prep_times.push_back(std::move(o));
  }
  return json::object{{"availability", std::move(availability)},
                      {"pricing_rules", std::move(rules)},
                      {"pricing_settings", PricingSettingsJson(data.pricing_settings)},
                      {"prep_time_settings", PrepTimeSettingsJson(data.prep_time_settings)},
                      {"prep_times", std::move(prep_times)},
                      {"loyalty_config", LoyaltyConfigJson(data.loyalty)}};
}

std::optional<RulesData> ParseRuleSet(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  try {
    return Read(doc.get_object());
  } catch (const BadDocument&) {
    return std::nullopt;
  }
}

std::vector<RuleSetDifference> DiffRuleSets(const json::object& from, const json::object& to) {
  std::vector<RuleSetDifference> out;
  DiffSingleton(from, to, "pricing_settings", out);
  DiffSingleton(from, to, "prep_time_settings", out);
  DiffSingleton(from, to, "loyalty_config", out);
  DiffRows(from, to, "availability", "coffee_id", "availability", out);
  DiffRows(from, to, "pricing_rules", "id", "pricing_rule", out, kLaterRuleFields);
  DiffRows(from, to, "prep_times", "coffee_id", "prep_time", out);
  return out;
}

bool SameRuleSet(const json::object& a, const json::object& b) {
  return DiffRuleSets(a, b).empty();
}

}  // namespace coffee::app
