#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/store.hpp"

namespace coffee::storage {

/// The listeners of a change feed by channel, shared by both adapters. Thread-safe: Deliver
/// may run on several threads at once, and Clear waits for deliveries in progress, so no
/// listener is called once Clear returns. A listener must not call Add or Clear.
class ChangeListeners {
 public:
  void Add(std::string_view channel, app::ChangeFeed::Listener listener) {
    const std::unique_lock lock(mu_);
    listeners_[std::string(channel)].push_back(std::move(listener));
  }
  /// Calls every listener of `channel`. One that throws is logged and the others still run: a
  /// listener must not break the commit that announced.
  void Deliver(std::string_view channel, const app::ChangeNotice& notice) const {
    const std::shared_lock lock(mu_);
    const auto it = listeners_.find(channel);
    if (it == listeners_.end()) return;
    for (const auto& listener : it->second) {
      try {
        listener(notice);
      } catch (const std::exception& e) {
        spdlog::error("Change feed listener on {} failed: {}", channel, e.what());
      }
    }
  }
  [[nodiscard]] std::vector<std::string> Channels() const {
    const std::shared_lock lock(mu_);
    std::vector<std::string> channels;
    for (const auto& [channel, listeners] : listeners_) channels.push_back(channel);
    return channels;
  }
  void Clear() {
    const std::unique_lock lock(mu_);
    listeners_.clear();
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::vector<app::ChangeFeed::Listener>, std::less<>> listeners_;
};

}  // namespace coffee::storage
