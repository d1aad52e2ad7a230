#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/server.hpp"
#include "http/server/core.hpp"

namespace coffee::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace server {

/// How often the deadlines of every connection's reads and writes are checked (TimedSocket):
/// a timeout takes effect up to this much after it passes.
constexpr std::chrono::milliseconds kDeadlineSweep{250};

Core::Core(const Router& router, TokenVerifier verifier, app::RequestLimiter* limiter,
           RequestObserver observer_in, ServerOptions options_in, asio::thread_pool& pool)
    : options(std::move(options_in)),
      cors(options.cors_origins),
      dispatcher(router, std::move(verifier), limiter, cors),
      observer(std::move(observer_in)),
      workers(pool) {}

bool Core::Admit(const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mu);
  if (connections.size() >= options.max_connections) {
    refused.insert(conn);
    return false;
  }
  connections.insert(conn);
  return true;
}

void Core::Forget(const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mu);
  connections.erase(conn);
  refused.erase(conn);
}

}  // namespace server

/// The acceptor and the I/O contexts connections are dealt to.
struct Server::Impl {
  Impl(std::vector<asio::io_context*> ctxs, std::shared_ptr<server::Core> c)
      : contexts(std::move(ctxs)),
        core(std::move(c)),
        acceptor(*contexts.at(0)),
        sweep_timer(*contexts.at(0)) {}

  std::vector<asio::io_context*> contexts;  // one thread each
  std::size_t next_context = 0;             // round-robin; touched by the acceptor only
  std::shared_ptr<server::Core> core;
  tcp::acceptor acceptor;
  asio::steady_timer sweep_timer;  // on the acceptor's context

  /// Every kDeadlineSweep until the server stops: cancels, on its own thread, the operations
  /// of each connection past its deadline.
  asio::awaitable<void> SweepDeadlines() {
    constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
    while (!core->stopping) {
      sweep_timer.expires_after(server::kDeadlineSweep);
      auto waited = co_await sweep_timer.async_wait(kTuple);
      if (std::get<0>(waited) || core->stopping) co_return;
      const auto now = server::TimedSocket::Clock::now();
      std::lock_guard lock(core->mu);
      for (const auto* tracked : {&core->connections, &core->refused}) {
        for (const auto& conn : *tracked) {
          if (conn->stream.Overdue(now)) {
            asio::post(conn->stream.get_executor(), [conn] { conn->stream.CancelIfOverdue(); });
          }
        }
      }
    }
  }

  asio::awaitable<void> Accept() {
    constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
    bool refusing = false;  // logs once per stretch at the connection limit
    for (;;) {
      auto& context = *contexts[next_context];
      next_context = (next_context + 1) % contexts.size();
      auto accepted = co_await acceptor.async_accept(context, kTuple);
      auto& ec = std::get<0>(accepted);
      auto& socket = std::get<1>(accepted);
      if (ec) {
        if (core->stopping || ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors (or a similar resource): accepting again at once would spin,
        // so give closing connections a moment.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(acceptor.get_executor());
        pause.expires_after(std::chrono::milliseconds(100));
        co_await pause.async_wait(kTuple);
        continue;
      }
      auto conn = std::make_shared<server::Connection>(std::move(socket));
      auto ex = conn->stream.get_executor();
      if (!core->Admit(conn)) {
        if (!refusing) {
          spdlog::warn("connection limit of {} reached; answering 503 to new connections",
                       core->options.max_connections);
        }
        refusing = true;
        asio::co_spawn(ex, server::Refuse(core, conn), asio::detached);
        continue;
      }
      refusing = false;
      asio::co_spawn(ex, server::Session(core, conn), asio::detached);
    }
  }
};

Server::Server(std::vector<asio::io_context*> contexts, asio::thread_pool& workers,
               const Router& router, TokenVerifier verifier, app::RequestLimiter* limiter,
               RequestObserver observer, ServerOptions options)
    : impl_(std::make_shared<Impl>(
          std::move(contexts),
          std::make_shared<server::Core>(router, std::move(verifier), limiter, std::move(observer),
                                         std::move(options), workers))) {}

Server::~Server() = default;

unsigned short Server::Listen() {
  auto address = asio::ip::make_address(impl_->core->options.host);
  tcp::endpoint endpoint{address, impl_->core->options.port};
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  const auto port = impl_->acceptor.local_endpoint().port();
  auto impl = impl_;
  asio::co_spawn(
      impl_->acceptor.get_executor(), [impl]() { return impl->Accept(); }, asio::detached);
  asio::co_spawn(
      impl_->acceptor.get_executor(), [impl]() { return impl->SweepDeadlines(); }, asio::detached);
  return port;
}

void Server::Stop() {
  auto impl = impl_;
  auto& core = *impl->core;
  core.stopping = true;
  asio::post(impl->acceptor.get_executor(), [impl] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    impl->sweep_timer.cancel();
  });
  std::lock_guard lock(core.mu);
  for (const auto& conn : core.connections) {
    asio::post(conn->stream.get_executor(), [conn] {
      boost::system::error_code ec;
      if (conn->stream_wake != nullptr) {
        conn->stream_wake->cancel();
      } else if (!conn->busy) {
        conn->stream.socket().cancel(ec);
      }
    });
  }
}

std::size_t Server::ActiveConnections() const {
  std::lock_guard lock(impl_->core->mu);
  return impl_->core->connections.size();
}

}  // namespace coffee::http
