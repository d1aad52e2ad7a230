#include <gtest/gtest.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "test_server.hpp"

namespace {

using namespace std::chrono_literals;

/// A datagram socket in the role of systemd's notification socket (NOTIFY_SOCKET).
class NotifySocket {
 public:
  NotifySocket()
      : path_(std::filesystem::temp_directory_path() /
              ("coffee-notify-" + std::to_string(::getpid()) + ".sock")) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    ::unlink(path_.c_str());
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  [[nodiscard]] bool bound() const { return bound_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  /// The next datagram, or "" when none arrives within `timeout`.
  std::string Receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    std::array<char, 4096> buffer{};
    const auto n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : "";
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool bound_ = false;
};

/// Whether `message` (newline-separated assignments, as sd_notify sends them) has `line`.
bool HasLine(const std::string& message, const std::string& line) {
  std::size_t start = 0;
  while (start <= message.size()) {
    const std::size_t end = std::min(message.find('\n', start), message.size());
    if (message.compare(start, end - start, line) == 0) return true;
    start = end + 1;
  }
  return false;
}

/// Sets NOTIFY_SOCKET for the lifetime of the object.
class ScopedNotifyEnvironment {
 public:
  explicit ScopedNotifyEnvironment(const std::filesystem::path& path) {
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  ~ScopedNotifyEnvironment() { ::unsetenv("NOTIFY_SOCKET"); }
  ScopedNotifyEnvironment(const ScopedNotifyEnvironment&) = delete;
  ScopedNotifyEnvironment& operator=(const ScopedNotifyEnvironment&) = delete;
};

TEST(SystemdNotify, ReadyOnceTheListenerAcceptsAndStoppingAtShutdown) {
  NotifySocket notify;
  ASSERT_TRUE(notify.bound()) << notify.path();
  ScopedNotifyEnvironment environment(notify.path());
  {
    coffee::testing::TestServer server("sqlite");
    const std::string ready = notify.Receive(10s);
    EXPECT_TRUE(HasLine(ready, "READY=1")) << ready;
    EXPECT_TRUE(HasLine(ready, "STATUS=Serving on 127.0.0.1:" + std::to_string(server.port())))
        << ready;
    EXPECT_EQ(server.Client()->Get("/healthz").status, 200);
    EXPECT_EQ(notify.Receive(200ms), "") << "nothing more is sent while serving";
  }
  const std::string stopping = notify.Receive(10s);
  EXPECT_TRUE(HasLine(stopping, "STOPPING=1")) << stopping;
}

TEST(SystemdNotify, ServesWithoutANotifySocket) {
  ASSERT_EQ(std::getenv("NOTIFY_SOCKET"), nullptr);
  coffee::testing::TestServer server("sqlite");
  EXPECT_EQ(server.Client()->Get("/healthz").status, 200);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  spdlog::set_level(spdlog::level::warn);
  return RUN_ALL_TESTS();
}
