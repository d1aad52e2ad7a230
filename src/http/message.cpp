#include "http/message.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

namespace coffee::http {

std::string_view ToString(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

std::optional<std::string_view> Headers::Get(std::string_view lower_name) const {
  for (const auto& [name, value] : items) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

namespace {

/// RFC 3986 pchar without pct-encoded, plus '/': the characters a path may carry literally.
constexpr bool IsPlainPathChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kOthers = "-._~!$&'()*+,;=:@/";
  return kOthers.find(c) != std::string_view::npos;
}

}  // namespace

bool ParseTarget(std::string_view target, std::string& path, app::QueryParams& query) {
  // Most targets are a plain path ("/api/coffees"): nothing to decode and no query, so the path
  // is the target. Anything else (a query, a percent escape, a character that is not allowed)
  // goes to the URL parser.
  if (!target.empty() && target[0] == '/' &&
      std::all_of(target.begin(), target.end(), IsPlainPathChar)) {
    path.assign(target);
    return true;
  }
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  path = url->path();
  for (auto param : url->params()) query[param.key] = param.value;
  return true;
}

}  // namespace coffee::http
