#include "storage/postgres/connection.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <limits>
#include <system_error>

#include "storage/postgres/batch_cache.hpp"

namespace coffee::storage::postgres {

namespace {

/// libpq's multi-line message as one log-friendly line.
std::string OneLine(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// Server notices and warnings are dropped: they would bypass the application's log format.
void DropNotice(void* /*arg*/, const char* /*message*/) {}

/// SQLSTATE query_canceled: statement_timeout (or an operator's pg_cancel_backend).
constexpr std::string_view kQueryCanceled = "57014";

std::string StatementTimeout(std::chrono::milliseconds timeout) {
  return "SET statement_timeout = " + std::to_string(timeout.count());
}

bool IsConnectionLoss(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

constexpr const char* kSavepoint = "SAVEPOINT coffee_guard";
constexpr const char* kReleaseSavepoint = "RELEASE SAVEPOINT coffee_guard";
constexpr const char* kRollbackToSavepoint = "ROLLBACK TO SAVEPOINT coffee_guard";
constexpr const char* kSessionSetup =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = 'warning'";

}  // namespace

std::string ScrubPassword(std::string message, const std::string& password) {
  if (password.empty()) return message;
  for (auto pos = message.find(password); pos != std::string::npos;
       pos = message.find(password, pos + 3)) {
    message.replace(pos, password.size(), "***");
  }
  return message;
}

Params& Params::Text(std::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

Params& Params::Int(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::Bool(bool value) {
  values_.emplace_back(value ? "true" : "false");
  return *this;
}

Params& Params::Real(double value) {
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  values_.emplace_back(std::string(buf.data(), end));
  return *this;
}

Params& Params::Time(domain::Instant value) {
  values_.emplace_back(domain::FormatTimestamp(value));
  return *this;
}

Params& Params::Null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::OptText(const std::optional<std::string>& value) {
  return value ? Text(*value) : Null();
}

Params& Params::OptInt(std::optional<std::int64_t> value) { return value ? Int(*value) : Null(); }

Params& Params::OptTime(std::optional<domain::Instant> value) {
  return value ? Time(*value) : Null();
}

std::string_view Result::Text(int row, int col) const {
  return {PQgetvalue(res_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
}

std::int64_t Result::Affected() const {
  const std::string_view text = PQcmdTuples(res_.get());
  std::int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

std::string_view RowReader::Next() { return result_.Text(row_, col_++); }

std::string RowReader::String() { return std::string(Next()); }

std::optional<std::string> RowReader::OptString() {
  if (NextIsNull()) {
    ++col_;
    return std::nullopt;
  }
  return String();
}

std::int64_t RowReader::Int64() {
  const int col = col_;
  const auto text = Next();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DecodeError("column " + std::to_string(col) + ": not an integer: '" + std::string(text) +
                      "'");
  }
  return value;
}

std::optional<std::int64_t> RowReader::OptInt64() {
  if (NextIsNull()) {
    ++col_;
    return std::nullopt;
  }
  return Int64();
}

int RowReader::Int() {
  const std::int64_t value = Int64();
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw DecodeError("integer out of range: " + std::to_string(value));
  }
  return static_cast<int>(value);
}

std::optional<int> RowReader::OptInt() {
  if (NextIsNull()) {
    ++col_;
    return std::nullopt;
  }
  return Int();
}

bool RowReader::Bool() { return Next() == "t"; }

double RowReader::Real() {
  const auto text = Next();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DecodeError("not a number: '" + std::string(text) + "'");
  }
  return value;
}

domain::Instant RowReader::Time() {
  const auto text = Next();
  const auto parsed = domain::ParseTimestamp(text);
  if (!parsed) throw DecodeError("not a timestamp: '" + std::string(text) + "'");
  return *parsed;
}

std::optional<domain::Instant> RowReader::OptTime() {
  if (NextIsNull()) {
    ++col_;
    return std::nullopt;
  }
  return Time();
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::Connect() {
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  prepared_.clear();
  broken_ = true;
  // Defaults come before dbname so that settings in the URL override them.
  const std::array<const char*, 8> keywords = {
      "connect_timeout",     "application_name", "keepalives", "keepalives_idle",
      "keepalives_interval", "keepalives_count", "dbname",     nullptr};
  const std::array<const char*, 8> values = {"3", "coffee-api",      "1",    "30", "10",
                                             "3", spec_.url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr) throw app::DatabaseUnavailable("cannot connect to PostgreSQL: no memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = OneLine(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw app::DatabaseUnavailable("cannot connect to PostgreSQL: " +
                                   ScrubPassword(std::move(message), spec_.password));
  }
  PQsetNoticeProcessor(conn_, &DropNotice, nullptr);
  broken_ = false;
  Exec(std::string(kSessionSetup) + "; " + StatementTimeout(spec_.query_timeout), "session setup");
}

void Connection::EnsureOpen() {
  if (conn_ == nullptr || broken_ || PQstatus(conn_) != CONNECTION_OK) Connect();
}

bool Connection::IsBroken() const {
  return conn_ == nullptr || broken_ || PQstatus(conn_) != CONNECTION_OK;
}

bool Connection::IsIdle() const {
  return !IsBroken() && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::Fail(const PGresult* res, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = OneLine(res != nullptr ? PQresultErrorMessage(res) : "");
  if (message.empty() && conn_ != nullptr) message = OneLine(PQerrorMessage(conn_));
  message = ScrubPassword(std::move(message), spec_.password);
  if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD || IsConnectionLoss(sqlstate)) {
    broken_ = true;
    throw app::DatabaseUnavailable("PostgreSQL connection lost during " + std::string(what) + ": " +
                                   message);
  }
  if (sqlstate == kQueryCanceled) {
    throw ServerNotAnswering("PostgreSQL cancelled " + std::string(what) + " (query timeout " +
                             std::to_string(spec_.query_timeout.count()) + " ms): " + message);
  }
  if (sqlstate == kUniqueViolation || sqlstate == kForeignKeyViolation) {
    throw ConstraintViolation(sqlstate, std::string(what) + ": " + message);
  }
  if (sqlstate == kDeadlockDetected || sqlstate == kSerializationFailure ||
      sqlstate == kLockNotAvailable) {
    throw app::WriteConflict(std::string(what) + ": " + message + " (SQLSTATE " + sqlstate + ")");
  }
  throw app::StorageError(std::string(what) + ": " + message +
                          (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
}

Result Connection::Check(PGresult* res, std::string_view what) {
  Result owned(res);
  const auto status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return owned;
  Fail(res, what);
}

void Connection::FlushPendingBegin() {
  const char* begin = pending_begin_;
  pending_begin_ = nullptr;
  try {
    Exec(begin);
  } catch (const ServerNotAnswering&) {
    throw;
  } catch (const app::DatabaseUnavailable&) {
    EnsureOpen();
    Exec(begin);
  }
}

std::string Connection::Literal(std::string_view text) {
  // Never reconnects: mid-transaction that would silently start over on a new session.
  if (conn_ == nullptr) throw app::DatabaseUnavailable("PostgreSQL connection lost");
  char* escaped = PQescapeLiteral(conn_, text.data(), text.size());
  if (escaped == nullptr) {
    throw app::StorageError("cannot quote a literal: " +
                            ScrubPassword(OneLine(PQerrorMessage(conn_)), spec_.password));
  }
  std::string out(escaped);
  PQfreemem(escaped);
  return out;
}

Result Connection::Exec(const std::string& sql, std::string_view label) {
  if (batch_cache_ != nullptr) batch_cache_->Forget();  // raw SQL: not understood
  if (pending_begin_ != nullptr) FlushPendingBegin();
  if (IsBroken()) {
    broken_ = true;
    throw app::DatabaseUnavailable("PostgreSQL connection lost");
  }
  const std::string_view what = label.empty() ? std::string_view(sql) : label;
  return Check(Await(PQsendQuery(conn_, sql.c_str()), what), what);
}

Result Connection::Run(const Statement& statement, const Params& params) {
  if (batch_cache_ != nullptr) batch_cache_->BeforeStatement(statement.name);
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& value : params.values()) {
    values.push_back(value ? value->c_str() : nullptr);
  }
  if (pending_begin_ != nullptr) {
    const char* begin = pending_begin_;
    pending_begin_ = nullptr;
    try {
      return BeginAndRun(begin, statement, values);
    } catch (const ServerNotAnswering&) {
      throw;  // a hung server: retrying would only double the wait
    } catch (const app::DatabaseUnavailable&) {
      EnsureOpen();  // nothing was done in this transaction yet: reopen and retry once
      return BeginAndRun(begin, statement, values);
    }
  }
  if (IsBroken()) {
    broken_ = true;
    throw app::DatabaseUnavailable("PostgreSQL connection lost");
  }
  if (!prepared_.contains(statement.name)) {
    const std::string what = std::string("prepare ") + statement.name;
    Check(Await(PQsendPrepare(conn_, statement.name, statement.sql, 0, nullptr), what), what);
    prepared_.insert(statement.name);
  }
  return Check(Await(PQsendQueryPrepared(conn_, statement.name, static_cast<int>(values.size()),
                                         values.data(), nullptr, nullptr, 0),
                     statement.name),
               statement.name);
}

Result Connection::BeginAndRun(const char* begin, const Statement& statement,
                               const std::vector<const char*>& values) {
  if (IsBroken()) {
    broken_ = true;
    throw app::DatabaseUnavailable("PostgreSQL connection lost");
  }
  const bool prepare = !prepared_.contains(statement.name);
  const auto lost = [this](std::string_view what) {
    std::string message = ScrubPassword(OneLine(PQerrorMessage(conn_)), spec_.password);
    broken_ = true;  // a pipeline left half-read cannot be reused
    throw app::DatabaseUnavailable("PostgreSQL connection lost during " + std::string(what) + ": " +
                                   message);
  };
  if (PQenterPipelineMode(conn_) != 1) lost("pipeline mode");
  const bool sent =
      PQsendQueryParams(conn_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      (!prepare || PQsendPrepare(conn_, statement.name, statement.sql, 0, nullptr) == 1) &&
      PQsendQueryPrepared(conn_, statement.name, static_cast<int>(values.size()), values.data(),
                          nullptr, nullptr, 0) == 1 &&
      PQpipelineSync(conn_) == 1;
  if (!sent) lost(statement.name);

  // One result per command, each followed by a null, then the sync marker; every wait is
  // bounded by the answer timeout like a single command's.
  const auto deadline = std::chrono::steady_clock::now() + answer_timeout_;
  const auto next = [&]() -> PGresult* {
    WaitUntilReady(deadline, statement.name);
    return PQgetResult(conn_);
  };
  const int commands = prepare ? 3 : 2;
  std::vector<Result> results;
  results.reserve(static_cast<std::size_t>(commands));
  for (int i = 0; i < commands; ++i) {
    PGresult* res = next();
    if (res == nullptr) lost(statement.name);
    results.emplace_back(res);
    while (PGresult* extra = next()) PQclear(extra);
  }
  {
    const Result sync(next());
    if (sync.native() == nullptr || PQresultStatus(sync.native()) != PGRES_PIPELINE_SYNC) {
      lost(statement.name);
    }
  }
  if (PQexitPipelineMode(conn_) != 1) lost(statement.name);

  // Report the first failure; commands after it come back as PGRES_PIPELINE_ABORTED.
  const std::array<std::string, 3> labels = {begin, std::string("prepare ") + statement.name,
                                             statement.name};
  for (int i = 0; i < commands; ++i) {
    const PGresult* res = results[static_cast<std::size_t>(i)].native();
    const auto status = PQresultStatus(res);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) continue;
    const std::size_t label = i == 0 ? 0 : (prepare && i == 1 ? 1 : 2);
    Fail(res, labels[label]);
  }
  if (prepare) prepared_.insert(statement.name);
  return std::move(results.back());
}

void Connection::WaitUntilReady(std::chrono::steady_clock::time_point deadline,
                                std::string_view what) {
  using Clock = std::chrono::steady_clock;
  const bool bounded = answer_timeout_.count() > 0;
  while (PQisBusy(conn_) != 0) {
    int wait_ms = -1;
    if (bounded) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) AnswerTimedOut(what);
      wait_ms = static_cast<int>(std::min<std::int64_t>(left, std::numeric_limits<int>::max()));
    }
    // A lost connection (no socket, or a failed read) is reported by PQgetResult at once.
    if (PQsocket(conn_) < 0) return;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    const int ready = poll(&fd, 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      Drop();
      throw app::DatabaseUnavailable("waiting for PostgreSQL during " + std::string(what) + ": " +
                                     std::system_category().message(error));
    }
    if (ready > 0 && PQconsumeInput(conn_) == 0) return;
  }
}

PGresult* Connection::Await(int sent, std::string_view what) {
  if (sent == 0) return nullptr;  // Check reports PQerrorMessage
  const auto deadline = std::chrono::steady_clock::now() + answer_timeout_;
  PGresult* kept = nullptr;
  for (;;) {
    try {
      WaitUntilReady(deadline, what);
    } catch (...) {
      PQclear(kept);
      throw;
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) break;
    // Like PQexec: the last result, except that an error is never replaced by a later result.
    if (kept != nullptr && PQresultStatus(kept) == PGRES_FATAL_ERROR) {
      PQclear(res);
    } else {
      PQclear(kept);
      kept = res;
    }
    if (PQstatus(conn_) == CONNECTION_BAD) break;
  }
  return kept;
}

void Connection::Drop() {
  PQfinish(conn_);
  conn_ = nullptr;
  broken_ = true;
  prepared_.clear();
}

void Connection::AnswerTimedOut(std::string_view what) {
  Drop();
  throw ServerNotAnswering("PostgreSQL did not answer within " +
                           std::to_string(answer_timeout_.count()) + " ms during " +
                           std::string(what) + "; connection dropped");
}

UnboundedQueries::UnboundedQueries(Connection& conn)
    : conn_(conn), previous_(conn.AnswerTimeout()) {
  conn_.Exec(StatementTimeout(std::chrono::milliseconds::zero()));
  conn_.SetAnswerTimeout(std::chrono::milliseconds::zero());
}

UnboundedQueries::~UnboundedQueries() {
  conn_.SetAnswerTimeout(previous_);
  try {
    if (!conn_.IsBroken()) conn_.Exec(StatementTimeout(conn_.QueryTimeout()));
  } catch (...) {
    conn_.MarkBroken();  // reopened, with the query timeout, on next use
  }
}

std::variant<Result, std::string> Connection::RunGuarded(const Statement& statement,
                                                         const Params& params) {
  Exec(kSavepoint);
  try {
    Result result = Run(statement, params);
    Exec(kReleaseSavepoint);
    return result;
  } catch (const ConstraintViolation& e) {
    Exec(kRollbackToSavepoint);
    Exec(kReleaseSavepoint);
    return e.sqlstate();
  }
}

}  // namespace coffee::storage::postgres
