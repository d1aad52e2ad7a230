#include "storage/json_columns.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

namespace coffee::storage {

namespace json = boost::json;

namespace {

json::value Parse(std::string_view text, std::string_view column) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) throw DecodeError(std::string(column) + " is not valid JSON");
  return value;
}

[[noreturn]] void WrongShape(std::string_view column, const std::string& what) {
  throw DecodeError(std::string(column) + " does not have the expected JSON shape: " + what);
}

const json::array& AsArray(const json::value& value, std::string_view column) {
  if (!value.is_array()) WrongShape(column, "expected an array");
  return value.get_array();
}

std::int64_t AsInteger(const json::value& value, std::string_view column) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64() &&
      value.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(value.get_uint64());
  }
  WrongShape(column, "expected an integer, got " + json::serialize(value));
}

std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

domain::TimeOfDay AsTimeOfDay(const json::object& range, std::string_view key) {
  const auto* field = range.if_contains(json::string_view(key.data(), key.size()));
  if (field == nullptr || !field->is_string()) {
    WrongShape("time_ranges", "\"" + std::string(key) + R"(" must be an "HH:MM" string)");
  }
  const auto parsed = domain::TimeOfDay::Parse(View(field->get_string()));
  if (!parsed) {
    WrongShape("time_ranges", "bad time of day \"" + std::string(View(field->get_string())) + "\"");
  }
  return *parsed;
}

/// 2.0000 → "2.0", 1.2500 → "1.25": the shortest text with at least one decimal.
std::string ShortDecimal(domain::Fixed4 value) {
  std::string text = value.ToString();
  while (text.size() > 2 && text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
  return text;
}

}  // namespace

std::optional<std::string> EncodeCoffeeIds(
    const std::optional<std::vector<domain::CoffeeId>>& ids) {
  if (!ids) return std::nullopt;
  json::array array;
  for (const auto id : *ids) array.emplace_back(id.value);
  return json::serialize(array);
}

std::vector<domain::CoffeeId> DecodeCoffeeIds(std::string_view text) {
  std::vector<domain::CoffeeId> ids;
  const json::value value = Parse(text, "coffee_ids");
  for (const auto& item : AsArray(value, "coffee_ids")) {
    ids.emplace_back(AsInteger(item, "coffee_ids"));
  }
  return ids;
}

std::string EncodeTimeRanges(const std::vector<domain::TimeRange>& ranges) {
  json::array array;
  for (const auto& range : ranges) {
    array.emplace_back(
        json::object{{"start", range.start.ToString()}, {"end", range.end.ToString()}});
  }
  return json::serialize(array);
}

std::vector<domain::TimeRange> DecodeTimeRanges(std::string_view text) {
  std::vector<domain::TimeRange> ranges;
  const json::value value = Parse(text, "time_ranges");
  for (const auto& item : AsArray(value, "time_ranges")) {
    if (!item.is_object()) WrongShape("time_ranges", "each range must be an object");
    ranges.push_back(
        {AsTimeOfDay(item.get_object(), "start"), AsTimeOfDay(item.get_object(), "end")});
  }
  return ranges;
}

std::string EncodeDaysOfWeek(const std::vector<int>& days) {
  json::array array;
  for (const int day : days) array.emplace_back(day);
  return json::serialize(array);
}

std::vector<int> DecodeDaysOfWeek(std::string_view text) {
  std::vector<int> days;
  const json::value value = Parse(text, "days_of_week");
  for (const auto& item : AsArray(value, "days_of_week")) {
    const std::int64_t day = AsInteger(item, "days_of_week");
    if (day < 1 || day > 7) {
      WrongShape("days_of_week", std::to_string(day) + " is not an ISO weekday (1-7)");
    }
    days.push_back(static_cast<int>(day));
  }
  return days;
}

std::string EncodeMultipliers(const std::map<domain::CoffeeId, domain::Fixed4>& multipliers) {
  json::object object;
  for (const auto& [id, multiplier] : multipliers) {
    object[std::to_string(id.value)] = ShortDecimal(multiplier);
  }
  return json::serialize(object);
}

std::map<domain::CoffeeId, domain::Fixed4> DecodeMultipliers(std::string_view text) {
  const json::value value = Parse(text, "bonus_multipliers");
  if (!value.is_object()) WrongShape("bonus_multipliers", "expected an object");
  std::map<domain::CoffeeId, domain::Fixed4> multipliers;
  for (const auto& [key, item] : value.get_object()) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc() || end != key.data() + key.size()) {
      WrongShape("bonus_multipliers", "key \"" + std::string(key) + "\" is not a coffee id");
    }
    std::optional<domain::Fixed4> multiplier;
    if (item.is_string()) {
      multiplier = domain::Fixed4::Parse(View(item.get_string()));
    } else if (item.is_int64() || item.is_uint64()) {
      const std::int64_t whole = AsInteger(item, "bonus_multipliers");
      if (whole <= std::numeric_limits<std::int64_t>::max() / domain::Fixed4::kScale &&
          whole >= std::numeric_limits<std::int64_t>::min() / domain::Fixed4::kScale) {
        multiplier = domain::Fixed4{whole * domain::Fixed4::kScale};
      }
    } else if (item.is_double()) {
      multiplier = domain::Fixed4::FromDouble(item.get_double());
    }
    if (!multiplier) {
      WrongShape("bonus_multipliers", "the value for \"" + std::string(key) +
                                          "\" is not a decimal: " + json::serialize(item));
    }
    multipliers.emplace(domain::CoffeeId(id), *multiplier);
  }
  return multipliers;
}

std::string EncodeAppliedRules(const std::vector<app::AppliedRule>& rules) {
  json::array array;
  for (const auto& rule : rules) {
    array.emplace_back(json::object{{"rule_id", rule.rule_id.value},
                                    {"description", rule.description},
                                    {"discount", rule.discount.ToString()}});
  }
  return json::serialize(array);
}

std::vector<app::AppliedRule> DecodeAppliedRules(std::string_view text) {
  std::vector<app::AppliedRule> rules;
  const json::value value = Parse(text, "applied_rules");
  for (const auto& item : AsArray(value, "applied_rules")) {
    if (!item.is_object()) WrongShape("applied_rules", "each rule must be an object");
    const json::object& object = item.get_object();
    const auto* rule_id = object.if_contains("rule_id");
    const auto* description = object.if_contains("description");
    const auto* discount = object.if_contains("discount");
    if (rule_id == nullptr || description == nullptr || !description->is_string() ||
        discount == nullptr) {
      WrongShape("applied_rules", "expected rule_id, description and discount");
    }
    std::optional<domain::Money> amount;
    if (discount->is_string()) {
      amount = domain::Money::Parse(View(discount->get_string()));
    } else if (discount->is_number()) {
      amount = domain::Money::FromDouble(discount->to_number<double>());
    }
    if (!amount) {
      WrongShape("applied_rules", "discount is not a decimal: " + json::serialize(*discount));
    }
    rules.push_back({domain::RuleId(AsInteger(*rule_id, "applied_rules")),
                     std::string(View(description->get_string())), *amount});
  }
  return rules;
}

std::string EncodeTextArray(const std::vector<std::string>& texts) {
  json::array array;
  for (const auto& t : texts) array.emplace_back(json::string_view(t.data(), t.size()));
  return json::serialize(array);
}

std::string EncodeOrderLines(const std::vector<app::OrderLine>& lines) {
  json::array array;
  for (const auto& line : lines) {
    array.emplace_back(json::object{{"coffee_id", line.coffee_id.value},
                                    {"coffee_name", line.coffee_name},
                                    {"quantity", line.quantity},
                                    {"price_snapshot_cents", line.price_snapshot.cents()},
                                    {"subtotal_cents", line.subtotal.cents()},
                                    {"discount_cents", line.discount.cents()},
                                    {"final_cents", line.final_amount.cents()}});
  }
  return json::serialize(array);
}

std::string EncodeAuditRecords(const std::vector<app::AuditRecord>& records) {
  // rule_data_json is already JSON text (written by the services), so it is spliced in as is
  // rather than parsed and re-serialized; PostgreSQL's ::jsonb cast still rejects anything
  // malformed.
  std::string out = "[";
  for (const auto& record : records) {
    if (out.size() > 1) out += ',';
    out += "{\"order_id\":";
    out += record.order_id ? json::serialize(json::string(record.order_id->str())) : "null";
    out += ",\"rule_type\":";
    out += json::serialize(json::string(record.rule_type));
    out += ",\"rule_id\":";
    out += record.rule_id ? std::to_string(*record.rule_id) : "null";
    out += ",\"rule_data\":";
    out += record.rule_data_json.empty() ? "{}" : record.rule_data_json;
    out += ",\"effect\":";
    out += json::serialize(json::string(record.effect));
    out += ",\"created_at\":";
    out += record.created_at == domain::Instant{}
               ? "null"
               : json::serialize(json::string(domain::FormatTimestamp(record.created_at)));
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace coffee::storage
