#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <mutex>
#include <random>
#include <set>

#include "http/json.hpp"
#include "http/rate_limiter.hpp"

namespace coffee::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

namespace {

Method ToMethod(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 0xFU];
    v >>= 4U;
  }
  return id;
}

bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

app::AppError AuthError(app::ErrorCode code, std::string details) {
  return app::AppError{code, std::move(details), {}, {}};
}

std::optional<domain::Role> RequiredRole(Access a) {
  switch (a) {
    case Access::kUser:
      return domain::Role::kUser;
    case Access::kStaff:
      return domain::Role::kStaff;
    case Access::kAdmin:
      return domain::Role::kAdmin;
    default:
      return std::nullopt;
  }
}

/// What to answer when reading a request failed; nullopt when the client just went away or
/// timed out (nothing to answer).
std::optional<app::AppError> ReadError(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return app::AppError{app::ErrorCode::kHeadersTooLarge, "Request headers are too large", {}, {}};
  }
  if (ec == bhttp::error::body_limit) {
    return app::AppError{
        app::ErrorCode::kPayloadTooLarge, "Request body exceeds the 1 MiB limit", {}, {}};
  }
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::eof || ec == asio::error::bad_descriptor) {
    return std::nullopt;
  }
  return app::AppError{
      app::ErrorCode::kValidation, "Malformed HTTP request: " + ec.message(), {}, {}};
}

/// True for the routes the auth limiter guards (credential guessing and account creation).
bool IsAuthLimited(const Route& route) {
  return route.method == Method::kPost &&
         (route.pattern == "/api/auth/login" || route.pattern == "/api/auth/register" ||
          route.pattern == "/api/auth/refresh");
}

/// The 429 answer (SPEC §2 error shape) with its `Retry-After`.
Response RateLimited(std::chrono::seconds retry_after) {
  const std::string seconds = std::to_string(retry_after.count());
  Response res = ErrorResponse(app::AppError{
      app::ErrorCode::kRateLimited, "Too many requests; retry in " + seconds + " seconds", {}, {}});
  res.headers.emplace_back("Retry-After", seconds);
  return res;
}

/// Runs a handler, turning unexpected exceptions into 503/500 (details go to the log only).
Response Invoke(const Route& route, Request& req) {
  try {
    return route.handler(req);
  } catch (const app::DatabaseUnavailable& e) {
    spdlog::error("request {}: database unavailable: {}", req.request_id, e.what());
    return ErrorResponse(app::AppError{
        app::ErrorCode::kUnavailable, "The database is unavailable; retry shortly", {}, {}});
  } catch (const std::exception& e) {
    spdlog::error("request {}: unhandled error: {}", req.request_id, e.what());
    return ErrorResponse(
        app::AppError{app::ErrorCode::kInternal,
                      "An unexpected error occurred (request id " + req.request_id + ")",
                      {},
                      {}});
  }
}

/// Runs `fn` on the worker pool and resumes the calling coroutine on its own executor.
template <typename F>
asio::awaitable<Response> OnWorker(asio::thread_pool& pool, F fn) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [&pool, fn = std::move(fn)](auto handler) mutable {
        asio::post(pool, [fn = std::move(fn), handler = std::move(handler)]() mutable {
          Response r = fn();
          auto ex = asio::get_associated_executor(handler);
          asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
            std::move(handler)(std::move(r));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  struct Connection {
    explicit Connection(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    bool busy = false;  // touched only on the connection's strand
  };

  Impl(asio::io_context& io_ctx, asio::thread_pool& pool, const Router& r, TokenVerifier v,
       RequestObserver o, ServerOptions opts)
      : io(io_ctx),
        workers(pool),
        router(r),
        verifier(std::move(v)),
        observer(std::move(o)),
        options(std::move(opts)),
        acceptor(asio::make_strand(io_ctx)) {
    if (options.rate_limit_enabled) {
      global_limiter = std::make_unique<RateLimiter>(options.rate_limit_per_minute,
                                                     options.rate_limit_per_minute);
      auth_limiter = std::make_unique<RateLimiter>(options.rate_limit_auth_per_minute,
                                                   std::min(5, options.rate_limit_auth_per_minute));
    }
  }

  asio::io_context& io;
  asio::thread_pool& workers;
  const Router& router;
  TokenVerifier verifier;
  RequestObserver observer;
  ServerOptions options;
  tcp::acceptor acceptor;
  std::unique_ptr<RateLimiter> global_limiter;  // null when rate limiting is off
  std::unique_ptr<RateLimiter> auth_limiter;
  std::atomic<bool> stopping{false};
  mutable std::mutex mu;
  std::set<std::shared_ptr<Connection>> connections;

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    for (;;) {
      auto strand = asio::make_strand(io);
      auto accepted = co_await acceptor.async_accept(strand, kTuple);
      auto& ec = std::get<0>(accepted);
      auto& socket = std::get<1>(accepted);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      auto conn = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard lock(mu);
        connections.insert(conn);
      }
      auto ex = conn->stream.get_executor();
      asio::co_spawn(ex, Session(conn), asio::detached);
    }
  }

  void Forget(const std::shared_ptr<Connection>& conn) {
    std::lock_guard lock(mu);
    connections.erase(conn);
  }

  void ApplyCors(const Request& req, Response& res) const {
    if (options.cors_origins.empty()) return;
    auto origin = req.headers.Get("origin");
    if (!origin) return;
    const bool any = std::find(options.cors_origins.begin(), options.cors_origins.end(), "*") !=
                     options.cors_origins.end();
    const bool listed = std::find(options.cors_origins.begin(), options.cors_origins.end(),
                                  *origin) != options.cors_origins.end();
    if (!any && !listed) return;
    res.headers.emplace_back("Access-Control-Allow-Origin", any ? "*" : std::string(*origin));
    res.headers.emplace_back("Vary", "Origin");
    res.headers.emplace_back("Access-Control-Expose-Headers",
                             "X-Request-Id, X-Total-Count, Idempotent-Replayed");
  }

  /// The 429 to answer when the client is over a limit (global first, then auth), else nullopt.
  std::optional<Response> CheckRateLimits(const Request& req, const Route* route) const {
    if (!global_limiter) return std::nullopt;
    const auto now = RateLimiter::Clock::now();
    if (auto d = global_limiter->Check(req.client_ip, now); !d.allowed) {
      return RateLimited(d.retry_after);
    }
    if (route != nullptr && IsAuthLimited(*route)) {
      if (auto d = auth_limiter->Check(req.client_ip, now); !d.allowed) {
        return RateLimited(d.retry_after);
      }
    }
    return std::nullopt;
  }

  /// Routing, authentication and authorization for one request; the handler itself may run
  /// on a worker.
  asio::awaitable<std::pair<Response, std::string>> Dispatch(Request& req) {
    auto match = router.Find(req.method, req.path);
    if (auto limited = CheckRateLimits(req, match.route)) {
      co_return std::pair{std::move(*limited),
                          match.route != nullptr ? match.route->pattern : std::string("unmatched")};
    }
    if (req.method == Method::kOptions && match.path_exists) {
      Response res = NoContent();
      std::string allow = "OPTIONS";
      for (auto m : match.allowed) allow += std::string(", ") + std::string(ToString(m));
      res.headers.emplace_back("Allow", allow);
      if (!options.cors_origins.empty() && req.headers.Get("origin")) {
        res.headers.emplace_back("Access-Control-Allow-Methods", allow);
        res.headers.emplace_back("Access-Control-Allow-Headers",
                                 "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
        res.headers.emplace_back("Access-Control-Max-Age", "600");
      }
      co_return std::pair{std::move(res), std::string("preflight")};
    }
    if (match.route == nullptr) {
      if (match.path_exists) {
        Response res = ErrorResponse(app::AppError{
            app::ErrorCode::kMethodNotAllowed,
            "Method " + std::string(ToString(req.method)) + " is not allowed on " + req.path,
            {},
            {}});
        std::string allow;
        for (auto m : match.allowed) {
          if (!allow.empty()) allow += ", ";
          allow += ToString(m);
          if (m == Method::kGet) allow += ", HEAD";
        }
        allow += ", OPTIONS";
        res.headers.emplace_back("Allow", allow);
        co_return std::pair{std::move(res), std::string("unmatched")};
      }
      co_return std::pair{ErrorResponse(app::AppError{
                              app::ErrorCode::kRouteNotFound, "No route for " + req.path, {}, {}}),
                          std::string("unmatched")};
    }
    const Route& route = *match.route;
    req.params = std::move(match.params);

    if (route.access != Access::kPublic) {
      auto header = req.headers.Get("authorization");
      std::string_view token;
      if (header && header->size() > 7) {
        std::string scheme(header->substr(0, 7));
        for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (scheme == "bearer ") token = header->substr(7);
      }
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      if (!header || header->empty()) {
        if (route.access != Access::kOptionalAuth) {
          co_return std::pair{ErrorResponse(AuthError(app::ErrorCode::kMissingToken,
                                                      "Missing authentication token")),
                              route.pattern};
        }
      } else {
        auto claims = token.empty() ? app::Outcome<app::AccessClaims>(
                                          AuthError(app::ErrorCode::kInvalidToken, "Invalid token"))
                                    : verifier(token);
        if (!claims) co_return std::pair{ErrorResponse(claims.error()), route.pattern};
        req.auth = std::move(claims.value());
      }
      if (auto need = RequiredRole(route.access);
          need && !domain::RoleAtLeast(req.auth->role, *need)) {
        co_return std::pair{
            ErrorResponse(AuthError(app::ErrorCode::kForbidden,
                                    "Insufficient permissions: required role '" +
                                        std::string(domain::ToString(*need)) + "'")),
            route.pattern};
      }
    }
    if (route.exec == Exec::kInline) co_return std::pair{Invoke(route, req), route.pattern};
    if (route.fast) {
      std::optional<Response> quick;
      try {
        quick = route.fast(req);
      } catch (const std::exception& e) {  // a cache problem: let the worker answer
        spdlog::warn("request {}: fast path failed: {}", req.request_id, e.what());
      }
      if (quick) co_return std::pair{std::move(*quick), route.pattern};
    }
    auto job = [&route, &req] { return Invoke(route, req); };
    Response res = co_await OnWorker(workers, std::move(job));
    co_return std::pair{std::move(res), route.pattern};
  }

  /// The client a request comes from: `peer`, or what a trusted proxy forwarded.
  std::string ClientIp(const std::string& peer, const Request& req) const {
    if (options.trusted_proxies.empty()) return peer;
    std::vector<std::string_view> forwarded;
    for (const auto& [name, value] : req.headers.items) {
      if (name == "x-forwarded-for") forwarded.emplace_back(value);
    }
    return ClientAddress(peer, forwarded, options.trusted_proxies);
  }

  static bhttp::response<bhttp::string_body> ToBeast(Response&& res, unsigned version,
                                                     bool keep_alive, bool head,
                                                     const std::string& request_id) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    out.set(bhttp::field::server, "coffee-api");
    if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
    out.set("X-Request-Id", request_id);
    out.set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : res.headers) out.insert(k, v);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    if (head) out.body().clear();
    return out;
  }

  asio::awaitable<void> WriteError(const std::shared_ptr<Connection>& conn,
                                   const app::AppError& error) {
    const std::string rid = NewRequestId();
    auto res = ToBeast(ErrorResponse(error), 11, false, false, rid);
    conn->stream.expires_after(options.request_timeout);
    co_await bhttp::async_write(conn->stream, res, kTuple);
  }

  asio::awaitable<void> Session(std::shared_ptr<Connection> conn) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    std::string client_ip;
    {
      boost::system::error_code ec;
      auto ep = conn->stream.socket().remote_endpoint(ec);
      if (!ec) client_ip = ep.address().to_string();
    }
    bool first = true;
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      conn->stream.expires_after(first ? options.request_timeout : options.idle_timeout);
      first = false;
      // GCC 12 mis-destroys temporaries created inside a co_await expression, so every
      // awaited call below takes named locals only.
      std::optional<app::AppError> fatal;
      auto header_result = co_await bhttp::async_read_header(conn->stream, buffer, parser, kTuple);
      const auto hec = std::get<0>(header_result);
      if (hec) {
        fatal = ReadError(hec);
        if (fatal) co_await WriteError(conn, *fatal);
        break;
      }
      conn->busy = true;
      const auto started = std::chrono::steady_clock::now();
      auto& hdr = parser.get();
      if (hdr[bhttp::field::expect] == "100-continue") {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, hdr.version()};
        conn->stream.expires_after(options.request_timeout);
        co_await bhttp::async_write(conn->stream, cont, kTuple);
      }
      conn->stream.expires_after(options.request_timeout);
      auto body_result = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
      const auto bec = std::get<0>(body_result);
      if (bec) {
        fatal = ReadError(bec);
        if (fatal) co_await WriteError(conn, *fatal);
        break;
      }
      auto beast_req = parser.release();

      Request req;
      req.method = ToMethod(beast_req.method());
      req.target = std::string(beast_req.target());
      for (const auto& field : beast_req) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers.items.emplace_back(std::move(name), std::string(field.value()));
      }
      req.client_ip = ClientIp(client_ip, req);
      auto rid = req.headers.Get("x-request-id");
      req.request_id = rid && IsSafeRequestId(*rid) ? std::string(*rid) : NewRequestId();
      req.body = std::move(beast_req.body());

      Response res;
      std::string route_label = "unmatched";
      if (!ParseTarget(req.target, req.path, req.query)) {
        res = ErrorResponse(app::AppError::Validation("url", "is not a valid request target"));
      } else {
        auto dispatched = co_await Dispatch(req);
        res = std::move(dispatched.first);
        route_label = std::move(dispatched.second);
      }
      ApplyCors(req, res);
      const int status = res.status;
      const bool keep_alive = beast_req.keep_alive() && !stopping;
      auto out = ToBeast(std::move(res), beast_req.version(), keep_alive,
                         req.method == Method::kHead, req.request_id);
      conn->stream.expires_after(options.request_timeout);
      auto write_result = co_await bhttp::async_write(conn->stream, out, kTuple);
      const auto wec = std::get<0>(write_result);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      spdlog::info("{} {} {} {:.2f}ms id={}", ToString(req.method), req.target, status,
                   seconds * 1000.0, req.request_id);
      if (observer) observer(route_label, ToString(req.method), status, seconds);
      conn->busy = false;
      if (wec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
    Forget(conn);
  }
};

Server::Server(asio::io_context& io, asio::thread_pool& workers, const Router& router,
               TokenVerifier verifier, RequestObserver observer, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, workers, router, std::move(verifier), std::move(observer),
                                   std::move(options))) {}

Server::~Server() = default;

unsigned short Server::Listen() {
  auto address = asio::ip::make_address(impl_->options.host);
  tcp::endpoint endpoint{address, impl_->options.port};
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  const auto port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->Accept(), asio::detached);
  return port;
}

void Server::Stop() {
  auto impl = impl_;
  impl->stopping = true;
  asio::post(impl->acceptor.get_executor(), [impl] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
  std::lock_guard lock(impl->mu);
  for (const auto& conn : impl->connections) {
    asio::post(conn->stream.get_executor(), [conn] {
      boost::system::error_code ec;
      if (!conn->busy) conn->stream.socket().cancel(ec);
    });
  }
}

std::size_t Server::ActiveConnections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections.size();
}

}  // namespace coffee::http
