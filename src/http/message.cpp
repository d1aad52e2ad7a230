#include "http/message.hpp"

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

bool ParseTarget(std::string_view target, std::string& path, app::QueryParams& query) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  path = url->path();
  for (auto param : url->params()) query[param.key] = param.value;
  return true;
}

}  // namespace coffee::http
