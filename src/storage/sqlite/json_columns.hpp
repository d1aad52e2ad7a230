#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports.hpp"
#include "domain/business_rules.hpp"

namespace coffee::storage::sqlite {

/// Encoders and decoders of the JSON text columns. Decoders return nullopt for text that is
/// not valid JSON of the expected shape.

/// True if `text` parses as JSON (of any shape).
bool IsValidJson(std::string_view text);

std::string EncodeCoffeeIds(const std::vector<domain::CoffeeId>& ids);
std::optional<std::vector<domain::CoffeeId>> DecodeCoffeeIds(std::string_view text);

/// [{"start":"HH:MM","end":"HH:MM"}, …]
std::string EncodeTimeRanges(const std::vector<domain::TimeRange>& ranges);
std::optional<std::vector<domain::TimeRange>> DecodeTimeRanges(std::string_view text);

/// [1, …, 7]
std::string EncodeDaysOfWeek(const std::vector<int>& days);
std::optional<std::vector<int>> DecodeDaysOfWeek(std::string_view text);

/// {"<coffee_id>": "1.5", …}; decoding also accepts JSON numbers as values.
std::string EncodeMultipliers(const std::map<domain::CoffeeId, domain::Fixed4>& multipliers);
std::optional<std::map<domain::CoffeeId, domain::Fixed4>> DecodeMultipliers(std::string_view text);

/// ["a", "b", …]: a list of texts bound as one parameter (read back with json_each).
std::string EncodeTextArray(const std::vector<std::string>& texts);

/// [{"rule_id":1,"description":"…","discount":"1.05"}, …]; decoding also accepts JSON numbers
/// as discounts.
std::string EncodeAppliedRules(const std::vector<app::AppliedRule>& rules);
std::optional<std::vector<app::AppliedRule>> DecodeAppliedRules(std::string_view text);

}  // namespace coffee::storage::sqlite
