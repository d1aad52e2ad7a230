#include "http/handlers/static_handlers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"

namespace coffee::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

/// Calls `fn` with each comma-separated element of a header value, trimmed.
template <typename F>
void ForEachElement(std::string_view value, F&& fn) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    fn(Trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

/// The files of a site by relative path.
using FileIndex = std::map<std::string, const EmbeddedFile*, std::less<>>;

Response ServeFile(const StaticSite& site, const EmbeddedFile& file, const Request& req) {
  Response res;
  res.content_type = std::string(ContentTypeFor(file.path));
  res.headers.emplace_back("Cache-Control", "no-cache");
  if (!site.content_security_policy.empty()) {
    res.headers.emplace_back("Content-Security-Policy", site.content_security_policy);
  }
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  const bool gzip = file.gzip != nullptr &&
                    AcceptsGzip(req.headers.Get("accept-encoding").value_or(std::string_view{}));
  // The gzip form is another representation, so it has its own validator.
  std::string etag(file.etag);
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  res.headers.emplace_back("ETag", etag);
  if (file.gzip != nullptr) res.headers.emplace_back("Vary", "Accept-Encoding");
  if (auto match = req.headers.Get("if-none-match"); match && EtagMatches(*match, etag)) {
    res.status = 304;
    return res;
  }
  if (gzip) {
    res.headers.emplace_back("Content-Encoding", "gzip");
    res.body = std::string(file.GzipBytes());
  } else {
    res.body = std::string(file.Bytes());
  }
  return res;
}

Response NotFound(const Request& req) {
  return json::ErrorResponse(
      app::AppError{app::ErrorCode::kRouteNotFound, "No route for " + req.path, {}, {}});
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
  }};
  const auto dot = path.rfind('.');
  if (dot != std::string_view::npos && path.find('/', dot) == std::string_view::npos) {
    const auto ext = path.substr(dot);
    for (const auto& [suffix, type] : kTypes) {
      if (IEquals(ext, suffix)) return type;
    }
  }
  return "application/octet-stream";
}

bool AcceptsGzip(std::string_view accept_encoding) {
  bool accepted = false;
  ForEachElement(accept_encoding, [&accepted](std::string_view element) {
    const auto semicolon = element.find(';');
    const auto coding = Trim(element.substr(0, semicolon));
    if (!IEquals(coding, "gzip") && coding != "*") return;
    bool zero = false;
    if (semicolon != std::string_view::npos) {
      auto param = Trim(element.substr(semicolon + 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        param.remove_prefix(2);
        // q=0, q=0.0, q=0.00, q=0.000 refuse the coding.
        zero = !param.empty() && param.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (!zero) accepted = true;
  });
  return accepted;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  const auto opaque = [](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  bool matched = false;
  ForEachElement(if_none_match, [&](std::string_view candidate) {
    if (candidate == "*" || (!candidate.empty() && opaque(candidate) == opaque(etag))) {
      matched = true;
    }
  });
  return matched;
}

void AddStaticRoutes(Router& router, StaticSite site) {
  auto shared = std::make_shared<const StaticSite>(std::move(site));
  auto index = std::make_shared<FileIndex>();
  std::set<std::size_t> depths;
  for (const auto& file : shared->files) {
    index->emplace(std::string(file.path), &file);
    depths.insert(static_cast<std::size_t>(std::count(file.path.begin(), file.path.end(), '/')) +
                  1);
  }
  router.Add(Method::kGet, shared->mount, Access::kPublic, Exec::kInline,
             [shared, index](Request& req) {
               // Relative URLs in the index resolve against the directory, so it is only
               // served with the trailing slash.
               if (!req.path.ends_with('/')) {
                 Response res;
                 res.status = 301;
                 res.content_type.clear();
                 std::string location = shared->mount + "/";
                 if (const auto q = req.target.find('?'); q != std::string::npos) {
                   location += req.target.substr(q);
                 }
                 res.headers.emplace_back("Location", std::move(location));
                 return res;
               }
               const auto it = index->find(shared->index);
               if (it == index->end()) return NotFound(req);
               return ServeFile(*shared, *it->second, req);
             });
  for (const std::size_t depth : depths) {
    std::string pattern = shared->mount;
    for (std::size_t i = 1; i < depth; ++i) pattern += "/:dir" + std::to_string(i);
    pattern += "/:file";
    router.Add(Method::kGet, pattern, Access::kPublic, Exec::kInline,
               [shared, index, depth](Request& req) {
                 std::string path;
                 for (std::size_t i = 1; i < depth; ++i) {
                   path += req.params.at("dir" + std::to_string(i)) + "/";
                 }
                 path += req.params.at("file");
                 const auto it = index->find(path);
                 if (it == index->end()) return NotFound(req);
                 return ServeFile(*shared, *it->second, req);
               });
  }
}

void AddSwaggerUiRoutes(Router& router) {
  if (SwaggerUiFiles().empty()) return;
  AddStaticRoutes(router, StaticSite{"/swagger-ui", SwaggerUiFiles(), "index.html",
                                     std::string(kSwaggerUiContentSecurityPolicy)});
}

void AddConsoleRoutes(Router& router) {
  AddStaticRoutes(router, StaticSite{"/console", ConsoleFiles(), "index.html",
                                     std::string(kConsoleContentSecurityPolicy)});
}

}  // namespace coffee::http
