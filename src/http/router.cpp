#include "http/router.hpp"

#include <algorithm>

namespace coffee::http {

namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const auto next = path.find('/', pos);
    out.push_back(
        path.substr(pos, next == std::string_view::npos ? path.size() - pos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return out;
}

/// True if Split would give back `path` by joining its parts with '/': then a literal route's
/// canonical path can be looked up as is.
bool IsCanonical(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() > 1 && path.back() == '/') return false;
  return path.find("//") == std::string_view::npos;
}

}  // namespace

void Router::Add(Method method, std::string pattern, Access access, Exec exec, Handler handler) {
  Route r;
  r.method = method;
  for (auto s : Split(pattern)) r.segments.emplace_back(s);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.access = access;
  r.exec = exec;
  const bool literal = std::none_of(r.segments.begin(), r.segments.end(),
                                    [](const std::string& s) { return s.starts_with(':'); });
  if (literal) {
    std::string canonical(r.segments.empty() ? 1 : 0, '/');
    for (const auto& s : r.segments) canonical.append(1, '/').append(s);
    literal_[canonical].push_back(routes_.size());
  }
  routes_.push_back(std::move(r));
}

void Router::AddWithFastPath(Method method, std::string pattern, Access access, FastPath fast,
                             Handler handler) {
  Add(method, std::move(pattern), access, Exec::kWorker, std::move(handler));
  routes_.back().fast = std::move(fast);
}

RouteMatch Router::Find(Method method, std::string_view path) const {
  RouteMatch out;
  // A literal route that takes the method wins over any with parameters (it matches every
  // segment literally), and the first added wins among literal ones, as in the scan below.
  if (method != Method::kOptions && IsCanonical(path)) {
    if (auto it = literal_.find(path); it != literal_.end()) {
      for (const std::size_t i : it->second) {
        const Route& route = routes_[i];
        if (route.method == method || (method == Method::kHead && route.method == Method::kGet)) {
          out.route = &route;
          out.path_exists = true;
          return out;
        }
      }
    }
  }
  const auto parts = Split(path);
  int best_literals = -1;
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool match = true;
    int literals = 0;
    // Literal segments win over parameters: "/pricing/settings" before "/pricing/:id".
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = route.segments[i];
      if (!seg.empty() && seg[0] == ':') {
        params.emplace(seg.substr(1), std::string(parts[i]));
      } else if (seg != parts[i]) {
        match = false;
        break;
      } else {
        ++literals;
      }
    }
    if (!match) continue;
    out.path_exists = true;
    if (std::find(out.allowed.begin(), out.allowed.end(), route.method) == out.allowed.end()) {
      out.allowed.push_back(route.method);
    }
    const bool method_ok =
        route.method == method || (method == Method::kHead && route.method == Method::kGet);
    if (method_ok && literals > best_literals) {
      best_literals = literals;
      out.route = &route;
      out.params = std::move(params);
    }
  }
  return out;
}

}  // namespace coffee::http
