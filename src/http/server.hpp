#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/limits.hpp"
#include "http/middleware/auth.hpp"
#include "http/router.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace coffee::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  unsigned short port = 8080;  // 0 = any free port
  /// Reading a request body, and writing a response.
  std::chrono::seconds request_timeout{30};
  /// Waiting for the first byte of the next request on a keep-alive connection.
  std::chrono::seconds idle_timeout{60};
  /// Reading a request's headers: from accept (first request) or from its first byte.
  std::chrono::seconds header_timeout{10};
  /// Open connections beyond this are answered 503 and closed at once.
  std::size_t max_connections = 10000;
  std::size_t body_limit = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::vector<std::string> cors_origins;  // "*" allows any origin
  /// Streamed responses open at once; beyond it a new one is answered 503 with Retry-After.
  std::size_t max_streams = 1000;
  /// Peers whose `X-Forwarded-For` names the client (reverse proxies); empty → the peer.
  std::vector<std::string> trusted_proxies;
};

/// Called once per answered request: route pattern (or "unmatched"), method, status, seconds.
using RequestObserver =
    std::function<void(std::string_view route, std::string_view method, int status, double)>;

/// The HTTP/1.1 server: Beast coroutine sessions with keep-alive, deadlines on every read,
/// body and header limits, request ids, access log, CORS, rate limits, streamed responses and
/// graceful stop. The listener (server/listener.cpp) accepts, a session (server/session.cpp)
/// reads and writes, the dispatcher (server/dispatch.cpp) routes through the middleware.
class Server {
 public:
  /// `contexts`: one io_context per I/O thread, each run by exactly one thread. The first also
  /// runs the acceptor; accepted connections are spread over all of them round-robin, and a
  /// connection stays on its context (no strand, no hand-off between threads). `limiter` may be
  /// null (no rate limits); it must outlive the server.
  Server(std::vector<boost::asio::io_context*> contexts, boost::asio::thread_pool& workers,
         const Router& router, TokenVerifier verifier, app::RequestLimiter* limiter,
         RequestObserver observer, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts accepting; returns the bound port. Throws on bind failure.
  unsigned short Listen();
  /// Stops accepting, closes idle connections and ends streams; busy ones close after their
  /// response.
  void Stop();
  /// Open connections right now.
  [[nodiscard]] std::size_t ActiveConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace coffee::http
