#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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
/// How long (and how much) to read and drop after an error answer before closing.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 4 * 1024 * 1024;
/// The first read of a keep-alive request (the header parser reads on from there).
constexpr std::size_t kFirstReadBytes = 4096;
/// Named so that no temporary is created inside a co_await expression (see Session).
constexpr std::string_view kHeadersPhase = "headers";
constexpr std::string_view kBodyPhase = "body";

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
    bool busy = false;  // touched only on the connection's own I/O thread
  };

  Impl(std::vector<asio::io_context*> ctxs, asio::thread_pool& pool, const Router& r,
       TokenVerifier v, RequestObserver o, ServerOptions opts)
      : contexts(std::move(ctxs)),
        workers(pool),
        router(r),
        verifier(std::move(v)),
        observer(std::move(o)),
        options(std::move(opts)),
        acceptor(*contexts.at(0)) {
    if (options.rate_limit_enabled) {
      global_limiter = std::make_unique<RateLimiter>(options.rate_limit_per_minute,
                                                     options.rate_limit_per_minute);
      auth_limiter = std::make_unique<RateLimiter>(options.rate_limit_auth_per_minute,
                                                   std::min(5, options.rate_limit_auth_per_minute));
    }
  }

  std::vector<asio::io_context*> contexts;  // one thread each
  std::size_t next_context = 0;             // round-robin; touched by the acceptor only
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
    bool refusing = false;  // logs once per stretch at the connection limit
    for (;;) {
      auto& context = *contexts[next_context];
      next_context = (next_context + 1) % contexts.size();
      auto accepted = co_await acceptor.async_accept(context, kTuple);
      auto& ec = std::get<0>(accepted);
      auto& socket = std::get<1>(accepted);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors (or a similar resource): accepting again at once would spin,
        // so give closing connections a moment.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(acceptor.get_executor());
        pause.expires_after(std::chrono::milliseconds(100));
        co_await pause.async_wait(kTuple);
        continue;
      }
      auto conn = std::make_shared<Connection>(std::move(socket));
      bool admitted = false;
      {
        std::lock_guard lock(mu);
        if (connections.size() < options.max_connections) {
          connections.insert(conn);
          admitted = true;
        }
      }
      auto ex = conn->stream.get_executor();
      if (!admitted) {
        if (!refusing) {
          spdlog::warn("connection limit of {} reached; answering 503 to new connections",
                       options.max_connections);
        }
        refusing = true;
        asio::co_spawn(ex, Refuse(conn), asio::detached);
        continue;
      }
      refusing = false;
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

  /// The status line and headers of `res` as HTTP/1.x text. Responses are written as this head
  /// followed by the body bytes, without Beast's serializer: its per-field allocations and
  /// buffer iterators were a tenth of the CPU of a cached read.
  static std::string ResponseHead(const Response& res, unsigned version, bool keep_alive,
                                  const std::string& request_id) {
    std::string head;
    head.reserve(256);
    head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(res.status);
    head += ' ';
    head += bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
    head += "\r\nServer: coffee-api\r\n";
    const auto field = [&head](std::string_view name, std::string_view value) {
      head.append(name).append(": ").append(value).append("\r\n");
    };
    if (!res.content_type.empty()) field("Content-Type", res.content_type);
    field("X-Request-Id", request_id);
    field("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : res.headers) field(name, value);
    // No Content-Length on 1xx, 204 and 304, which never have a body (RFC 9110 §8.6).
    if (res.status >= 200 && res.status != 204 && res.status != 304) {
      field("Content-Length", std::to_string(res.body.size()));
    }
    if (!keep_alive) {
      field("Connection", "close");
    } else if (version == 10) {
      field("Connection", "keep-alive");
    }
    head += "\r\n";
    return head;
  }

  /// Writes `res` (no body for HEAD, 1xx, 204 and 304); the error of the write, if any.
  asio::awaitable<boost::system::error_code> WriteResponse(const std::shared_ptr<Connection>& conn,
                                                           const Response& res, unsigned version,
                                                           bool keep_alive, bool head_only,
                                                           const std::string& request_id) {
    const std::string head = ResponseHead(res, version, keep_alive, request_id);
    const bool with_body =
        !head_only && res.status >= 200 && res.status != 204 && res.status != 304;
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head), with_body ? asio::buffer(res.body) : asio::const_buffer()};
    conn->stream.expires_after(options.request_timeout);
    auto result = co_await asio::async_write(conn->stream, buffers, kTuple);
    co_return std::get<0>(result);
  }

  /// After an error answer: stop sending, then read and drop what the client is still sending
  /// (briefly), so closing does not reset the connection before the client reads the answer.
  asio::awaitable<void> Linger(const std::shared_ptr<Connection>& conn) {
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.expires_after(kLingerTime);
    std::vector<char> scratch(16 * 1024);
    std::size_t drained = 0;
    while (drained < kLingerBytes) {
      auto space = asio::buffer(scratch);
      auto read_result = co_await conn->stream.async_read_some(space, kTuple);
      const auto rec = std::get<0>(read_result);
      if (rec) break;
      drained += std::get<1>(read_result);
    }
  }

  /// A connection over MAX_CONNECTIONS: 503 in the error shape, then close.
  asio::awaitable<void> Refuse(std::shared_ptr<Connection> conn) {
    auto self = shared_from_this();
    const std::string rid = NewRequestId();
    const Response res =
        ErrorResponse(app::AppError{app::ErrorCode::kUnavailable,
                                    "The server is at its connection limit; retry shortly",
                                    {},
                                    {}});
    const auto wec = co_await WriteResponse(conn, res, 11, false, false, rid);
    if (!wec) co_await Linger(conn);
    conn->stream.close();
  }

  /// A request that failed while being read: answers it when there is an answer (413, 431,
  /// 400), echoing the client's request id when its headers got that far, and writes the access
  /// log line; a timeout or a vanished client is only logged.
  asio::awaitable<void> Reject(const std::shared_ptr<Connection>& conn,
                               const bhttp::request_parser<bhttp::string_body>& parser,
                               boost::system::error_code ec, std::string_view phase,
                               std::chrono::steady_clock::time_point started,
                               const std::string& client_ip) {
    // Whatever the parser got before the error: the request line and any complete fields.
    const auto& partial = parser.get();
    const std::string method(partial.method_string());
    const std::string target(partial.target());
    const std::string shown_method = method.empty() ? "-" : method;
    const std::string shown_target = target.empty() ? "-" : target;
    const auto sent_id = partial["X-Request-Id"];
    const std::string rid = IsSafeRequestId(sent_id) ? std::string(sent_id) : NewRequestId();
    auto error = ReadError(ec);
    if (!error) {
      if (ec == beast::error::timeout) {
        spdlog::info("{} {} - timed out reading the {} from {} id={}", shown_method, shown_target,
                     phase, client_ip, rid);
      }
      co_return;
    }
    const Response res = ErrorResponse(*error);
    const int status = res.status;
    const auto wec = co_await WriteResponse(conn, res, 11, false, false, rid);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("{} {} {} {:.2f}ms id={} ip={} rejected: {}", shown_method, shown_target, status,
                 seconds * 1000.0, rid, client_ip, ec.message());
    if (observer) observer("unmatched", ToString(ToMethod(partial.method())), status, seconds);
    if (!wec) co_await Linger(conn);
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
      // GCC 12 mis-destroys temporaries created inside a co_await expression, so every
      // awaited call below takes named locals only.
      if (!first && buffer.size() == 0) {
        // Keep-alive: waiting for the next request is idle time; its headers are timed from
        // their first byte, so trickling bytes cannot hold a connection longer than that.
        conn->stream.expires_after(options.idle_timeout);
        auto space = buffer.prepare(kFirstReadBytes);
        auto wait_result = co_await conn->stream.async_read_some(space, kTuple);
        const auto wec = std::get<0>(wait_result);
        if (wec) break;  // closed, idle too long, or stopping: nothing to answer
        buffer.commit(std::get<1>(wait_result));
      }
      first = false;
      conn->stream.expires_after(options.header_timeout);
      const auto header_started = std::chrono::steady_clock::now();
      auto header_result = co_await bhttp::async_read_header(conn->stream, buffer, parser, kTuple);
      const auto hec = std::get<0>(header_result);
      if (hec) {
        co_await Reject(conn, parser, hec, kHeadersPhase, header_started, client_ip);
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
        co_await Reject(conn, parser, bec, kBodyPhase, started, client_ip);
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
      const unsigned version = beast_req.version();
      const bool head_only = req.method == Method::kHead;
      const auto wec =
          co_await WriteResponse(conn, res, version, keep_alive, head_only, req.request_id);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      spdlog::info("{} {} {} {:.2f}ms id={} ip={}", ToString(req.method), req.target, status,
                   seconds * 1000.0, req.request_id, req.client_ip);
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

Server::Server(std::vector<asio::io_context*> contexts, asio::thread_pool& workers,
               const Router& router, TokenVerifier verifier, RequestObserver observer,
               ServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(contexts), workers, router, std::move(verifier),
                                   std::move(observer), std::move(options))) {}

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
