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
  conn_.SetAnswerTimeout(kDefaultAnswerTimeout);
  EXPECT_NO_THROW(conn_.Run(kSleep, Params().Text("0")));  // prepared again after the reopen
}

TEST_F(PostgresConnection, ZeroAnswerTimeoutWaitsAsLongAsTheCommandTakes) {
  conn_.SetAnswerTimeout(milliseconds::zero());
  EXPECT_NO_THROW(conn_.Exec("SELECT pg_sleep(0.3)"));
  EXPECT_FALSE(conn_.IsBroken());
}

TEST_F(PostgresConnection, ErrorInTheMiddleOfSeveralStatementsIsReported) {
  EXPECT_THROW(conn_.Exec("SELECT 1; SELECT 1 / 0; SELECT 2"), app::StorageError);
  EXPECT_FALSE(conn_.IsBroken());
  EXPECT_EQ(RowReader(conn_.Exec("SELECT 1; SELECT 2"), 0).Int(), 2);  // the last result
}

}  // namespace
}  // namespace coffee::storage::postgres
