#include "storage/sqlite/json_columns.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <limits>

namespace coffee::storage::sqlite {

namespace json = boost::json;

namespace {

std::optional<json::value> Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return std::nullopt;
  return value;
}

std::optional<std::int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() &&
      v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

std::optional<domain::TimeOfDay> AsTimeOfDay(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const auto& s = v->get_string();
  return domain::TimeOfDay::Parse(std::string_view(s.data(), s.size()));
}

/// 2.0000 → "2.0", 1.2500 → "1.25": the shortest text with at least one decimal.
std::string ShortDecimal(domain::Fixed4 value) {
  std::string text = value.ToString();
  while (text.size() > 2 && text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
  return text;
}

}  // namespace

bool IsValidJson(std::string_view text) { return Parse(text).has_value(); }

std::string EncodeCoffeeIds(const std::vector<domain::CoffeeId>& ids) {
  json::array a;
  for (const auto id : ids) a.emplace_back(id.value);
  return json::serialize(a);
}

std::optional<std::vector<domain::CoffeeId>> DecodeCoffeeIds(std::string_view text) {
  auto value = Parse(text);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<domain::CoffeeId> ids;
  for (const auto& v : value->get_array()) {
    const auto id = AsInteger(v);
    if (!id) return std::nullopt;
    ids.emplace_back(*id);
  }
  return ids;
}

std::string EncodeTimeRanges(const std::vector<domain::TimeRange>& ranges) {
  json::array a;
  for (const auto& r : ranges) {
    a.emplace_back(json::object{{"start", r.start.ToString()}, {"end", r.end.ToString()}});
  }
  return json::serialize(a);
}

std::optional<std::vector<domain::TimeRange>> DecodeTimeRanges(std::string_view text) {
  auto value = Parse(text);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<domain::TimeRange> ranges;
  for (const auto& v : value->get_array()) {
    if (!v.is_object()) return std::nullopt;
    const auto start = AsTimeOfDay(v.get_object(), "start");
    const auto end = AsTimeOfDay(v.get_object(), "end");
    if (!start || !end) return std::nullopt;
    ranges.push_back(domain::TimeRange{*start, *end});
  }
  return ranges;
}

std::string EncodeDaysOfWeek(const std::vector<int>& days) {
  json::array a;
  for (const int d : days) a.emplace_back(d);
  return json::serialize(a);
}

std::optional<std::vector<int>> DecodeDaysOfWeek(std::string_view text) {
  auto value = Parse(text);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<int> days;
  for (const auto& v : value->get_array()) {
    const auto d = AsInteger(v);
    if (!d || *d < 1 || *d > 7) return std::nullopt;
    days.push_back(static_cast<int>(*d));
  }
  return days;
}

std::string EncodeMultipliers(const std::map<domain::CoffeeId, domain::Fixed4>& multipliers) {
  json::object o;
  for (const auto& [id, m] : multipliers) o[std::to_string(id.value)] = ShortDecimal(m);
  return json::serialize(o);
}

std::optional<std::map<domain::CoffeeId, domain::Fixed4>> DecodeMultipliers(std::string_view text) {
  auto value = Parse(text);
  if (!value || !value->is_object()) return std::nullopt;
  std::map<domain::CoffeeId, domain::Fixed4> out;
  for (const auto& [key, v] : value->get_object()) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc() || end != key.data() + key.size()) return std::nullopt;
    std::optional<domain::Fixed4> m;
    if (v.is_string()) {
      m = domain::Fixed4::Parse(std::string_view(v.get_string().data(), v.get_string().size()));
    } else if (v.is_number()) {
      m = domain::Fixed4::FromDouble(v.to_number<double>());
    }
    if (!m) return std::nullopt;
    out.emplace(domain::CoffeeId{id}, *m);
  }
  return out;
}

std::string EncodeTextArray(const std::vector<std::string>& texts) {
  json::array a;
  for (const auto& t : texts) a.emplace_back(json::string_view(t.data(), t.size()));
  return json::serialize(a);
}

std::string EncodeAppliedRules(const std::vector<app::AppliedRule>& rules) {
  json::array a;
  for (const auto& r : rules) {
    a.emplace_back(json::object{{"rule_id", r.rule_id.value},
                                {"description", r.description},
                                {"discount", r.discount.ToString()}});
  }
  return json::serialize(a);
}

std::optional<std::vector<app::AppliedRule>> DecodeAppliedRules(std::string_view text) {
  auto value = Parse(text);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<app::AppliedRule> rules;
  for (const auto& v : value->get_array()) {
    if (!v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    const auto* id = o.if_contains("rule_id");
    const auto* description = o.if_contains("description");
    const auto* discount = o.if_contains("discount");
    if (id == nullptr || description == nullptr || !description->is_string() ||
        discount == nullptr) {
      return std::nullopt;
    }
    const auto rule_id = AsInteger(*id);
    std::optional<domain::Money> amount;
    if (discount->is_string()) {
      const auto& s = discount->get_string();
      amount = domain::Money::Parse(std::string_view(s.data(), s.size()));
    } else if (discount->is_number()) {
      amount = domain::Money::FromDouble(discount->to_number<double>());
    }
    if (!rule_id || !amount) return std::nullopt;
    const auto& d = description->get_string();
    rules.push_back({domain::RuleId{*rule_id}, std::string(d.data(), d.size()), *amount});
  }
  return rules;
}

}  // namespace coffee::storage::sqlite
