#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/user.hpp"
#include "http/message.hpp"

namespace coffee::http {

/// Where a handler runs: on the I/O thread (pure CPU, microseconds) or on the worker pool
/// (database, password hashing).
enum class Exec { kInline, kWorker };

/// Who may call a route.
enum class Access { kPublic, kOptionalAuth, kUser, kStaff, kAdmin };

struct Route {
  Method method = Method::kGet;
  std::string pattern;  // "/api/coffees/:id"; also the metrics label
  std::vector<std::string> segments;
  Handler handler;
  Access access = Access::kPublic;
  Exec exec = Exec::kWorker;
  FastPath fast;  // optional: answers on the I/O thread when it can
};

/// The outcome of matching a request line.
struct RouteMatch {
  const Route* route = nullptr;  // null: see path_exists / allowed
  std::map<std::string, std::string, std::less<>> params;
  bool path_exists = false;  // some route has this path (so 405, not 404)
  /// Methods that path accepts: filled when no route takes the request's method, and for
  /// OPTIONS (the answers that list them), not when a literal route matched at once.
  std::vector<Method> allowed;
};

/// Method + path pattern routing with `:name` parameters.
class Router {
 public:
  void Add(Method method, std::string pattern, Access access, Exec exec, Handler handler);
  /// A worker route whose `fast` path is tried first on the I/O thread.
  void AddWithFastPath(Method method, std::string pattern, Access access, FastPath fast,
                       Handler handler);
  [[nodiscard]] RouteMatch Find(Method method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  /// Routes without parameters by their canonical path ("/api/coffees"), as indexes into
  /// routes_ in the order they were added: most requests are one lookup, not a scan.
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<std::size_t>, PathHash, std::equal_to<>> literal_;
};

}  // namespace coffee::http
