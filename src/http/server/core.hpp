#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <set>

#include "http/middleware/cors.hpp"
#include "http/server.hpp"
#include "http/server/dispatch.hpp"
#include "http/server/timed_socket.hpp"

namespace coffee::http::server {

/// One accepted connection. Touched only on its own I/O thread; others post there.
struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
  TimedSocket stream;
  bool busy = false;  // between a request's headers and the end of its response
  /// While the connection streams a response: cancelling it wakes the stream to end it.
  boost::asio::steady_timer* stream_wake = nullptr;
};

/// What the listener and every session of one server share.
struct Core {
  Core(const Router& router, TokenVerifier verifier, app::RequestLimiter* limiter,
       RequestObserver observer_in, ServerOptions options_in, boost::asio::thread_pool& pool);

  /// Tracks `conn` unless MAX_CONNECTIONS are open already (then false: it is tracked among
  /// the refused until Forget, so that its deadlines are swept too).
  bool Admit(const std::shared_ptr<Connection>& conn);
  void Forget(const std::shared_ptr<Connection>& conn);

  ServerOptions options;
  middleware::Cors cors;
  Dispatcher dispatcher;
  RequestObserver observer;
  boost::asio::thread_pool& workers;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_streams{0};
  mutable std::mutex mu;
  std::set<std::shared_ptr<Connection>> connections;
  std::set<std::shared_ptr<Connection>> refused;  // being answered 503, then closed
};

/// Serves requests on `conn` (keep-alive, deadlines, streamed responses) until it closes.
boost::asio::awaitable<void> Session(std::shared_ptr<Core> core, std::shared_ptr<Connection> conn);
/// A connection over MAX_CONNECTIONS: 503 in the error shape, then close.
boost::asio::awaitable<void> Refuse(std::shared_ptr<Core> core, std::shared_ptr<Connection> conn);

}  // namespace coffee::http::server
