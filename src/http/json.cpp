#include "http/json.hpp"

#include <algorithm>
#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <unordered_set>
#include <vector>

namespace coffee::http {

namespace json = boost::json;

namespace {

void AppendEscaped(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr std::string_view kHex = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(static_cast<unsigned char>(c) >> 4U) & 0xFU];
          out += kHex[static_cast<unsigned char>(c) & 0xFU];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendDouble(std::string& out, double d, bool two_decimals) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  auto res = two_decimals ? std::to_chars(buf.data(), buf.data() + buf.size(), d,
                                          std::chars_format::fixed, 2)
                          : std::to_chars(buf.data(), buf.data() + buf.size(), d);
  out.append(buf.data(), res.ptr);
}

void Write(std::string& out, const json::value& v, bool money) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      AppendDouble(out, v.get_double(), money);
      break;
    case json::kind::string:
      AppendEscaped(out, v.get_string());
      break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        Write(out, e, false);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendEscaped(out, kv.key());
        out += ':';
        Write(out, kv.value(), kv.key() == "price");
      }
      out += '}';
      break;
    }
  }
}

constexpr std::size_t kMaxJsonDepth = 32;

/// True for text shaped like a decimal with at most `decimals` decimals ("-123.45"), so that a
/// failed parse of it can only mean the value is too large.
bool LooksLikeDecimal(std::string_view text, int decimals) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !digits(whole) || !digits(frac)) return false;
  if (dot != std::string_view::npos && frac.empty()) return false;
  return static_cast<int>(frac.size()) <= decimals;
}

/// A boost::json::basic_parser handler that builds the value exactly as boost::json::parse does,
/// and also refuses two things parse accepts silently: a key repeated in one object (parse keeps
/// the last) and a number too large for a double (parse gives infinity). It remembers where
/// the problem is ("items[0].quantity") so the 400 can name it.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  StrictHandler() { stack_.reset(); }

  bool on_document_begin(boost::system::error_code& /*ec*/) { return true; }
  bool on_document_end(boost::system::error_code& /*ec*/) { return true; }
  bool on_object_begin(boost::system::error_code& /*ec*/) {
    frames_.push_back(Frame{true, 0, {}, {}});
    return true;
  }
  bool on_object_end(std::size_t n, boost::system::error_code& /*ec*/) {
    stack_.push_object(n);
    frames_.pop_back();
    ValueDone();
    return true;
  }
  bool on_array_begin(boost::system::error_code& /*ec*/) {
    frames_.push_back(Frame{false, 0, {}, {}});
    return true;
  }
  bool on_array_end(std::size_t n, boost::system::error_code& /*ec*/) {
    stack_.push_array(n);
    frames_.pop_back();
    ValueDone();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    key_.append(s.data(), s.size());
    stack_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t /*n*/, boost::system::error_code& ec) {
    key_.append(s.data(), s.size());
    Frame& frame = frames_.back();
    frame.key = key_;
    if (!frame.seen.insert(std::move(key_)).second) return Fail("is a duplicate key", ec);
    key_.clear();
    stack_.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    stack_.push_string(s);
    ValueDone();
    return true;
  }
  bool on_number_part(json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_int64(std::int64_t i, json::string_view /*s*/, boost::system::error_code& /*ec*/) {
    stack_.push_int64(i);
    ValueDone();
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view /*s*/, boost::system::error_code& /*ec*/) {
    stack_.push_uint64(u);
    ValueDone();
    return true;
  }
  bool on_double(double d, json::string_view /*s*/, boost::system::error_code& ec) {
    if (!std::isfinite(d)) return Fail("is out of range", ec);
    stack_.push_double(d);
    ValueDone();
    return true;
  }
  bool on_bool(bool b, boost::system::error_code& /*ec*/) {
    stack_.push_bool(b);
    ValueDone();
    return true;
  }
  bool on_null(boost::system::error_code& /*ec*/) {
    stack_.push_null();
    ValueDone();
    return true;
  }
  bool on_comment_part(json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_comment(json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }

  json::value Release() { return stack_.release(); }
  /// Set when the handler stopped the parse: the path of the bad value and what is wrong.
  [[nodiscard]] const std::optional<std::pair<std::string, std::string>>& problem() const {
    return problem_;
  }

 private:
  struct Frame {
    bool is_object;
    std::size_t index;  // arrays: the element being read
    std::string key;    // objects: the member being read
    std::unordered_set<std::string> seen;
  };

  void ValueDone() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  /// "items[0].quantity"; "body" for a top-level value.
  [[nodiscard]] std::string Path() const {
    std::string path;
    for (const auto& f : frames_) {
      if (f.is_object) {
        if (!path.empty()) path += '.';
        path += f.key;
      } else {
        path += '[' + std::to_string(f.index) + ']';
      }
    }
    return path.empty() ? "body" : path;
  }

  bool Fail(std::string message, boost::system::error_code& ec) {
    problem_.emplace(Path(), std::move(message));
    ec = json::error::syntax;  // any error stops the parser; problem_ says what it was
    return false;
  }

  json::value_stack stack_;
  std::vector<Frame> frames_;
  std::string key_;  // the key being read, across on_key_part calls
  std::optional<std::pair<std::string, std::string>> problem_;
};

bool IsJsonContentType(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

}  // namespace

std::string SerializeJson(const json::value& v) {
  std::string out;
  out.reserve(256);
  Write(out, v, false);
  return out;
}

app::Outcome<json::object> ParseJsonObject(const Request& req) {
  auto ct = req.headers.Get("content-type");
  if (!ct || !IsJsonContentType(*ct)) {
    return app::AppError{
        app::ErrorCode::kUnsupportedMedia, "Content-Type must be application/json", {}, {}};
  }
  if (req.body.empty()) return app::AppError::Validation("body", "must be a JSON object");
  json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  json::basic_parser<StrictHandler> parser(opts);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(false, req.body.data(), req.body.size(), ec);
  if (!ec && used < req.body.size()) ec = json::error::extra_data;
  if (ec) {
    if (const auto& problem = parser.handler().problem()) {
      return app::AppError::Validation(problem->first, problem->second);
    }
    const std::string details =
        ec == json::error::too_deep
            ? "JSON body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"
            : "Malformed JSON body: " + ec.message();
    return app::AppError{
        app::ErrorCode::kValidation, details, {{"body", "must be valid JSON"}}, {}};
  }
  json::value v = parser.handler().Release();
  if (!v.is_object()) return app::AppError::Validation("body", "must be a JSON object");
  return std::move(v.as_object());
}

const json::value* FieldReader::Find(std::string_view key, bool required) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) errors_.Add(std::string(key), "is required");
    return nullptr;
  }
  return v;
}

bool FieldReader::Has(std::string_view key) const { return obj_.contains(key); }

bool FieldReader::IsNull(std::string_view key) const {
  const auto* v = obj_.if_contains(key);
  return v != nullptr && v->is_null();
}

std::optional<std::string> FieldReader::String(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    errors_.Add(std::string(key), "must be a string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<std::int64_t> FieldReader::Int(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    if (v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(v->get_uint64());
    }
    errors_.Add(std::string(key), "is out of range");
    return std::nullopt;
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (std::isfinite(d) && std::trunc(d) == d) {
      // Past 2^53 a double no longer holds every integer: the client's digits are lost.
      if (std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
      errors_.Add(std::string(key), "is out of range");
      return std::nullopt;
    }
  }
  errors_.Add(std::string(key), "must be an integer");
  return std::nullopt;
}

std::optional<double> FieldReader::Number(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) {
    const auto d = v->to_number<double>();
    if (std::isfinite(d)) return d;
    errors_.Add(std::string(key), "is out of range");
    return std::nullopt;
  }
  errors_.Add(std::string(key), "must be a number");
  return std::nullopt;
}

std::optional<bool> FieldReader::Bool(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  errors_.Add(std::string(key), "must be true or false");
  return std::nullopt;
}

std::optional<std::int64_t> FieldReader::Scaled(std::string_view key, bool required, int decimals,
                                                const char* what) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  // Beyond this many whole units a value is refused as out of range, whatever its form.
  constexpr std::int64_t kMaxWhole = 1'000'000'000'000LL;
  std::int64_t scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  std::optional<std::int64_t> units;
  bool out_of_range = false;
  if (v->is_string()) {
    const std::string_view text(v->get_string());
    units = domain::ParseScaledDecimal(text, decimals);
    if (units && (*units >= kMaxWhole * scale || *units <= -kMaxWhole * scale)) units.reset();
    out_of_range = !units && LooksLikeDecimal(text, decimals);
  } else if (v->is_int64()) {
    const auto i = v->get_int64();
    out_of_range = i >= kMaxWhole || i <= -kMaxWhole;
    if (!out_of_range) units = i * scale;
  } else if (v->is_uint64()) {
    out_of_range = true;
  } else if (v->is_double()) {
    const double d = v->get_double();
    out_of_range = !std::isfinite(d) || std::fabs(d) >= static_cast<double>(kMaxWhole);
    if (!out_of_range) units = domain::ScaledFromDouble(d, decimals);
  }
  if (out_of_range) {
    errors_.Add(std::string(key), "is out of range");
  } else if (!units) {
    errors_.Add(std::string(key), std::string("must be ") + what + " with at most " +
                                      std::to_string(decimals) + " decimals");
  }
  return units;
}

std::optional<domain::Money> FieldReader::Money(std::string_view key, bool required) {
  auto units = Scaled(key, required, 2, "a number");
  if (!units) return std::nullopt;
  return domain::Money::FromCents(*units);
}

std::optional<domain::Instant> FieldReader::Timestamp(std::string_view key, bool required) {
  auto s = String(key, required);
  if (!s) return std::nullopt;
  auto t = domain::ParseTimestamp(*s);
  if (!t) errors_.Add(std::string(key), "must be an RFC 3339 timestamp");
  return t;
}

std::optional<domain::TimeOfDay> FieldReader::TimeOfDay(std::string_view key, bool required) {
  auto s = String(key, required);
  if (!s) return std::nullopt;
  auto t = domain::TimeOfDay::Parse(*s);
  if (!t) errors_.Add(std::string(key), "must be a time of day HH:MM between 00:00 and 23:59");
  return t;
}

Response JsonResponse(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.body = SerializeJson(body);
  return r;
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

ErrorInfo Describe(app::ErrorCode code) {
  using C = app::ErrorCode;
  switch (code) {
    case C::kValidation:
      return {400, "Validation error", "VALIDATION_ERROR"};
    case C::kItemsUnavailable:
      return {400, "Validation error", "ITEMS_UNAVAILABLE"};
    case C::kInvalidTransition:
      return {400, "Validation error", "INVALID_STATUS_TRANSITION"};
    case C::kMissingToken:
      return {401, "Unauthorized", "MISSING_TOKEN"};
    case C::kInvalidToken:
      return {401, "Unauthorized", "INVALID_TOKEN"};
    case C::kTokenExpired:
      return {401, "Unauthorized", "TOKEN_EXPIRED"};
    case C::kInvalidCredentials:
      return {401, "Unauthorized", "INVALID_CREDENTIALS"};
    case C::kForbidden:
      return {403, "Forbidden", "FORBIDDEN"};
    case C::kNotFound:
      return {404, "Not found", "NOT_FOUND"};
    case C::kCoffeeNotFound:
      return {404, "Not found", "COFFEE_NOT_FOUND"};
    case C::kRouteNotFound:
      return {404, "Not found", "ROUTE_NOT_FOUND"};
    case C::kMethodNotAllowed:
      return {405, "Method not allowed", "METHOD_NOT_ALLOWED"};
    case C::kConflict:
      return {409, "Conflict", "CONFLICT"};
    case C::kEmailExists:
      return {409, "Conflict", "EMAIL_EXISTS"};
    case C::kDuplicateReview:
      return {409, "Conflict", "DUPLICATE_REVIEW"};
    case C::kIdempotencyConflict:
      return {409, "Conflict", "IDEMPOTENCY_KEY_REUSED"};
    case C::kPayloadTooLarge:
      return {413, "Payload too large", "PAYLOAD_TOO_LARGE"};
    case C::kUnsupportedMedia:
      return {415, "Unsupported media type", "UNSUPPORTED_MEDIA_TYPE"};
    case C::kHeadersTooLarge:
      return {431, "Request header fields too large", "HEADERS_TOO_LARGE"};
    case C::kRateLimited:
      return {429, "Too many requests", "RATE_LIMITED"};
    case C::kUnavailable:
      return {503, "Service unavailable", "SERVICE_UNAVAILABLE"};
    case C::kInternal:
      return {500, "Internal server error", "INTERNAL_ERROR"};
  }
  return {500, "Internal server error", "INTERNAL_ERROR"};
}

Response ErrorResponse(const app::AppError& error) {
  const ErrorInfo info = Describe(error.code);
  json::object body;
  body["error"] = info.category;
  body["error_code"] = info.code;
  body["details"] = error.details;
  if (!error.fields.empty()) {
    json::object fields;
    for (const auto& [k, v] : error.fields) fields[k] = v;
    body["fields"] = std::move(fields);
  }
  if (error.code == app::ErrorCode::kItemsUnavailable) {
    json::array items;
    for (const auto& item : error.unavailable_items) {
      items.push_back(json::object{{"coffee_id", item.coffee_id}, {"reason", item.reason}});
    }
    body["unavailable_items"] = std::move(items);
  }
  Response r = JsonResponse(info.status, body);
  if (info.status == 503) r.headers.emplace_back("Retry-After", "5");
  return r;
}

app::Outcome<std::int64_t> PathId(const Request& req, std::string_view name) {
  auto it = req.params.find(name);
  std::int64_t v = 0;
  if (it != req.params.end()) {
    const auto& s = it->second;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && ptr == s.data() + s.size() && v > 0) return v;
  }
  return app::AppError::Validation(std::string(name), "must be a positive integer");
}

}  // namespace coffee::http
