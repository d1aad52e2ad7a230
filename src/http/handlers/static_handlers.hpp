#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace coffee::http {

/// One file embedded in the binary at build time (cmake/EmbedDirectory.cmake).
struct EmbeddedFile {
  std::string_view path;  // relative to the embedded directory: "index.html", "img/a.svg"
  const unsigned char* data;
  std::size_t size;
  const unsigned char* gzip;  // the gzip form, or nullptr when it would not save enough
  std::size_t gzip_size;
  std::string_view etag;  // strong, quoted: "\"3f2a…\""

  [[nodiscard]] std::string_view Bytes() const {
    return {reinterpret_cast<const char*>(data), size};
  }
  [[nodiscard]] std::string_view GzipBytes() const {
    return {reinterpret_cast<const char*>(gzip), gzip_size};
  }
};

/// A directory of embedded files served under `mount` ("/console"): `mount` redirects to
/// `mount/`, which serves `index`; `mount/<path>` serves that file or answers 404.
struct StaticSite {
  std::string mount;
  std::span<const EmbeddedFile> files;
  std::string index = "index.html";
  /// Sent as Content-Security-Policy with every file.
  std::string content_security_policy;
};

/// The web console (web/console/), embedded at build time.
std::span<const EmbeddedFile> ConsoleFiles();

/// The Content-Security-Policy of the console: everything from its own origin, nothing inline.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

/// The Content-Type for a file name, by extension (text types with charset=utf-8).
std::string_view ContentTypeFor(std::string_view path);

/// True if an Accept-Encoding header value accepts gzip (a `gzip` or `*` coding with q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

/// True if an If-None-Match header value matches `etag` (weak comparison, `*` matches).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

/// GET (and HEAD) routes of `site`: `mount` plus one `mount[/:dir1…]/:file` pattern per path
/// depth present among its files. Public, answered on the I/O thread.
void AddStaticRoutes(Router& router, StaticSite site);

/// The web console at /console/ (GET /console and GET /console/:file).
void AddConsoleRoutes(Router& router);

/// Swagger UI (web/swagger-ui/ and npm's swagger-ui-dist), embedded at build time; empty when
/// the build had no npm (COFFEE_SWAGGER_UI).
std::span<const EmbeddedFile> SwaggerUiFiles();

/// Swagger UI needs inline styles (it sets style attributes); scripts stay same-origin files.
inline constexpr std::string_view kSwaggerUiContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Interactive API documentation at /swagger-ui/ (GET /swagger-ui and /swagger-ui/:file) when
/// it was embedded; no routes otherwise.
void AddSwaggerUiRoutes(Router& router);

}  // namespace coffee::http
