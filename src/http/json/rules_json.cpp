#include <boost/json/parse.hpp>

#include "http/json/mappers.hpp"

namespace coffee::http::json {

namespace bj = boost::json;

namespace {

bj::value ParsedOrNull(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  bj::value v = bj::parse(*text, ec);
  if (ec) return bj::value(*text);
  return v;
}

}  // namespace

bj::object AuditRecordJson(const app::AuditRecord& record) {
  bj::value order_id = nullptr;
  if (record.order_id) order_id = record.order_id->str();
  bj::value rule_id = nullptr;
  if (record.rule_id) rule_id = *record.rule_id;
  return bj::object{{"audit_id", record.audit_id},
                    {"order_id", std::move(order_id)},
                    {"rule_type", record.rule_type},
                    {"rule_id", std::move(rule_id)},
                    {"rule_data", ParsedOrNull(record.rule_data_json)},
                    {"effect", record.effect},
                    {"created_at", domain::FormatTimestamp(record.created_at)}};
}

bj::object ConfigChangeJson(const app::ConfigChange& change) {
  bj::value actor = nullptr;
  if (change.actor_id) actor = change.actor_id->value;
  bj::value scheduled = nullptr;
  if (change.scheduled_change_id) scheduled = *change.scheduled_change_id;
  return bj::object{{"id", change.id},
                    {"actor_id", std::move(actor)},
                    {"entity", change.entity},
                    {"entity_id", change.entity_id},
                    {"action", change.action},
                    {"before", ParsedOrNull(change.before_json)},
                    {"after", ParsedOrNull(change.after_json)},
                    {"created_at", domain::FormatTimestamp(change.created_at)},
                    {"scheduled_change_id", std::move(scheduled)}};
}

bj::object RuleSetVersionJson(const app::RuleSetVersion& version, bool with_configuration) {
  bj::value actor = nullptr;
  if (version.actor_id) actor = version.actor_id->value;
  bj::value restored_from = nullptr;
  if (version.restored_from) restored_from = *version.restored_from;
  bj::object out{
      {"version", version.version}, {"actor_id", std::move(actor)},
      {"source", version.source},   {"restored_from", std::move(restored_from)},
      {"summary", version.summary}, {"created_at", domain::FormatTimestamp(version.created_at)}};
  if (with_configuration) out["configuration"] = ParsedOrNull(version.document);
  return out;
}

bj::object VersionDiffJson(const app::VersionDiff& diff) {
  bj::array changes;
  for (const auto& change : diff.changes) {
    changes.push_back(bj::object{{"entity", change.entity},
                                 {"entity_id", change.entity_id},
                                 {"action", change.action},
                                 {"before", change.before},
                                 {"after", change.after}});
  }
  return bj::object{{"from", diff.from}, {"to", diff.to}, {"changes", std::move(changes)}};
}

}  // namespace coffee::http::json
