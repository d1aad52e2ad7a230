#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "http_client.hpp"

namespace coffee::testing {

/// A raw TCP connection to a loopback port, for clients that misbehave on purpose (partial
/// requests, trickled bytes, bodies shorter than their Content-Length) and for streamed
/// responses that a request/response client cannot read.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] const std::string& received() const { return received_; }

  /// Sends all of `bytes`; false once the server has closed the connection.
  bool Send(std::string_view bytes);
  /// Reads for up to `wait`; true once the server has closed the connection (EOF or reset).
  /// Whatever the server sent before is kept in received().
  bool Closed(std::chrono::milliseconds wait);
  /// Reads until one whole response (headers and Content-Length bytes) has arrived; the
  /// connection stays open. Returns it, or an empty result after `wait`.
  HttpResult ReadResponse(std::chrono::milliseconds wait);
  /// Reads for up to `wait` until received() contains `needle` (searched from `from`); false if
  /// it did not arrive.
  bool WaitFor(std::string_view needle, std::chrono::milliseconds wait, std::size_t from = 0);

 private:
  /// Waits up to `timeout_ms` for data and appends it; marks the connection closed on EOF.
  void ReadSome(int timeout_ms);
  std::optional<HttpResult> TakeResponse();

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

/// Splits one raw HTTP/1.1 response (status line, headers, body of Content-Length bytes): the
/// response and the number of bytes it took.
std::optional<std::pair<HttpResult, std::size_t>> ParseResponse(std::string_view raw);

}  // namespace coffee::testing
