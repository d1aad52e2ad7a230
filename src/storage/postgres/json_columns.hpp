#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports.hpp"
#include "domain/business_rules.hpp"

namespace coffee::storage::postgres {

/// JSON text of a coffee_ids column ("[1,2]"), or nullopt (SQL NULL = every coffee).
std::optional<std::string> EncodeCoffeeIds(const std::optional<std::vector<domain::CoffeeId>>& ids);
/// Parses coffee_ids; throws DecodeError unless it is an array of integers.
std::vector<domain::CoffeeId> DecodeCoffeeIds(std::string_view json);

/// JSON text of time_ranges: [{"start":"HH:MM","end":"HH:MM"}].
std::string EncodeTimeRanges(const std::vector<domain::TimeRange>& ranges);
/// Parses time_ranges; throws DecodeError on any other shape or a bad HH:MM.
std::vector<domain::TimeRange> DecodeTimeRanges(std::string_view json);

/// JSON text of days_of_week: [1,5].
std::string EncodeDaysOfWeek(const std::vector<int>& days);
/// Parses days_of_week; throws DecodeError unless it is an array of integers 1–7.
std::vector<int> DecodeDaysOfWeek(std::string_view json);

/// JSON text of bonus_multipliers with string decimals: {"1":"2.0000"}.
std::string EncodeMultipliers(const std::map<domain::CoffeeId, domain::Fixed4>& multipliers);
/// Parses bonus_multipliers (values as decimal strings or numbers); throws DecodeError.
std::map<domain::CoffeeId, domain::Fixed4> DecodeMultipliers(std::string_view json);

/// JSON text of applied_rules with string decimals:
/// [{"rule_id":1,"description":"…","discount":"1.05"}].
std::string EncodeAppliedRules(const std::vector<app::AppliedRule>& rules);
/// Parses applied_rules (discount as a decimal string or a number); throws DecodeError.
std::vector<app::AppliedRule> DecodeAppliedRules(std::string_view text);

/// JSON text of order lines for one multi-row INSERT (money in cents, ids as integers).
std::string EncodeOrderLines(const std::vector<app::OrderLine>& lines);

/// JSON text of audit records for one multi-row INSERT: [{"order_id":…,"rule_type":…,
/// "rule_id":…,"rule_data":{…},"effect":…,"created_at":… or null}].
std::string EncodeAuditRecords(const std::vector<app::AuditRecord>& records);

}  // namespace coffee::storage::postgres
