#include "http/middleware/rate_limiter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

namespace coffee::http {

namespace {

/// How often each shard looks for idle buckets even when it is not full.
constexpr auto kSweepInterval = std::chrono::seconds{60};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The canonical text of an address ("::ffff:10.0.0.1" stays IPv6), or nullopt if not one.
std::optional<std::string> Canonical(std::string_view text) {
  const std::string s(Trim(text));
  std::array<unsigned char, sizeof(in6_addr)> buf{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1) {
    if (inet_ntop(AF_INET, buf.data(), out.data(), out.size()) == nullptr) return std::nullopt;
    return std::string(out.data());
  }
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) {
    if (inet_ntop(AF_INET6, buf.data(), out.data(), out.size()) == nullptr) return std::nullopt;
    return std::string(out.data());
  }
  return std::nullopt;
}

bool IsTrusted(const std::string& canonical, const std::vector<std::string>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(), [&canonical](const std::string& t) {
    auto c = Canonical(t);
    return c && *c == canonical;
  });
}

}  // namespace

RateLimiter::RateLimiter(int per_minute, int burst, std::size_t max_entries)
    : per_second_(std::max(1, per_minute) / 60.0),
      burst_(std::max(1, burst)),
      refill_time_(std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(burst_ / per_second_))),
      shard_cap_(std::max<std::size_t>(1, max_entries / kShards)) {}

RateDecision RateLimiter::Check(std::string_view key, Clock::time_point now) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  if (now - shard.last_sweep >= kSweepInterval) {
    Sweep(shard, now);
    shard.last_sweep = now;
  }
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= shard_cap_) {
      Sweep(shard, now);
      shard.last_sweep = now;
      // Still full of active clients: forget an arbitrary one (it restarts with a full bucket).
      if (shard.buckets.size() >= shard_cap_) shard.buckets.erase(shard.buckets.begin());
    }
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.updated) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return RateDecision{};
  }
  const double wait = (1.0 - b.tokens) / per_second_;
  const auto seconds = std::max<long long>(1, static_cast<long long>(std::ceil(wait)));
  return RateDecision{false, std::chrono::seconds{seconds}};
}

void RateLimiter::Sweep(Shard& shard, Clock::time_point now) const {
  std::erase_if(shard.buckets,
                [&](const auto& entry) { return now - entry.second.updated >= refill_time_; });
}

std::size_t RateLimiter::Size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

InMemoryRequestLimiter::InMemoryRequestLimiter(int per_minute, int credentials_per_minute)
    : all_(per_minute, per_minute),
      credentials_(credentials_per_minute, std::min(5, credentials_per_minute)) {}

app::LimitDecision InMemoryRequestLimiter::Take(app::RequestBudget budget,
                                                std::string_view client) {
  return (budget == app::RequestBudget::kCredentials ? credentials_ : all_).Check(client);
}

app::LimitDecision SplitRequestLimiter::Take(app::RequestBudget budget, std::string_view client) {
  return (budget == app::RequestBudget::kRead ? reads_ : shared_).Take(budget, client);
}

bool SplitRequestLimiter::Blocking(app::RequestBudget budget) const {
  return (budget == app::RequestBudget::kRead ? reads_ : shared_).Blocking(budget);
}

std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  std::string client(peer);
  if (trusted_proxies.empty() || forwarded_for.empty()) return client;
  auto canonical_peer = Canonical(peer);
  if (!canonical_peer || !IsTrusted(*canonical_peer, trusted_proxies)) return client;
  std::vector<std::string_view> hops;
  for (std::string_view value : forwarded_for) {
    while (!value.empty()) {
      const auto comma = value.find(',');
      hops.push_back(Trim(value.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  // Walk from the nearest hop outwards; each trusted hop vouches for the one before it.
  // NOLINTNEXTLINE(modernize-loop-convert): clang 14 cannot compile libstdc++ 12's views::reverse
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    auto address = Canonical(*hop);
    if (!address) break;  // garbage: trust nothing further out
    client = *address;
    if (!IsTrusted(*address, trusted_proxies)) break;
  }
  return client;
}

}  // namespace coffee::http
