#include "storage/postgres/notify_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>
#include <system_error>
#include <utility>

#include "storage/repository_tx.hpp"
namespace coffee::storage::postgres {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{1000};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
/// Upper bound of one wait on the socket, so a stop is seen even without the wake pipe.
constexpr int kPollTimeoutMs = 1000;

/// libpq's message (which may span lines) as one log line without the password.
std::string LogLine(const char* message, const std::string& password) {
  std::string out;
  for (const char* c = message; c != nullptr && *c != '\0'; ++c) {
    const bool space = *c == '\n' || *c == '\t' || *c == '\r' || *c == ' ';
    if (!space) {
      out += *c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return ScrubPassword(std::move(out), password);
}

}  // namespace

NotifyListener::NotifyListener(ConnectSpec spec, std::vector<std::string> channels,
                               Callback on_notice)
    : spec_(std::move(spec)),
      conn_(spec_),
      channels_(std::move(channels)),
      on_notice_(std::move(on_notice)) {
  std::array<int, 2> fds{};
  if (pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "change feed listener: pipe2");
  }
  wake_read_ = fds[0];
  wake_write_ = fds[1];
  const bool listening = TryListen();
  try {
    thread_ = std::thread([this, listening] { Run(listening); });
  } catch (...) {
    close(wake_read_);
    close(wake_write_);
    throw;
  }
}

NotifyListener::~NotifyListener() {
  Stop();
  close(wake_read_);
  close(wake_write_);
}

void NotifyListener::Stop() {
  stop_ = true;
  const char byte = 1;
  // A full pipe (EAGAIN) means a wake-up is already pending, which is all that is needed.
  [[maybe_unused]] const ssize_t written = write(wake_write_, &byte, 1);
  if (thread_.joinable()) thread_.join();
}

bool NotifyListener::TryListen() {
  try {
    conn_.EnsureOpen();
    for (const auto& channel : channels_) conn_.Exec("LISTEN " + channel);
    return true;
  } catch (const std::exception& e) {  // messages from Connection are already scrubbed
    conn_.MarkBroken();
    spdlog::warn("Change feed listener cannot LISTEN on PostgreSQL: {}", e.what());
    return false;
  }
}

void NotifyListener::Run(bool listening) {
  auto backoff = kFirstBackoff;
  while (!stop_) {
    if (listening) {
      Receive();
      listening = false;
      continue;
    }
    if (SleepUnlessStopped(backoff)) break;
    backoff = std::min(backoff * 2, kMaxBackoff);
    if (TryListen()) {
      spdlog::info(
          "Change feed listener reconnected to PostgreSQL; changes meanwhile are reloaded");
      listening = true;
      backoff = kFirstBackoff;
      for (const auto& channel : channels_) Deliver(channel, app::ChangeNotice{{}, true});
    }
  }
}

void NotifyListener::Receive() {
  PGconn* pg = conn_.native();
  while (!stop_) {
    std::array<pollfd, 2> fds{};
    fds[0].fd = PQsocket(pg);
    fds[0].events = POLLIN;
    fds[1].fd = wake_read_;
    fds[1].events = POLLIN;
    if (fds[0].fd < 0) return Lost("no socket");
    const int ready = poll(fds.data(), fds.size(), kPollTimeoutMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Lost(std::system_category().message(errno));
    }
    if (stop_) return;
    if (ready == 0 || fds[0].revents == 0) continue;
    if (PQconsumeInput(pg) == 0) return Lost(LogLine(PQerrorMessage(pg), spec_.password));
    for (PGnotify* n = PQnotifies(pg); n != nullptr; n = PQnotifies(pg)) {
      const std::string channel = n->relname;
      const std::string_view joined = n->extra;
      // One NOTIFY may carry several announcements (see CommitAnnouncing).
      std::size_t start = 0;
      while (true) {
        const std::size_t end = joined.find(kAnnouncementSeparator, start);
        Deliver(channel, app::ChangeNotice{std::string(joined.substr(start, end - start)), false});
        if (end == std::string_view::npos) break;
        start = end + 1;
      }
      PQfreemem(n);
    }
    if (PQstatus(pg) != CONNECTION_OK) return Lost(LogLine(PQerrorMessage(pg), spec_.password));
  }
}

void NotifyListener::Lost(const std::string& reason) {
  conn_.MarkBroken();
  spdlog::warn("Change feed listener lost its PostgreSQL connection; reconnecting: {}", reason);
}

bool NotifyListener::SleepUnlessStopped(std::chrono::milliseconds duration) const {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (!stop_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{wake_read_, POLLIN, 0};
    poll(&fd, 1, static_cast<int>(left.count()));
  }
  return true;
}

void NotifyListener::Deliver(std::string_view channel, const app::ChangeNotice& notice) const {
  try {
    on_notice_(channel, notice);
  } catch (const std::exception& e) {
    spdlog::error("Change feed listener on {} failed: {}", channel, e.what());
  }
}

}  // namespace coffee::storage::postgres
