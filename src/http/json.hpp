#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "app/errors.hpp"
#include "domain/money.hpp"
#include "domain/time.hpp"
#include "http/message.hpp"

namespace coffee::http {

/// Serializes JSON with plain number formatting (4.5, not 4.5E0); doubles under a key named
/// "price" are written with exactly two decimals (4.50), as SPEC §2 shows coffee prices.
std::string SerializeJson(const boost::json::value& v);

/// Checks Content-Type (415), parses the body (400 for malformed JSON, nesting deeper than 32,
/// invalid UTF-8) and requires an object.
app::Outcome<boost::json::object> ParseJsonObject(const Request& req);

/// Reads typed fields from a JSON object, collecting one error per bad field.
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& obj) : obj_(obj) {}

  bool Has(std::string_view key) const;
  std::optional<std::string> String(std::string_view key, bool required);
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

/// A JSON response.
Response JsonResponse(int status, const boost::json::value& body);
/// 204 No Content.
Response NoContent();
/// The one error shape (SPEC §2), with the status of the error's code.
Response ErrorResponse(const app::AppError& error);

/// HTTP status, `error` category and `error_code` for an ErrorCode.
struct ErrorInfo {
  int status;
  std::string_view category;
  std::string_view code;
};
ErrorInfo Describe(app::ErrorCode code);

/// Turns an outcome into a JSON response with `status`, or the error shape.
template <typename T, typename F>
Response Respond(const app::Outcome<T>& outcome, int status, F&& to_json) {
  if (!outcome) return ErrorResponse(outcome.error());
  return JsonResponse(status, to_json(outcome.value()));
}

/// Parses a positive integer path parameter; error names the parameter.
app::Outcome<std::int64_t> PathId(const Request& req, std::string_view name);

}  // namespace coffee::http
