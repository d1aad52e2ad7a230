#pragma once

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace coffee::http::server {

/// A TCP socket whose reads and writes fail with beast::error::timeout once the deadline set by
/// expires_after passes while one of them is pending, as with beast::tcp_stream, but without a
/// timer per operation: beast's stream arms and cancels a steady_timer around every read and
/// write, which on a keep-alive GET cost a timerfd_settime syscall and a cancelled-wait handler
/// (and with it another poll of the reactor) per request. Here setting a deadline is a store,
/// and one sweep of every connection (DeadlineSweep in listener.cpp, a few times a second)
/// cancels the operations of those past theirs: deadlines are honoured within a sweep period.
///
/// An AsyncReadStream and AsyncWriteStream for Beast's HTTP reads and Asio's writes. Operations
/// are started and completed on the connection's own thread; the sweep reads the deadline and
/// the pending count from another thread, hence the atomics.
class TimedSocket {
 public:
  using Clock = std::chrono::steady_clock;
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  explicit TimedSocket(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }

  /// The reads and writes started from now on must end within `timeout` (of now).
  void expires_after(Clock::duration timeout) { expires_at(Clock::now() + timeout); }

  /// The reads and writes started from now on must end by `deadline`.
  void expires_at(Clock::time_point deadline) {
    timed_out_ = false;
    deadline_.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
  }

  /// True when an operation is pending past its deadline (read from any thread).
  [[nodiscard]] bool Overdue(Clock::time_point now) const {
    return pending_.load(std::memory_order_relaxed) > 0 &&
           deadline_.load(std::memory_order_relaxed) < now.time_since_epoch().count();
  }

  /// On the connection's thread: cancels the pending operations if still overdue; they then
  /// complete with beast::error::timeout.
  void CancelIfOverdue() {
    if (!Overdue(Clock::now())) return;
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }

  /// Sends what the socket takes at once of `buffers`, without waiting (the socket is in
  /// non-blocking mode): the bytes sent, 0 with `ec` clear when it would block. A response
  /// that fits the socket's send buffer, as nearly all do, is then written without going
  /// through the reactor: an asynchronous write that completes at once still queues its
  /// completion, which costs the connection's thread another scheduler round and poll.
  template <typename ConstBuffers>
  std::size_t WriteNow(const ConstBuffers& buffers, boost::system::error_code& ec) {
    if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
    if (ec) return 0;
    const std::size_t sent = socket_.write_some(buffers, ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      ec.clear();
      return 0;
    }
    return sent;
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          socket_.async_read_some(b, Track(std::move(handler)));
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          socket_.async_write_some(b, Track(std::move(handler)));
        },
        token, buffers);
  }

 private:
  /// `handler`, counted as pending until it runs, with a cancellation by the sweep turned into
  /// beast::error::timeout; on the executor `handler` would have run on.
  template <typename Handler>
  auto Track(Handler handler) {
    pending_.fetch_add(1, std::memory_order_relaxed);
    auto ex = boost::asio::get_associated_executor(handler, socket_.get_executor());
    return boost::asio::bind_executor(
        ex, [this, h = std::move(handler)](boost::system::error_code ec, std::size_t n) mutable {
          pending_.fetch_sub(1, std::memory_order_relaxed);
          if (ec == boost::asio::error::operation_aborted && timed_out_) {
            ec = boost::beast::error::timeout;
          }
          std::move(h)(ec, n);
        });
  }

  boost::asio::ip::tcp::socket socket_;
  std::atomic<Clock::rep> deadline_{Clock::time_point::max().time_since_epoch().count()};
  std::atomic<int> pending_{0};
  bool timed_out_ = false;  // the connection's thread only
};

}  // namespace coffee::http::server
