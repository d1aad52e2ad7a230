#include "app/login_throttle.hpp"

#include <algorithm>

namespace coffee::app {

namespace {

/// No account has a longer email (IsValidEmail); longer input shares one key, so that junk cannot
/// grow the tables' keys without bound.
constexpr std::size_t kMaxAccountKey = 254;
/// Longer than any IPv6 text; the address comes from the server, but stay bounded anyway.
constexpr std::size_t kMaxClientKey = 64;

std::string AccountKey(std::string_view account) {
  if (account.size() > kMaxAccountKey) return "\x01too-long";
  return std::string(account);
}

/// Addresses never contain '\n', and the address comes last, so distinct pairs never collide.
std::string PairKey(std::string_view account, std::string_view client) {
  return AccountKey(account) + '\n' + std::string(client.substr(0, kMaxClientKey));
}

/// Removes one entry equal to `t` (the most recent such), if any.
void RemoveOne(std::vector<domain::Instant>& log, domain::Instant t) {
  auto it = std::find(log.rbegin(), log.rend(), t);
  if (it != log.rend()) log.erase(std::next(it).base());
}

}  // namespace

template <typename V>
V* LoginThrottle::LruTable<V>::Find(const std::string& key) {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &it->second->second;
}

template <typename V>
V& LoginThrottle::LruTable<V>::Touch(const std::string& key) {
  if (auto it = index_.find(key); it != index_.end()) {
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second;
  }
  if (index_.size() >= cap_ && !entries_.empty()) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
  entries_.emplace_front(key, V{});
  index_.emplace(key, entries_.begin());
  return entries_.front().second;
}

template <typename V>
void LoginThrottle::LruTable<V>::Erase(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  entries_.erase(it->second);
  index_.erase(it);
}

template <typename V>
template <typename Pred>
void LoginThrottle::LruTable<V>::DropStale(Pred stale) {
  while (!entries_.empty() && stale(entries_.back().second)) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

LoginThrottle::LoginThrottle(LoginThrottleLimits limits)
    : limits_(limits),
      pairs_(std::max<std::size_t>(1, limits.max_entries)),
      accounts_(std::max<std::size_t>(1, limits.max_entries)),
      known_clients_(std::max<std::size_t>(1, limits.max_entries)) {
  limits_.failures_per_client = std::max(1, limits_.failures_per_client);
  limits_.failures_per_account = std::max(1, limits_.failures_per_account);
}

void LoginThrottle::Prune(Log& log, domain::Instant now) const {
  const auto expired = std::find_if(log.begin(), log.end(),
                                    [&](domain::Instant t) { return t + limits_.window > now; });
  log.erase(log.begin(), expired);
}

bool LoginThrottle::Known(const std::string& pair_key, domain::Instant now) {
  const auto* last = known_clients_.Find(pair_key);
  return last != nullptr && now - *last < limits_.remember_client;
}

LoginGate LoginThrottle::Begin(std::string_view account, std::string_view client,
                               domain::Instant now) {
  const std::string account_key = AccountKey(account);
  const std::string pair_key = PairKey(account, client);
  std::lock_guard lock(mu_);
  // The least recently touched entries go first once nothing in them counts any more.
  const auto no_recent_failure = [&](const Log& log) {
    return log.empty() || log.back() + limits_.window <= now;
  };
  pairs_.DropStale(no_recent_failure);
  accounts_.DropStale(no_recent_failure);
  known_clients_.DropStale(
      [&](domain::Instant last) { return now - last >= limits_.remember_client; });

  // The wait until the oldest failure that still counts leaves the window.
  domain::Instant::duration wait{0};
  const auto over = [&](Log* log, std::size_t limit) {
    if (log == nullptr) return;
    Prune(*log, now);
    if (log->size() >= limit) wait = std::max(wait, log->front() + limits_.window - now);
  };
  over(pairs_.Find(pair_key), static_cast<std::size_t>(limits_.failures_per_client));
  if (!Known(pair_key, now)) {
    over(accounts_.Find(account_key), static_cast<std::size_t>(limits_.failures_per_account));
  }
  if (wait > domain::Instant::duration::zero()) {
    // Bounded by the window even if the wall clock stepped back.
    const auto capped = std::min<domain::Instant::duration>(wait, limits_.window);
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(capped);
    return LoginGate{false, std::max(std::chrono::seconds{1}, seconds)};
  }
  pairs_.Touch(pair_key).push_back(now);
  Log& account_log = accounts_.Touch(account_key);
  Prune(account_log, now);
  account_log.push_back(now);
  // Known addresses may go on past the cap; only the most recent failures matter.
  const auto cap = static_cast<std::size_t>(limits_.failures_per_account);
  if (account_log.size() > cap) {
    account_log.erase(account_log.begin(),
                      account_log.begin() + static_cast<std::ptrdiff_t>(account_log.size() - cap));
  }
  return LoginGate{};
}

void LoginThrottle::Succeeded(std::string_view account, std::string_view client,
                              domain::Instant started) {
  const std::string pair_key = PairKey(account, client);
  std::lock_guard lock(mu_);
  pairs_.Erase(pair_key);
  if (auto* log = accounts_.Find(AccountKey(account))) RemoveOne(*log, started);
  auto& last = known_clients_.Touch(pair_key);
  last = std::max(last, started);
}

void LoginThrottle::Abandoned(std::string_view account, std::string_view client,
                              domain::Instant started) {
  std::lock_guard lock(mu_);
  if (auto* log = pairs_.Find(PairKey(account, client))) RemoveOne(*log, started);
  if (auto* log = accounts_.Find(AccountKey(account))) RemoveOne(*log, started);
}

std::size_t LoginThrottle::PairCount() const {
  std::lock_guard lock(mu_);
  return pairs_.size();
}

std::size_t LoginThrottle::AccountCount() const {
  std::lock_guard lock(mu_);
  return accounts_.size();
}

std::size_t LoginThrottle::KnownClientCount() const {
  std::lock_guard lock(mu_);
  return known_clients_.size();
}

}  // namespace coffee::app
