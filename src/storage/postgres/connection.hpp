#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "app/ports/store.hpp"
#include "domain/time.hpp"
#include "storage/decode_error.hpp"

namespace coffee::storage::postgres {

class BatchCache;

/// A named SQL statement, prepared once per connection under `name`.
struct Statement {
  const char* name;
  const char* sql;
};

/// SQLSTATE of a unique violation.
inline constexpr std::string_view kUniqueViolation = "23505";
/// SQLSTATE of a foreign-key violation.
inline constexpr std::string_view kForeignKeyViolation = "23503";

/// SQLSTATEs of a lost lock conflict, thrown as app::WriteConflict: deadlock_detected,
/// serialization_failure and lock_not_available (a write lane's lock_timeout, migration 0014).
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kLockNotAvailable = "55P03";

/// A constraint violation the caller may expect (unique or foreign key).
class ConstraintViolation : public app::StorageError {
 public:
  ConstraintViolation(std::string sqlstate, const std::string& message)
      : app::StorageError(message), sqlstate_(std::move(sqlstate)) {}
  /// The five-character SQLSTATE, e.g. "23505".
  [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// The text parameters of one statement; nullopt is SQL NULL.
class Params {
 public:
  Params& Text(std::string_view value);
  Params& Int(std::int64_t value);
  Params& Bool(bool value);
  Params& Real(double value);
  Params& Time(domain::Instant value);
  Params& Null();
  Params& OptText(const std::optional<std::string>& value);
  Params& OptInt(std::optional<std::int64_t> value);
  Params& OptTime(std::optional<domain::Instant> value);

  /// The values in order, for PQexecPrepared.
  [[nodiscard]] const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

/// An owned PGresult.
class Result {
 public:
  explicit Result(PGresult* res) : res_(res, &PQclear) {}

  [[nodiscard]] int Rows() const { return PQntuples(res_.get()); }
  [[nodiscard]] bool IsNull(int row, int col) const {
    return PQgetisnull(res_.get(), row, col) != 0;
  }
  [[nodiscard]] std::string_view Text(int row, int col) const;
  /// Rows touched by an INSERT/UPDATE/DELETE.
  [[nodiscard]] std::int64_t Affected() const;
  /// The command tag, e.g. "COMMIT" or "ROLLBACK".
  [[nodiscard]] std::string_view CommandStatus() const { return PQcmdStatus(res_.get()); }
  [[nodiscard]] const PGresult* native() const { return res_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> res_;
};

/// Reads the columns of one result row from left to right.
class RowReader {
 public:
  RowReader(const Result& result, int row) : result_(result), row_(row) {}

  [[nodiscard]] bool NextIsNull() const { return result_.IsNull(row_, col_); }
  std::string String();
  std::optional<std::string> OptString();
  std::int64_t Int64();
  std::optional<std::int64_t> OptInt64();
  int Int();
  std::optional<int> OptInt();
  bool Bool();
  double Real();
  domain::Instant Time();
  std::optional<domain::Instant> OptTime();

 private:
  std::string_view Next();

  const Result& result_;
  int row_;
  int col_ = 0;
};

/// How long one query may take by default (DATABASE_QUERY_TIMEOUT): the server cancels it
/// (statement_timeout), and the client stops waiting kAnswerGrace later, so a server that is hung
/// or cut off (no RST ever arrives) cannot hold a request, a pool connection and a worker forever.
inline constexpr std::chrono::milliseconds kDefaultQueryTimeout{5000};

/// How much longer than the query timeout the client waits for an answer: long enough for the
/// server's own cancellation to arrive first, which keeps the connection open.
inline constexpr std::chrono::milliseconds kAnswerGrace{500};

/// How to reach the server: the URL as given and its password (kept out of every message), and
/// the query timeout of every session.
struct ConnectSpec {
  std::string url;
  std::string password;
  std::chrono::milliseconds query_timeout = kDefaultQueryTimeout;
};

/// A command did not finish within the query timeout: the server cancelled it (statement_timeout;
/// the connection stays usable once its transaction is rolled back), or it did not answer at all
/// (the connection was dropped). Retrying at once would only wait again.
class ServerNotAnswering : public app::DatabaseUnavailable {
 public:
  using app::DatabaseUnavailable::DatabaseUnavailable;
};

/// One libpq connection with its prepared-statement cache. Reconnects on demand after the
/// connection was lost; used by one thread at a time (the pool guarantees it).
class Connection {
 public:
  explicit Connection(const ConnectSpec& spec)
      : spec_(spec), answer_timeout_(spec.query_timeout + kAnswerGrace) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Connects (or reconnects a lost connection). Throws app::DatabaseUnavailable.
  void EnsureOpen();
  /// True when the connection is open and idle outside any transaction.
  [[nodiscard]] bool IsIdle() const;
  /// Forces a reconnect on next use (a connection left in an unknown state).
  void MarkBroken() { broken_ = true; }
  /// True when the connection is known to be lost.
  [[nodiscard]] bool IsBroken() const;
  /// The libpq handle (null until opened), for callers that wait on its socket (LISTEN).
  [[nodiscard]] PGconn* native() const { return conn_; }
  /// Longest wait for the answer to one command; past it the connection is dropped (reopened on
  /// next use) and the command throws app::DatabaseUnavailable. Zero waits without limit.
  void SetAnswerTimeout(std::chrono::milliseconds timeout) { answer_timeout_ = timeout; }
  [[nodiscard]] std::chrono::milliseconds AnswerTimeout() const { return answer_timeout_; }
  /// The session's statement_timeout, set on every (re)connect.
  [[nodiscard]] std::chrono::milliseconds QueryTimeout() const { return spec_.query_timeout; }

  /// Starts a transaction lazily: `begin` (a BEGIN statement with static storage) is sent in
  /// the same round trip as the transaction's first statement, through libpq pipeline mode.
  /// If the connection turns out to be dead at that point, it is reopened and the pair retried
  /// once, since nothing has been done in the transaction yet.
  void DeferBegin(const char* begin) { pending_begin_ = begin; }
  /// Clears a deferred BEGIN that was never sent; true when there was one (the transaction
  /// ran no statement, so there is nothing to commit or roll back).
  bool DropPendingBegin() {
    const bool pending = pending_begin_ != nullptr;
    pending_begin_ = nullptr;
    return pending;
  }

  /// The memory of the group-commit batch this connection runs now, or null (outside a write
  /// batch). Every statement goes through it first: see BatchCache::BeforeStatement.
  [[nodiscard]] BatchCache* batch_cache() const { return batch_cache_; }
  /// Attaches `cache` (null detaches); BatchCache::Attached does it for one batch.
  void SetBatchCache(BatchCache* cache) { batch_cache_ = cache; }

  /// `text` as an SQL string literal for this connection (PQescapeLiteral), for the rare SQL
  /// text that cannot take parameters (several statements in one Exec).
  std::string Literal(std::string_view text);
  /// Runs SQL text without parameters (may hold several statements); `label` names it in
  /// error messages (default: the SQL itself).
  Result Exec(const std::string& sql, std::string_view label = {});
  /// Runs a statement, preparing it first on this connection if needed.
  Result Run(const Statement& statement, const Params& params);
  /// Runs a statement inside a savepoint: a unique or foreign-key violation rolls back to the
  /// savepoint and is returned as its SQLSTATE, leaving the transaction usable.
  std::variant<Result, std::string> RunGuarded(const Statement& statement, const Params& params);

 private:
  void Connect();
  /// Sends a deferred BEGIN on its own (before a simple-protocol Exec), retrying once on a
  /// dead connection.
  void FlushPendingBegin();
  /// The deferred BEGIN, an optional PREPARE and the statement in one pipeline.
  Result BeginAndRun(const char* begin, const Statement& statement,
                     const std::vector<const char*>& values);
  [[noreturn]] void Fail(const PGresult* res, std::string_view what);
  Result Check(PGresult* res, std::string_view what);
  /// After a PQsend* call (`sent` is its return value): the command's result, like PQexec's
  /// (the last one, or the first error), waiting at most the answer timeout.
  PGresult* Await(int sent, std::string_view what);
  /// Waits until a result can be read without blocking (or the connection failed, which
  /// PQgetResult then reports); past `deadline` drops the connection and throws
  /// ServerNotAnswering. No limit when the answer timeout is zero.
  void WaitUntilReady(std::chrono::steady_clock::time_point deadline, std::string_view what);
  /// Drops the connection after the server did not answer in time, and throws.
  [[noreturn]] void AnswerTimedOut(std::string_view what);
  /// Closes the connection; the next EnsureOpen reconnects.
  void Drop();

  const ConnectSpec& spec_;
  PGconn* conn_ = nullptr;
  bool broken_ = false;
  const char* pending_begin_ = nullptr;
  BatchCache* batch_cache_ = nullptr;
  std::chrono::milliseconds answer_timeout_;
  std::unordered_set<std::string> prepared_;
};

/// While alive, lifts the query timeout of a connection on both sides (the answer wait and the
/// session's statement_timeout), for statements that may rightly run for minutes: migrations,
/// waiting for another instance's migration lock, bulk loads. Restores both when destroyed; a
/// connection on which that fails (an aborted transaction) is reopened on next use.
class UnboundedQueries {
 public:
  explicit UnboundedQueries(Connection& conn);
  ~UnboundedQueries();
  UnboundedQueries(const UnboundedQueries&) = delete;
  UnboundedQueries& operator=(const UnboundedQueries&) = delete;
  UnboundedQueries(UnboundedQueries&&) = delete;
  UnboundedQueries& operator=(UnboundedQueries&&) = delete;

 private:
  Connection& conn_;
  std::chrono::milliseconds previous_;
};

/// Replaces every occurrence of `password` in `message` with "***".
std::string ScrubPassword(std::string message, const std::string& password);

}  // namespace coffee::storage::postgres
