#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/store.hpp"
#include "domain/business_rules.hpp"
#include "storage/decode_error.hpp"

/// The JSON text columns and JSON statement parameters of both adapters: one encoding, so the
/// same value is stored as the same text in SQLite and PostgreSQL, and one error convention.
namespace coffee::storage {

/// coffee_ids: "[1,2]"; nullopt (SQL NULL) means every coffee.
std::optional<std::string> EncodeCoffeeIds(const std::optional<std::vector<domain::CoffeeId>>& ids);
/// Throws DecodeError unless `text` is an array of integers.
std::vector<domain::CoffeeId> DecodeCoffeeIds(std::string_view text);

/// time_ranges: [{"start":"HH:MM","end":"HH:MM"}].
std::string EncodeTimeRanges(const std::vector<domain::TimeRange>& ranges);
/// Throws DecodeError on any other shape or a bad HH:MM.
std::vector<domain::TimeRange> DecodeTimeRanges(std::string_view text);

/// days_of_week: [1,5].
std::string EncodeDaysOfWeek(const std::vector<int>& days);
/// Throws DecodeError unless `text` is an array of integers 1–7.
std::vector<int> DecodeDaysOfWeek(std::string_view text);

/// bonus_multipliers: {"1":"2.0","5":"1.25"} — decimal strings, the shortest text with at least
/// one decimal.
std::string EncodeMultipliers(const std::map<domain::CoffeeId, domain::Fixed4>& multipliers);
/// Values may be decimal strings or JSON numbers; throws DecodeError.
std::map<domain::CoffeeId, domain::Fixed4> DecodeMultipliers(std::string_view text);

/// applied_rules: [{"rule_id":1,"description":"…","discount":"1.05"}].
std::string EncodeAppliedRules(const std::vector<app::AppliedRule>& rules);
/// The discount may be a decimal string or a JSON number; throws DecodeError.
std::vector<app::AppliedRule> DecodeAppliedRules(std::string_view text);

/// A list of texts as one parameter: ["a","b"] (SQLite reads it back with json_each).
std::string EncodeTextArray(const std::vector<std::string>& texts);

/// Order lines as one parameter of a multi-row INSERT (money in cents, ids as integers).
std::string EncodeOrderLines(const std::vector<app::OrderLine>& lines);

/// Audit records as one parameter of a multi-row INSERT: [{"order_id":…,"rule_type":…,
/// "rule_id":…,"rule_data":{…},"effect":…,"created_at":… or null}].
std::string EncodeAuditRecords(const std::vector<app::AuditRecord>& records);

}  // namespace coffee::storage
