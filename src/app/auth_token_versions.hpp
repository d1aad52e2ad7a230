#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/strong_id.hpp"
#include "domain/user.hpp"

namespace coffee::app {

/// The change-feed channel of token version changes; the payload is "<user id>:<version>".
inline constexpr std::string_view kTokenVersionChannel = "coffee_token_versions";

/// Every user's token version, in memory, so that checking an access token stays cheap enough
/// for an I/O thread (no database). Users absent from the map are at version 0. Filled from the
/// database at start, and kept current by each role or password change (on the instance that
/// made it, at once) and by the change feed (on every instance, at commit). Thread-safe.
class TokenVersions {
 public:
  /// The user's current version (0 when it never changed).
  [[nodiscard]] std::int64_t Get(domain::UserId id) const;
  /// Raises the user's version to `version` (never lowers it: notices may arrive late).
  void Raise(domain::UserId id, std::int64_t version);
  /// Replaces every version with those read from the database; clears the stale mark.
  void Replace(const std::vector<std::pair<domain::UserId, std::int64_t>>& versions);
  /// The feed may have missed notices: the next worker-side auth call reloads.
  void MarkStale() { stale_ = true; }
  [[nodiscard]] bool stale() const { return stale_; }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::int64_t, std::int64_t> versions_;
  std::atomic<bool> stale_{false};
};

}  // namespace coffee::app
