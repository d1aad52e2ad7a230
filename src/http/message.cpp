#include "http/message.hpp"

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

}  // namespace coffee::http
