#include "app/auth_token_versions.hpp"

#include <mutex>

namespace coffee::app {

std::int64_t TokenVersions::Get(domain::UserId id) const {
  const std::shared_lock lock(mu_);
  const auto it = versions_.find(id.value);
  return it == versions_.end() ? 0 : it->second;
}

void TokenVersions::Raise(domain::UserId id, std::int64_t version) {
  const std::unique_lock lock(mu_);
  auto& current = versions_[id.value];
  if (version > current) current = version;
}

void TokenVersions::Replace(const std::vector<std::pair<domain::UserId, std::int64_t>>& versions) {
  std::unordered_map<std::int64_t, std::int64_t> fresh;
  for (const auto& [id, version] : versions) fresh[id.value] = version;
  const std::unique_lock lock(mu_);
  // A notice applied while the database was being read may be newer than what was read.
  for (const auto& [id, version] : versions_) {
    auto& v = fresh[id];
    if (version > v) v = version;
  }
  versions_ = std::move(fresh);
  stale_ = false;
}

}  // namespace coffee::app
