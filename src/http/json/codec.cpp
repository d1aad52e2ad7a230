#include "http/json/codec.hpp"

#include <algorithm>
#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <unordered_set>
#include <vector>

namespace coffee::http::json {

namespace bj = boost::json;

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

void Write(std::string& out, const bj::value& v, bool money) {
  switch (v.kind()) {
    case bj::kind::null:
      out += "null";
      break;
    case bj::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case bj::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case bj::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case bj::kind::double_:
      AppendDouble(out, v.get_double(), money);
      break;
    case bj::kind::string:
      AppendEscaped(out, v.get_string());
      break;
    case bj::kind::array: {
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
    case bj::kind::object: {
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
  bool on_key_part(bj::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    key_.append(s.data(), s.size());
    stack_.push_chars(s);
    return true;
  }
  bool on_key(bj::string_view s, std::size_t /*n*/, boost::system::error_code& ec) {
    key_.append(s.data(), s.size());
    Frame& frame = frames_.back();
    frame.key = key_;
    if (!frame.seen.insert(std::move(key_)).second) return Fail("is a duplicate key", ec);
    key_.clear();
    stack_.push_key(s);
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(bj::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    stack_.push_string(s);
    ValueDone();
    return true;
  }
  bool on_number_part(bj::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_int64(std::int64_t i, bj::string_view /*s*/, boost::system::error_code& /*ec*/) {
    stack_.push_int64(i);
    ValueDone();
    return true;
  }
  bool on_uint64(std::uint64_t u, bj::string_view /*s*/, boost::system::error_code& /*ec*/) {
    stack_.push_uint64(u);
    ValueDone();
    return true;
  }
  bool on_double(double d, bj::string_view /*s*/, boost::system::error_code& ec) {
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
  bool on_comment_part(bj::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_comment(bj::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }

  bj::value Release() { return stack_.release(); }
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
    ec = bj::error::syntax;  // any error stops the parser; problem_ says what it was
    return false;
  }

  bj::value_stack stack_;
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

std::string SerializeJson(const bj::value& v) {
  std::string out;
  out.reserve(256);
  Write(out, v, false);
  return out;
}

app::Outcome<bj::object> ParseJsonObject(const Request& req) {
  auto ct = req.headers.Get("content-type");
  if (!ct || !IsJsonContentType(*ct)) {
    return app::AppError{
        app::ErrorCode::kUnsupportedMedia, "Content-Type must be application/json", {}, {}};
  }
  if (req.body.empty()) return app::AppError::Validation("body", "must be a JSON object");
  bj::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  bj::basic_parser<StrictHandler> parser(opts);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(false, req.body.data(), req.body.size(), ec);
  if (!ec && used < req.body.size()) ec = bj::error::extra_data;
  if (ec) {
    if (const auto& problem = parser.handler().problem()) {
      return app::AppError::Validation(problem->first, problem->second);
    }
    const std::string details =
        ec == bj::error::too_deep
            ? "JSON body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"
            : "Malformed JSON body: " + ec.message();
    return app::AppError{
        app::ErrorCode::kValidation, details, {{"body", "must be valid JSON"}}, {}};
  }
  bj::value v = parser.handler().Release();
  if (!v.is_object()) return app::AppError::Validation("body", "must be a JSON object");
  return std::move(v.as_object());
}
Response JsonResponse(int status, const bj::value& body) {
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

}  // namespace coffee::http::json
