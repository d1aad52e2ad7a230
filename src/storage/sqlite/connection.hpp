#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace coffee::storage::sqlite {

/// How long one statement may wait for a lock or run by default (DATABASE_QUERY_TIMEOUT).
inline constexpr std::chrono::milliseconds kDefaultQueryTimeout{5000};

/// True for result codes that mean the database file cannot be used right now (busy past the
/// query timeout, interrupted by it, disk full, I/O error, read-only, cannot open, not a
/// database, corrupt).
bool IsUnavailable(int result_code);

/// Throws app::DatabaseUnavailable or app::StorageError for a failed SQLite call.
[[noreturn]] void ThrowSqliteError(sqlite3* db, int result_code, std::string_view context);

/// A cached prepared statement borrowed for one execution; reset and unbound when destroyed.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&&) = delete;
  Statement& operator=(Statement&&) = delete;

  /// Binds parameter `index` (1-based).
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, std::int64_t{value ? 1 : 0}); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNull(int index);
  /// Binds the value or NULL.
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  /// Advances; true when a row is available, false when done. Any error throws.
  bool Step();
  /// Like Step, but returns the extended constraint code instead of throwing when a constraint
  /// fails (the statement's changes are undone; the transaction stays usable). 0 otherwise.
  int StepOrConstraint(bool& has_row);
  /// Runs a statement that returns no rows; throws on error.
  void Run();

  [[nodiscard]] bool IsNull(int column) const;
  [[nodiscard]] std::int64_t Int(int column) const;
  [[nodiscard]] double Real(int column) const;
  [[nodiscard]] std::string Text(int column) const;
  [[nodiscard]] std::optional<std::string> OptText(int column) const;
  [[nodiscard]] std::optional<std::int64_t> OptInt(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

/// One SQLite connection with its per-connection cache of persistent prepared statements.
class Connection {
 public:
  /// Opens `path` read-write (creating it) with foreign keys on. A statement that waits for a
  /// lock, or runs, longer than `query_timeout` fails with app::DatabaseUnavailable (an
  /// interrupted write inside a transaction rolls the whole transaction back).
  /// Throws app::DatabaseUnavailable when the file cannot be opened.
  explicit Connection(const std::string& path,
                      std::chrono::milliseconds query_timeout = kDefaultQueryTimeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&&) = delete;
  Connection& operator=(Connection&&) = delete;

  /// The cached statement for `sql` (prepared on first use); its query timeout starts now.
  Statement Prepare(std::string_view sql);
  /// Changes the query timeout of later statements; zero waits and runs without limit.
  void SetQueryTimeout(std::chrono::milliseconds timeout) { query_timeout_ = timeout; }
  [[nodiscard]] std::chrono::milliseconds QueryTimeout() const { return query_timeout_; }
  /// Runs one or more statements without results (PRAGMA, BEGIN, DDL); throws on error.
  void Exec(const std::string& sql);
  /// Runs a statement returning one text value (e.g. a PRAGMA), "" if no row.
  std::string QueryText(std::string_view sql);
  /// True while a transaction is open.
  [[nodiscard]] bool InTransaction() const;
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  [[nodiscard]] std::int64_t Changes() const;
  [[nodiscard]] sqlite3* handle() const { return db_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  /// Starts the query timeout of the statement about to run.
  void StartQuery();
  /// sqlite3_progress_handler: non-zero interrupts the running statement past its deadline.
  static int OnProgress(void* self);
  /// sqlite3_busy_handler: waits for a lock with backoff until the statement's deadline.
  static int OnBusy(void* self, int attempt);

  sqlite3* db_ = nullptr;
  std::chrono::milliseconds query_timeout_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
};

/// While alive, lifts the query timeout of a connection, for statements that may rightly run
/// for minutes or wait that long for another process's lock (migrations); restores it after.
class UnboundedQueries {
 public:
  explicit UnboundedQueries(Connection& conn) : conn_(conn), previous_(conn.QueryTimeout()) {
    conn_.SetQueryTimeout(std::chrono::milliseconds::zero());
  }
  ~UnboundedQueries() { conn_.SetQueryTimeout(previous_); }
  UnboundedQueries(const UnboundedQueries&) = delete;
  UnboundedQueries& operator=(const UnboundedQueries&) = delete;
  UnboundedQueries(UnboundedQueries&&) = delete;
  UnboundedQueries& operator=(UnboundedQueries&&) = delete;

 private:
  Connection& conn_;
  std::chrono::milliseconds previous_;
};

}  // namespace coffee::storage::sqlite
