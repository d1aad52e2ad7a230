// Start-up probe: time from process start to the first `GET /readyz` answered 200.
//
//   startup_probe PORT TIMEOUT_S -- COMMAND [ARGS...]
//
// Forks COMMAND (environment inherited), then polls 127.0.0.1:PORT/readyz every 1 ms with a
// raw HTTP/1.1 request; prints `startup_ms=X` on the first 200, then stops the child with
// SIGTERM (SIGKILL after 5 s) and waits for it. Exit 1 if no 200 within TIMEOUT_S.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

bool ReadyzOk(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      timeval tv{2, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[64];
      std::size_t got = 0;
      while (got < 12) {
        const ssize_t n = ::recv(fd, buf + got, sizeof buf - got, 0);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      ok = got >= 12 && std::strncmp(buf + 8, " 200", 4) == 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::strcmp(argv[3], "--") != 0) {
    std::fprintf(stderr, "usage: %s PORT TIMEOUT_S -- COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const double timeout_s = std::atof(argv[2]);
  std::vector<char*> args(argv + 4, argv + argc);
  args.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) {
    ::execv(args[0], args.data());
    std::perror("execv");
    std::_Exit(127);
  }
  int rc = 1;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (ReadyzOk(port)) {
      // Measured when the 200 has arrived (conservative: includes the probe's round trip).
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      std::printf("startup_ms=%.1f\n", ms);
      rc = 0;
      break;
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      std::fprintf(stderr, "startup_probe: server exited before /readyz was 200\n");
      return 1;
    }
    if (std::chrono::duration<double>(now - start).count() > timeout_s) {
      std::fprintf(stderr, "startup_probe: no 200 from /readyz within %.0f s\n", timeout_s);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(child, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  return rc;
}
