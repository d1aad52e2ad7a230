// The physical limit of "Cached rules read" (BENCHMARKS.md): a bare epoll HTTP responder that
// answers every request with the same bytes, read once from a file (our server's complete
// response, status line and headers included). No parsing beyond finding the blank line that
// ends each request; keep-alive; pipelined requests are answered in order.
//
//   epoll_responder PORT RESPONSE_FILE THREADS
//
// Each of THREADS threads owns a listening socket on 127.0.0.1:PORT (SO_REUSEPORT: the kernel
// spreads connections over them) and one epoll loop, like our server's one io_context per I/O
// thread. Prints `listening port=P threads=T bytes=B` once every thread listens, then runs
// until killed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::string_view kEndOfHeaders = "\r\n\r\n";

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

int Listen(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) Die("SO_REUSEPORT");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("bind");
  if (listen(fd, 4096) != 0) Die("listen");
  return fd;
}

/// What a connection has read of a request that is not complete yet (usually nothing).
struct Partial {
  std::string tail;
};

/// Answers every complete request in `data` (plus what `partial` kept); keeps the rest.
/// Returns false when the connection must be closed.
bool Answer(int fd, std::string_view data, Partial& partial, const std::string& response) {
  std::string joined;
  if (!partial.tail.empty()) {
    joined = partial.tail + std::string(data);
    data = joined;
  }
  std::size_t requests = 0;
  std::size_t consumed = 0;
  for (;;) {
    const auto end = data.find(kEndOfHeaders, consumed);
    if (end == std::string_view::npos) break;
    consumed = end + kEndOfHeaders.size();
    ++requests;
  }
  partial.tail.assign(data.substr(consumed));
  if (partial.tail.size() > 65536) return false;
  for (std::size_t i = 0; i < requests; ++i) {
    std::size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // The client is not reading; for a load generator this does not happen. Wait briefly.
        std::this_thread::yield();
      } else {
        return false;
      }
    }
  }
  return true;
}

void Serve(int port, const std::string& response, std::atomic<int>& listening) {
  const int listener = Listen(port);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) Die("epoll_create1");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) Die("epoll_ctl");
  listening.fetch_add(1);
  std::unordered_map<int, Partial> partials;
  std::array<epoll_event, 256> events{};
  std::array<char, 16384> buffer{};
  for (;;) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Die("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == listener) {
        for (;;) {
          const int client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (client < 0) break;
          const int one = 1;
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLRDHUP;
          cev.data.fd = client;
          epoll_ctl(ep, EPOLL_CTL_ADD, client, &cev);
          partials[client];
        }
        continue;
      }
      bool open = true;
      for (;;) {
        const ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
        if (got > 0) {
          if (!Answer(fd, std::string_view(buffer.data(), static_cast<std::size_t>(got)),
                      partials[fd], response)) {
            open = false;
            break;
          }
          if (static_cast<std::size_t>(got) < buffer.size()) break;
        } else if (got < 0 && errno == EINTR) {
          continue;
        } else if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          break;
        } else {
          open = false;
          break;
        }
      }
      if (!open) {
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        partials.erase(fd);
        close(fd);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PORT RESPONSE_FILE THREADS\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  std::ifstream file(argv[2], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  std::stringstream content;
  content << file.rdbuf();
  const std::string response = content.str();
  const int threads = std::max(1, std::atoi(argv[3]));
  std::atomic<int> listening{0};
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&] { Serve(port, response, listening); });
  }
  while (listening.load() < threads) std::this_thread::yield();
  std::printf("listening port=%d threads=%d bytes=%zu\n", port, threads, response.size());
  std::fflush(stdout);
  for (auto& w : workers) w.join();
  return 0;
}
