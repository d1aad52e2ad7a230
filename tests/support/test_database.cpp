#include "test_database.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>

namespace coffee::testing {

namespace {

std::string AdminUrl() {
  const char* url = std::getenv("COFFEE_TEST_PG_ADMIN_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "COFFEE_TEST_PG_ADMIN_URL is not set: PostgreSQL tests need the server that "
        "`make test` starts (or `eval $(scripts/test-postgres start)`)");
  }
  return url;
}

std::string ReplaceDbName(const std::string& url, const std::string& name) {
  const auto slash = url.rfind('/');
  const auto query = url.find('?', slash);
  std::string out = url.substr(0, slash + 1) + name;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

PgConn Connect(const std::string& url) {
  PgConn conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to test PostgreSQL: " +
                             std::string(PQerrorMessage(conn.get())));
  }
  return conn;
}

std::string PgQuery(const std::string& url, const std::string& sql) {
  auto conn = Connect(url);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("test SQL failed: " + sql + ": " + PQresultErrorMessage(res.get()));
  }
  if (status == PGRES_TUPLES_OK && PQntuples(res.get()) > 0 && PQnfields(res.get()) > 0) {
    return PQgetvalue(res.get(), 0, 0);
  }
  return "";
}

std::string SqliteQuery(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    throw std::runtime_error("cannot open test SQLite file " + path);
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  sqlite3_busy_timeout(db.get(), 5000);
  sqlite3_exec(db.get(), "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string value;
  const char* tail = sql.c_str();
  while (tail != nullptr && *tail != '\0') {
    if (sqlite3_prepare_v2(db.get(), tail, -1, &stmt, &tail) != SQLITE_OK) {
      throw std::runtime_error("test SQL failed: " + sql + ": " + sqlite3_errmsg(db.get()));
    }
    if (stmt == nullptr) break;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && value.empty()) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) value = reinterpret_cast<const char*>(text);
    }
    while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
      throw std::runtime_error("test SQL failed: " + sql + ": " + sqlite3_errmsg(db.get()));
    }
  }
  return value;
}

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 1000000);
}

}  // namespace

TestDatabase::TestDatabase(std::string_view backend) : backend_(backend) {
  if (backend_ == "sqlite") {
    auto base = std::filesystem::temp_directory_path() / ("coffee_test_" + UniqueSuffix());
    std::filesystem::create_directories(base);
    dir_ = base.string();
    url_ = "sqlite://" + dir_ + "/coffee.db";
  } else if (backend_ == "postgres") {
    const std::string admin = AdminUrl();
    db_name_ = "coffee_test_" + UniqueSuffix();
    PgQuery(admin, "CREATE DATABASE " + db_name_);
    url_ = ReplaceDbName(admin, db_name_);
  } else {
    throw std::invalid_argument("unknown backend " + backend_);
  }
}

TestDatabase::~TestDatabase() {
  try {
    if (backend_ == "sqlite") {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    } else {
      PgQuery(AdminUrl(), "DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): cleanup is best effort
  }
}

void TestDatabase::Exec(const std::string& sql) const { (void)QueryValue(sql); }

std::string TestDatabase::QueryValue(const std::string& sql) const {
  if (backend_ == "sqlite") return SqliteQuery(url_.substr(9), sql);
  return PgQuery(url_, sql);
}

TestSession::TestSession(const TestDatabase& db) {
  if (db.backend() == "sqlite") {
    if (sqlite3_open(db.url().substr(9).c_str(), &sqlite_) != SQLITE_OK) {
      sqlite3_close(sqlite_);
      throw std::runtime_error("cannot open test SQLite file " + db.url());
    }
    sqlite3_busy_timeout(sqlite_, 5000);
  } else {
    pg_ = Connect(db.url()).release();
  }
}

TestSession::~TestSession() {
  if (pg_ != nullptr) PQfinish(pg_);
  if (sqlite_ != nullptr) sqlite3_close(sqlite_);
}

void TestSession::Exec(const std::string& sql) {
  if (sqlite_ != nullptr) {
    char* error = nullptr;
    if (sqlite3_exec(sqlite_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      throw std::runtime_error("test SQL failed: " + sql + ": " + message);
    }
    return;
  }
  const std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(pg_, sql.c_str()), &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("test SQL failed: " + sql + ": " + PQresultErrorMessage(res.get()));
  }
}

}  // namespace coffee::testing
