#include "http/json/schedule_json.hpp"

#include <boost/json.hpp>
#include <string>
#include <utility>

#include "http/json/codec.hpp"
#include "http/json/field_reader.hpp"
#include "http/json/readers.hpp"

namespace coffee::http::json {

namespace bj = boost::json;

namespace {

constexpr std::size_t kMaxNoteBytes = 500;

/// `error` with every field (and the details) under `prefix`.
app::AppError Under(const std::string& prefix, const app::AppError& error) {
  if (error.fields.empty()) return app::AppError::Validation(prefix + "body", error.details);
  app::ValidationErrors errors;
  for (const auto& [field, message] : error.fields) errors.Add(prefix + field, message);
  return errors.ToError();
}

/// Runs the immediate route's body reader on change.body.
template <typename Reader>
auto ReadBody(const bj::object& change, Reader reader) -> decltype(reader(Request{})) {
  const auto* body = change.if_contains("body");
  if (body == nullptr || !body->is_object()) {
    return app::AppError::Validation("change.body", "must be a JSON object");
  }
  Request req;
  req.method = Method::kPost;
  req.headers.items.emplace_back("content-type", "application/json");
  req.body = SerializeJson(*body);
  auto read = reader(req);
  if (!read) return Under("change.body.", read.error());
  return read;
}

/// A positive integer member of the change ("rule_id", "coffee_id", "version").
app::Outcome<std::int64_t> Target(const bj::object& change, std::string_view name) {
  FieldReader r(change);
  const auto id = r.Int(name, true);
  if (!r.ok()) return Under("change.", r.Error());
  if (*id <= 0) return app::AppError::Validation("change." + std::string(name), "must be positive");
  return *id;
}

app::Outcome<app::RulesChange> ReadChange(const bj::object& change) {
  FieldReader r(change);
  const auto kind = r.String("kind", true);
  if (!r.ok()) return Under("change.", r.Error());
  const auto to_change = [](auto read, auto make) -> app::Outcome<app::RulesChange> {
    if (!read) return read.error();
    return app::RulesChange{make(std::move(*read))};
  };
  if (*kind == "availability") {
    return to_change(ReadBody(change, ReadAvailability),
                     [](domain::Availability a) { return app::AvailabilityChange{std::move(a)}; });
  }
  if (*kind == "pricing_rule_create") {
    return to_change(ReadBody(change, ReadRule),
                     [](app::PricingRuleInput in) { return app::RuleCreate{std::move(in)}; });
  }
  if (*kind == "pricing_rule_update") {
    auto id = Target(change, "rule_id");
    if (!id) return id.error();
    return to_change(ReadBody(change, ReadRule), [&](app::PricingRuleInput in) {
      return app::RuleReplace{domain::RuleId{*id}, std::move(in)};
    });
  }
  if (*kind == "pricing_rule_delete") {
    auto id = Target(change, "rule_id");
    if (!id) return id.error();
    return app::RulesChange{app::RuleDelete{domain::RuleId{*id}}};
  }
  if (*kind == "pricing_settings") {
    return to_change(ReadBody(change, ReadPricingSettings),
                     [](app::PricingSettingsUpdate u) { return u; });
  }
  if (*kind == "prep_time_settings") {
    return to_change(ReadBody(change, ReadPrepTimeSettings),
                     [](app::PrepTimeSettingsUpdate u) { return u; });
  }
  if (*kind == "prep_time") {
    auto id = Target(change, "coffee_id");
    if (!id) return id.error();
    return to_change(ReadBody(change, ReadPrepTime), [&](app::PrepTimeUpdate u) {
      return app::PrepTimeChange{domain::CoffeeId{*id}, u};
    });
  }
  if (*kind == "loyalty_config") {
    return to_change(ReadBody(change, ReadLoyalty), [](app::LoyaltyConfigUpdate u) { return u; });
  }
  if (*kind == "rule_set_restore") {
    auto version = Target(change, "version");
    if (!version) return version.error();
    return app::RulesChange{app::RuleSetRestore{*version}};
  }
  return app::AppError::Validation(
      "change.kind",
      "must be one of availability, pricing_rule_create, pricing_rule_update, "
      "pricing_rule_delete, pricing_settings, prep_time_settings, prep_time, loyalty_config, "
      "rule_set_restore");
}

bj::value OptionalInt(const std::optional<std::int64_t>& v) {
  if (!v) return nullptr;
  return *v;
}

bj::value OptionalUser(const std::optional<domain::UserId>& v) {
  if (!v) return nullptr;
  return v->value;
}

bj::value OptionalText(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return bj::value(*v);
}

}  // namespace

app::Outcome<app::NewScheduledChange> ReadScheduledChange(const Request& req) {
  auto obj = ParseJsonObject(req);
  if (!obj) return obj.error();
  FieldReader r(*obj);
  const auto effective_at = r.Timestamp("effective_at", true);
  std::optional<std::string> note;
  if (!r.IsNull("note")) note = r.Text("note", false);
  app::ValidationErrors errors;
  if (note && note->size() > kMaxNoteBytes) {
    errors.Add("note", "must be at most " + std::to_string(kMaxNoteBytes) + " bytes");
  }
  if (!r.ok()) {
    for (const auto& [field, message] : r.Error().fields) errors.Add(field, message);
  }
  const auto* change = obj->if_contains("change");
  std::optional<app::RulesChange> read;
  if (change == nullptr || !change->is_object()) {
    errors.Add("change", "must be a JSON object");
  } else if (auto decoded = ReadChange(change->get_object()); !decoded) {
    for (const auto& [field, message] : decoded.error().fields) errors.Add(field, message);
    if (decoded.error().fields.empty()) errors.Add("change", decoded.error().details);
  } else {
    read = std::move(*decoded);
  }
  if (!errors.empty()) return errors.ToError();
  return app::NewScheduledChange{*effective_at, std::move(*read), SerializeJson(*change),
                                 std::move(note)};
}

app::Outcome<app::RulesChange> DecodeRulesChange(std::string_view change_json) {
  boost::system::error_code ec;
  const bj::value v = bj::parse(change_json, ec);
  if (ec || !v.is_object()) {
    return app::AppError::Validation("change", "the stored change is not a JSON object");
  }
  return ReadChange(v.get_object());
}

bj::object ScheduledChangeJson(const app::ScheduledChange& change) {
  boost::system::error_code ec;
  bj::value body = bj::parse(change.change, ec);
  if (ec) body = bj::value(change.change);
  return bj::object{
      {"id", change.id},
      {"effective_at", domain::FormatTimestamp(change.effective_at)},
      {"status", change.status},
      {"change", std::move(body)},
      {"note", OptionalText(change.note)},
      {"created_by", OptionalUser(change.created_by)},
      {"created_at", domain::FormatTimestamp(change.created_at)},
      {"cancelled_by", OptionalUser(change.settled_by)},
      {"settled_at", change.settled_at ? bj::value(domain::FormatTimestamp(*change.settled_at))
                                       : bj::value(nullptr)},
      {"version", OptionalInt(change.version)},
      {"failure", OptionalText(change.failure)}};
}

}  // namespace coffee::http::json
