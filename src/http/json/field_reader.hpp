#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/errors.hpp"
#include "domain/money.hpp"
#include "domain/time.hpp"

namespace coffee::http::json {

/// True if `text` holds a control character (U+0000–U+001F or U+007F); tab and newline are
/// allowed in free text (descriptions, reasons, comments) when `allow_tab_and_newline`.
bool HasControlCharacter(std::string_view text, bool allow_tab_and_newline);

/// Reads typed fields from a JSON object, collecting one error per bad field. An absent field
/// is "is required" when required; a JSON null is "must not be null" (a field that accepts null
/// is checked with IsNull first); strings refuse control characters (SPEC §2).
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& obj) : obj_(obj) {}

  bool Has(std::string_view key) const;
  /// A one-line string: names, types, emails, enumerations.
  std::optional<std::string> String(std::string_view key, bool required);
  /// Free text (description, reason, comment): tab and newline allowed.
  std::optional<std::string> Text(std::string_view key, bool required);
  std::optional<std::int64_t> Int(std::string_view key, bool required);
  std::optional<double> Number(std::string_view key, bool required);
  std::optional<bool> Bool(std::string_view key, bool required);
  /// A JSON number or decimal string with at most two decimals.
  std::optional<domain::Money> Money(std::string_view key, bool required);
  /// A number or decimal string with at most `Decimals` decimals.
  template <int Decimals>
  std::optional<domain::Fixed<Decimals>> Fixed(std::string_view key, bool required);
  std::optional<domain::Instant> Timestamp(std::string_view key, bool required);
  std::optional<domain::TimeOfDay> TimeOfDay(std::string_view key, bool required);
  /// True if the key is present with a JSON null.
  bool IsNull(std::string_view key) const;

  void Fail(const std::string& field, const std::string& message) { errors_.Add(field, message); }
  [[nodiscard]] bool ok() const { return errors_.empty(); }
  [[nodiscard]] app::AppError Error() const { return errors_.ToError(); }

 private:
  const boost::json::value* Find(std::string_view key, bool required);
  std::optional<std::string> Read(std::string_view key, bool required, bool free_text);
  std::optional<std::int64_t> Scaled(std::string_view key, bool required, int decimals,
                                     const char* what);
  const boost::json::object& obj_;
  app::ValidationErrors errors_;
};

template <int Decimals>
std::optional<domain::Fixed<Decimals>> FieldReader::Fixed(std::string_view key, bool required) {
  auto v = Scaled(key, required, Decimals, "a number");
  if (!v) return std::nullopt;
  return domain::Fixed<Decimals>{*v};
}

}  // namespace coffee::http::json
