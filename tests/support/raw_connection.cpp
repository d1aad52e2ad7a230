#include "raw_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace coffee::testing {

namespace {
using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  return static_cast<int>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
}
}  // namespace

RawConnection::RawConnection(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ =
      fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void RawConnection::ReadSome(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return;
  std::array<char, 8192> buf{};
  const auto n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n > 0) {
    received_.append(buf.data(), static_cast<std::size_t>(n));
  } else {
    closed_ = true;
  }
}

bool RawConnection::Closed(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  while (!closed_) {
    const int left = MillisecondsLeft(deadline);
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) {
      if (left == 0) return false;  // polled once even for a zero wait
      continue;
    }
    ReadSome(0);
  }
  return true;
}

HttpResult RawConnection::ReadResponse(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    if (auto res = TakeResponse()) return *res;
    if (Clock::now() >= deadline || closed_) return {};
    ReadSome(50);
  }
}

bool RawConnection::WaitFor(std::string_view needle, std::chrono::milliseconds wait,
                            std::size_t from) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    if (received_.size() > from && received_.find(needle, from) != std::string::npos) return true;
    const int left = MillisecondsLeft(deadline);
    if (left == 0 || closed_) return false;
    ReadSome(std::min(left, 50));
  }
}

std::optional<HttpResult> RawConnection::TakeResponse() {
  auto parsed = ParseResponse(received_);
  if (!parsed) return std::nullopt;
  received_.erase(0, parsed->second);
  return parsed->first;
}

std::optional<std::pair<HttpResult, std::size_t>> ParseResponse(std::string_view raw) {
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string_view::npos || raw.size() < 12) return std::nullopt;
  HttpResult out;
  out.status = std::atoi(std::string(raw.substr(9, 3)).c_str());
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    const auto eol = raw.find("\r\n", pos);
    const std::string_view line = raw.substr(pos, eol - pos);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      out.headers[name] = std::string(value);
    }
    pos = eol + 2;
  }
  const std::size_t length = std::stoul(
      out.Header("content-length").empty() ? std::string("0") : out.Header("content-length"));
  if (raw.size() < end + 4 + length) return std::nullopt;
  out.body = std::string(raw.substr(end + 4, length));
  return std::pair{out, end + 4 + length};
}

}  // namespace coffee::testing
