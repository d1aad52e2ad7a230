#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "app/errors.hpp"
#include "app/scheduled_changes.hpp"
#include "http/message.hpp"

namespace coffee::http::json {

/// POST /api/business-rules/scheduled-changes: {effective_at (RFC 3339), change: {kind, …},
/// note?}. The change is read with the reader of its immediate route; its errors name
/// "change.<field>" and "change.body.<field>".
app::Outcome<app::NewScheduledChange> ReadScheduledChange(const Request& req);

/// A stored change's JSON text read back as at scheduling time (the scheduler's decoder).
app::Outcome<app::RulesChange> DecodeRulesChange(std::string_view change_json);

/// A scheduled change as the API shows it.
boost::json::object ScheduledChangeJson(const app::ScheduledChange& change);

}  // namespace coffee::http::json
