#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "app/ports/limits.hpp"
#include "domain/time.hpp"

namespace coffee::app {

/// The limits of LoginThrottle. The defaults are the production values: they live here, in one
/// place, until they become configuration (docs/SECURITY.md, "Login throttling").
struct LoginThrottleLimits {
  /// Failed logins one client address may make against one account within `window`.
  int failures_per_client = 5;
  /// Failed logins against one account from all addresses within `window`; beyond it only
  /// addresses that logged into that account before may keep trying.
  int failures_per_account = 50;
  std::chrono::seconds window = std::chrono::minutes{15};
  /// How long an address that logged into an account stays known for that account.
  std::chrono::seconds remember_client = std::chrono::hours{24 * 30};
  /// Entries kept per table (account/address pairs, accounts, known addresses); past it the
  /// least recently used entry is forgotten.
  std::size_t max_entries = 100'000;
};

/// The answer of LoginThrottle::Begin.
using LoginGate = LimitDecision;

/// Throttles failed logins per account (SPEC §3, issue 6) without letting an attacker lock a
/// victim out: failures are counted per (account, client address), so guessing from one address
/// stops while the owner, elsewhere, can still log in. A looser cap per account over all
/// addresses stops distributed guessing; past it only addresses that logged into the account
/// before may try. Keyed by the email as typed (normalised), whether or not the account exists,
/// so it reveals nothing about which accounts exist. Sliding windows; in memory, per instance,
/// bounded; thread-safe.
class LoginThrottle final : public LoginLimiter {
 public:
  explicit LoginThrottle(LoginThrottleLimits limits = {});

  /// Called before the password is checked. Refuses when the pair has used its failures, or the
  /// account is over its cap and `client` is not known for it. Otherwise the attempt counts as a
  /// failure from `now` on, until Succeeded or Abandoned says otherwise.
  LoginGate Begin(std::string_view account, std::string_view client, domain::Instant now) override;
  /// The attempt begun at `started` had the right password: the pair's failures are forgotten,
  /// the attempt no longer counts against the account, and `client` becomes known for it.
  void Succeeded(std::string_view account, std::string_view client,
                 domain::Instant started) override;
  /// The attempt begun at `started` ended without a verdict (e.g. the database was down).
  void Abandoned(std::string_view account, std::string_view client,
                 domain::Instant started) override;

  /// Entries in each table right now (for tests).
  [[nodiscard]] std::size_t PairCount() const;
  [[nodiscard]] std::size_t AccountCount() const;
  [[nodiscard]] std::size_t KnownClientCount() const;

 private:
  /// A map whose least recently touched entry is evicted first once it holds `cap` entries.
  template <typename V>
  class LruTable {
   public:
    explicit LruTable(std::size_t cap) : cap_(cap) {}
    V* Find(const std::string& key);
    /// The entry for `key`, created if missing, now the most recently used.
    V& Touch(const std::string& key);
    void Erase(const std::string& key);
    /// Drops least recently used entries while `stale(value)` holds for them.
    template <typename Pred>
    void DropStale(Pred stale);
    [[nodiscard]] std::size_t size() const { return index_.size(); }

   private:
    using Entries = std::list<std::pair<std::string, V>>;  // front: most recently touched
    std::size_t cap_;
    Entries entries_;
    std::unordered_map<std::string, typename Entries::iterator> index_;
  };
  using Log = std::vector<domain::Instant>;  // failure times, oldest first

  void Prune(Log& log, domain::Instant now) const;
  [[nodiscard]] bool Known(const std::string& pair_key, domain::Instant now);

  LoginThrottleLimits limits_;
  mutable std::mutex mu_;
  LruTable<Log> pairs_;                      // "account\nclient" → failures
  LruTable<Log> accounts_;                   // account → failures, at most failures_per_account
  LruTable<domain::Instant> known_clients_;  // "account\nclient" → last successful login
};

}  // namespace coffee::app
