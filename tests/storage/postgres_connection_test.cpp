#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "app/ports/store.hpp"
#include "storage/postgres/connection.hpp"
#include "test_database.hpp"

namespace coffee::storage::postgres {
namespace {

using std::chrono::milliseconds;

/// One open connection to a fresh PostgreSQL database.
class PostgresConnection : public ::testing::Test {
 protected:
  testing::TestDatabase db_{"postgres"};
  ConnectSpec spec_{db_.url(), ""};
  Connection conn_{spec_};

  void SetUp() override { conn_.EnsureOpen(); }
};

TEST_F(PostgresConnection, UnansweredCommandFailsAsUnavailableAndTheConnectionReopens) {
  conn_.SetAnswerTimeout(milliseconds(200));
  EXPECT_THROW(conn_.Exec("SELECT pg_sleep(3)"), app::DatabaseUnavailable);
  EXPECT_TRUE(conn_.IsBroken());
  conn_.EnsureOpen();
  EXPECT_EQ(RowReader(conn_.Exec("SELECT 41 + 1"), 0).Int(), 42);
}

TEST_F(PostgresConnection, UnansweredPreparedStatementFailsAsUnavailable) {
  static constexpr Statement kSleep{"test_sleep", "SELECT pg_sleep($1::float8)"};
  conn_.SetAnswerTimeout(milliseconds(200));
  EXPECT_THROW(conn_.Run(kSleep, Params().Text("3")), app::DatabaseUnavailable);
  conn_.EnsureOpen();
  conn_.SetAnswerTimeout(kDefaultQueryTimeout + kAnswerGrace);
  EXPECT_NO_THROW(conn_.Run(kSleep, Params().Text("0")));  // prepared again after the reopen
}

TEST_F(PostgresConnection, ZeroAnswerTimeoutWaitsAsLongAsTheCommandTakes) {
  conn_.SetAnswerTimeout(milliseconds::zero());
  EXPECT_NO_THROW(conn_.Exec("SELECT pg_sleep(0.3)"));
  EXPECT_FALSE(conn_.IsBroken());
}

TEST(PostgresStatementTimeout, TheServerCancelsASlowStatementAndTheConnectionStaysUsable) {
  const testing::TestDatabase db("postgres");
  const ConnectSpec spec{db.url(), "", milliseconds(300)};
  Connection conn(spec);
  conn.EnsureOpen();
  EXPECT_EQ(conn.AnswerTimeout(), milliseconds(300) + kAnswerGrace);
  conn.Exec("CREATE TABLE t (x int)");
  conn.Exec("BEGIN");
  conn.Exec("INSERT INTO t VALUES (1)");
  EXPECT_THROW(conn.Exec("SELECT pg_sleep(3)"), ServerNotAnswering);
  EXPECT_FALSE(conn.IsBroken());  // cancelled by the server, not dropped by the client
  conn.Exec("ROLLBACK");
  EXPECT_EQ(RowReader(conn.Exec("SELECT count(*) FROM t"), 0).Int(), 0);
}

TEST(PostgresStatementTimeout, UnboundedQueriesLiftItAndRestoreIt) {
  const testing::TestDatabase db("postgres");
  const ConnectSpec spec{db.url(), "", milliseconds(200)};
  Connection conn(spec);
  conn.EnsureOpen();
  {
    const UnboundedQueries unbounded(conn);
    EXPECT_NO_THROW(conn.Exec("SELECT pg_sleep(0.5)"));
  }
  EXPECT_EQ(conn.AnswerTimeout(), milliseconds(200) + kAnswerGrace);
  EXPECT_EQ(RowReader(conn.Exec("SHOW statement_timeout"), 0).String(), "200ms");
  EXPECT_THROW(conn.Exec("SELECT pg_sleep(0.5)"), ServerNotAnswering);
}

TEST_F(PostgresConnection, ErrorInTheMiddleOfSeveralStatementsIsReported) {
  EXPECT_THROW(conn_.Exec("SELECT 1; SELECT 1 / 0; SELECT 2"), app::StorageError);
  EXPECT_FALSE(conn_.IsBroken());
  EXPECT_EQ(RowReader(conn_.Exec("SELECT 1; SELECT 2"), 0).Int(), 2);  // the last result
}

}  // namespace
}  // namespace coffee::storage::postgres
