#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

namespace coffee::testing {

/// The backends every storage and HTTP test runs against.
inline std::vector<std::string> AllBackends() { return {"sqlite", "postgres"}; }

/// A fresh, empty database of one backend (not migrated), removed when destroyed.
/// SQLite: a file in a new temp directory. PostgreSQL: a new database on the server named by
/// COFFEE_TEST_PG_ADMIN_URL (set by `make test`); without it the constructor throws.
class TestDatabase {
 public:
  explicit TestDatabase(std::string_view backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// A DATABASE_URL for the server or storage::Open.
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& backend() const { return backend_; }
  /// Runs one SQL statement directly (tests that edit rows behind the server's back).
  void Exec(const std::string& sql) const;
  /// Runs a query returning one value (first column of the first row, "" if none).
  [[nodiscard]] std::string QueryValue(const std::string& sql) const;

 private:
  std::string backend_;
  std::string url_;
  std::string dir_;      // sqlite: temp dir
  std::string db_name_;  // postgres: database name
};

/// A connection of its own to a TestDatabase, kept open between statements: a session that
/// holds a lock or a transaction while the code under test works. Closed when destroyed.
class TestSession {
 public:
  explicit TestSession(const TestDatabase& db);
  ~TestSession();
  TestSession(const TestSession&) = delete;
  TestSession& operator=(const TestSession&) = delete;

  /// Runs SQL text (several statements allowed); throws std::runtime_error when it fails.
  void Exec(const std::string& sql);

 private:
  PGconn* pg_ = nullptr;
  sqlite3* sqlite_ = nullptr;
};

}  // namespace coffee::testing
