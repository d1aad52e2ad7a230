#include "storage/sqlite/connection.hpp"

#include <algorithm>
#include <limits>
#include <thread>

#include "app/ports/store.hpp"

namespace coffee::storage::sqlite {

namespace {

int ToInt(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw app::StorageError("sqlite: value too large to bind");
  }
  return static_cast<int>(n);
}

}  // namespace

bool IsUnavailable(int result_code) {
  switch (result_code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return true;
    default:
      return false;
  }
}

void ThrowSqliteError(sqlite3* db, int result_code, std::string_view context) {
  std::string message = "sqlite: ";
  message += context;
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
  message += " (code ";
  message += std::to_string(result_code);
  message += ')';
  if ((result_code & 0xFF) == SQLITE_INTERRUPT) message += ": the query timeout was reached";
  if (IsUnavailable(result_code)) throw app::DatabaseUnavailable(message);
  throw app::StorageError(message);
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text(stmt_, index, value.data(), ToInt(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "bind");
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  ThrowSqliteError(db_, sqlite3_extended_errcode(db_), sqlite3_sql(stmt_));
}

int Statement::StepOrConstraint(bool& has_row) {
  has_row = false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    has_row = true;
    return 0;
  }
  if (rc == SQLITE_DONE) return 0;
  const int extended = sqlite3_extended_errcode(db_);
  if ((extended & 0xFF) == SQLITE_CONSTRAINT) return extended;
  ThrowSqliteError(db_, extended, sqlite3_sql(stmt_));
}

void Statement::Run() {
  while (Step()) {
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::Real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  const int size = sqlite3_column_bytes(stmt_, column);
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::optional<std::string> Statement::OptText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::optional<std::int64_t> Statement::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

Connection::Connection(const std::string& path, std::chrono::milliseconds query_timeout)
    : query_timeout_(query_timeout) {
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "sqlite: cannot open " + path + ": " +
                          (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw app::DatabaseUnavailable(message);
  }
  try {
    sqlite3_busy_handler(db_, &Connection::OnBusy, this);
    // Every 1000 virtual-machine instructions: a few microseconds of work between clock reads.
    sqlite3_progress_handler(db_, 1000, &Connection::OnProgress, this);
    Exec("PRAGMA foreign_keys = ON");
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Connection::StartQuery() {
  deadline_ = query_timeout_.count() > 0 ? std::chrono::steady_clock::now() + query_timeout_
                                         : std::chrono::steady_clock::time_point::max();
}

int Connection::OnProgress(void* self) {
  return std::chrono::steady_clock::now() >= static_cast<Connection*>(self)->deadline_ ? 1 : 0;
}

int Connection::OnBusy(void* self, int attempt) {
  using std::chrono::milliseconds;
  const auto deadline = static_cast<Connection*>(self)->deadline_;
  const auto left = deadline - std::chrono::steady_clock::now();
  if (left <= milliseconds::zero()) return 0;
  // 1, 2, 4 … 32 ms between attempts, never past the deadline.
  const milliseconds backoff{1 << std::min(attempt, 5)};
  std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(backoff, left));
  return 1;
}

Statement Connection::Prepare(std::string_view sql) {
  StartQuery();
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), ToInt(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "prepare " + std::string(sql));
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return {db_, it->second};
}

void Connection::Exec(const std::string& sql) {
  StartQuery();
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string detail = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    std::string message = "sqlite: " + sql.substr(0, 60) + ": " + detail + " (code " +
                          std::to_string(sqlite3_extended_errcode(db_)) + ")";
    if (IsUnavailable(rc)) throw app::DatabaseUnavailable(message);
    throw app::StorageError(message);
  }
}

std::string Connection::QueryText(std::string_view sql) {
  Statement stmt = Prepare(sql);
  return stmt.Step() ? stmt.Text(0) : std::string();
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

std::int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

}  // namespace coffee::storage::sqlite
