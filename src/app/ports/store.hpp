#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "app/ports/accounts.hpp"
#include "app/ports/analytics.hpp"
#include "app/ports/catalog.hpp"
#include "app/ports/idempotency.hpp"
#include "app/ports/loyalty.hpp"
#include "app/ports/orders.hpp"
#include "app/ports/reviews.hpp"
#include "app/ports/rules.hpp"
#include "app/ports/usage.hpp"

/// Storage ports: what the use cases need from a database. Two adapters implement them
/// (storage/sqlite, storage/postgres) and one contract test suite runs against both.
///
/// Contract for every repository method:
///  * it runs inside the transaction of the Tx it came from;
///  * expected outcomes (not found, unique conflict, still referenced) are return values, and
///    detecting them never poisons the transaction (PostgreSQL adapters use ON CONFLICT or a
///    savepoint), so the caller may go on or roll back;
///  * an unreachable database throws DatabaseUnavailable; anything else unexpected throws
///    StorageError (its message is logged, never sent to a client).
namespace coffee::app {

/// The database cannot be reached (connection refused, lost, pool exhausted past its wait).
class DatabaseUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An unexpected storage failure (bad SQL, driver error): a bug or an operator problem.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The write lost a lock conflict with a concurrent transaction (PostgreSQL: a deadlock or a
/// serialization failure) and was undone. Store::Write runs its fn again; a fn that catches
/// storage errors itself must let this one through.
class WriteConflict : public StorageError {
 public:
  using StorageError::StorageError;
};

/// The channels of the change feed: PostgreSQL NOTIFY channel names (lowercase identifiers).
/// Rules keep the channel of earlier versions, so instances of both can run side by side.
inline constexpr std::string_view kRulesChannel = "coffee_rules_changed";
inline constexpr std::string_view kOrdersChannel = "coffee_orders";

/// What a change-feed listener hears.
struct ChangeNotice {
  std::string payload;
  /// Announcements may have been missed (the feed lost its connection and is back); the
  /// payload is empty. Reload whatever is followed.
  bool missed = false;
};

/// Announcements of committed changes to every instance that shares the database, this one
/// included. A write transaction announces with Tx::Announce; listeners hear it once that
/// transaction commits, and never when it rolls back.
class ChangeFeed {
 public:
  using Listener = std::function<void(const ChangeNotice&)>;
  virtual ~ChangeFeed() = default;
  /// Calls `listener` from a background thread for every announcement on `channel`. It must
  /// not block (hand work to another thread). Several listeners may follow one channel.
  virtual void Listen(std::string_view channel, Listener listener) = 0;
  /// Stops every listener; none is called once this returns.
  virtual void StopListening() = 0;
};

/// The repositories of one open transaction.
class Tx {
 public:
  virtual ~Tx() = default;
  /// Announces `payload` (at most 7999 bytes) on `channel` (see ChangeFeed) when this write
  /// transaction commits; nothing is announced if it rolls back. PostgreSQL sends it with the
  /// COMMIT (a NOTIFY in the transaction), so it is never lost between commit and announcement.
  virtual void Announce(std::string_view channel, std::string payload) = 0;
  virtual UserRepository& Users() = 0;
  virtual RefreshTokenRepository& RefreshTokens() = 0;
  virtual CoffeeRepository& Coffees() = 0;
  virtual RulesRepository& Rules() = 0;
  virtual AuditLog& Audit() = 0;
  virtual OrderRepository& Orders() = 0;
  virtual LoyaltyRepository& Loyalty() = 0;
  virtual IdempotencyRepository& Idempotency() = 0;
  virtual ReviewRepository& Reviews() = 0;
  virtual AnalyticsRepository& Analytics() = 0;
  virtual RuleUsageRepository& Usage() = 0;
};

/// A database. Blocking: call it from a worker thread, never from an I/O thread.
class Store {
 public:
  virtual ~Store() = default;
  /// Runs fn in one read-write transaction. Commits if fn returns true, rolls back if it
  /// returns false or throws (the exception propagates). fn may run more than once: a run that
  /// loses a lock conflict with a concurrent write (WriteConflict) is undone and fn runs again,
  /// so it must set what it reports on each run rather than add to it.
  virtual void Write(const std::function<bool(Tx&)>& fn) = 0;
  /// Runs fn in a read-only transaction (one consistent view).
  virtual void Read(const std::function<void(Tx&)>& fn) = 0;
  /// True if the database answers now.
  virtual bool Ping() = 0;
  /// "sqlite" or "postgres".
  [[nodiscard]] virtual std::string_view Backend() const = 0;
};

}  // namespace coffee::app
