// Behaviour only the SQLite adapter has: file, pragmas, connection pool, file-level failures.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/database.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/repositories.hpp"
#include "storage/sqlite/sqlite_database.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::Tx;
using domain::Money;
using testing::TestDatabase;

std::string PathOf(const TestDatabase& db) {
  return db.url().substr(std::string("sqlite://").size());
}

/// Drops CAP_DAC_OVERRIDE from this thread while alive, so that even root honours file modes.
class WithoutDacOverride {
 public:
  WithoutDacOverride() {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): raw system call, no libcap needed
    if (syscall(SYS_capget, &header_, saved_.data()) != 0) return;
    auto reduced = saved_;
    reduced[0].effective &= ~(1U << CAP_DAC_OVERRIDE);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): raw system call
    active_ = syscall(SYS_capset, &header_, reduced.data()) == 0;
  }
  ~WithoutDacOverride() {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): raw system call
    if (active_) syscall(SYS_capset, &header_, saved_.data());
  }
  WithoutDacOverride(const WithoutDacOverride&) = delete;
  WithoutDacOverride& operator=(const WithoutDacOverride&) = delete;
  WithoutDacOverride(WithoutDacOverride&&) = delete;
  WithoutDacOverride& operator=(WithoutDacOverride&&) = delete;

 private:
  __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, 2> saved_{};
  bool active_ = false;
};

class SqliteAdapter : public ::testing::Test {
 protected:
  TestDatabase test_db_{"sqlite"};
};

TEST_F(SqliteAdapter, JournalModeIsWal) {
  auto db = storage::Open({test_db_.url(), 2});
  db->Migrate();
  EXPECT_EQ(test_db_.QueryValue("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteAdapter, ForeignKeysAreEnforced) {
  auto db = storage::Open({test_db_.url(), 2});
  db->Migrate();
  // An availability row for a coffee that does not exist violates its foreign key.
  EXPECT_THROW(db->Write([](Tx& tx) {
    domain::Availability a;
    a.coffee_id = domain::CoffeeId{42};
    tx.Rules().UpsertAvailability(a);
    return true;
  }),
               app::StorageError);
  EXPECT_EQ(test_db_.QueryValue("SELECT count(*) FROM coffee_availability"), "0");
}

TEST_F(SqliteAdapter, MissingParentDirectoriesAreCreated) {
  const auto nested =
      std::filesystem::path(PathOf(test_db_)).parent_path() / "nested" / "deeper" / "coffee.db";
  auto db = storage::sqlite::Open(nested.string(), 1, "NORMAL", std::chrono::seconds(5));
  EXPECT_EQ(db->Migrate(), static_cast<int>(storage::EmbeddedMigrations("sqlite").size()));
  EXPECT_TRUE(std::filesystem::exists(nested));
  EXPECT_TRUE(db->Ping());
}

TEST_F(SqliteAdapter, UnknownSynchronousModeIsRejected) {
  EXPECT_THROW(storage::sqlite::Open(PathOf(test_db_), 1, "SOMETIMES", std::chrono::seconds(5)),
               std::invalid_argument);
  EXPECT_NO_THROW(storage::sqlite::Open(PathOf(test_db_), 1, "full", std::chrono::seconds(5)));
}

TEST_F(SqliteAdapter, QueryTimeoutInterruptsALongWriteAndRollsBackItsTransaction) {
  storage::sqlite::Connection conn(PathOf(test_db_), std::chrono::milliseconds(200));
  conn.Exec("CREATE TABLE t (x INTEGER)");
  conn.Exec("BEGIN");
  conn.Exec("INSERT INTO t VALUES (1)");
  // Ten billion rows: far longer than the timeout.
  EXPECT_THROW(conn.Exec("INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                         "FROM c LIMIT 10000000000) SELECT x FROM c"),
               app::DatabaseUnavailable);
  EXPECT_FALSE(conn.InTransaction());  // SQLite rolled the whole transaction back
  EXPECT_EQ(conn.QueryText("SELECT count(*) FROM t"), "0");
}

TEST_F(SqliteAdapter, QueryTimeoutBoundsTheWaitForAnotherConnectionsWriteLock) {
  storage::sqlite::Connection holder(PathOf(test_db_));
  holder.Exec("PRAGMA journal_mode = WAL");
  holder.Exec("BEGIN IMMEDIATE");
  storage::sqlite::Connection conn(PathOf(test_db_), std::chrono::milliseconds(200));
  EXPECT_THROW(conn.Exec("BEGIN IMMEDIATE"), app::DatabaseUnavailable);
  holder.Exec("ROLLBACK");
  EXPECT_NO_THROW(conn.Exec("BEGIN IMMEDIATE; ROLLBACK"));
}

TEST_F(SqliteAdapter, UnboundedQueriesLiftTheQueryTimeout) {
  storage::sqlite::Connection conn(PathOf(test_db_), std::chrono::milliseconds(1));
  {
    const storage::sqlite::UnboundedQueries unbounded(conn);
    EXPECT_EQ(conn.QueryText("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                             "LIMIT 200000) SELECT count(*) FROM c"),
              "200000");
  }
  EXPECT_EQ(conn.QueryTimeout(), std::chrono::milliseconds(1));
  EXPECT_THROW((void)conn.QueryText("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                    "FROM c LIMIT 200000) SELECT count(*) FROM c"),
               app::DatabaseUnavailable);
}

TEST_F(SqliteAdapter, FileThatIsNotADatabaseIsUnavailable) {
  {
    std::ofstream out(PathOf(test_db_), std::ios::binary);
    out << std::string(4096, 'x');
  }
  EXPECT_THROW(storage::Open({test_db_.url(), 1}), app::DatabaseUnavailable);
}

TEST_F(SqliteAdapter, ReadOnlyFileMakesWriteUnavailable) {
  {
    auto db = storage::Open({test_db_.url(), 1});
    db->Migrate();
  }
  const std::string path = PathOf(test_db_);
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  {
    const WithoutDacOverride guard;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open
    if (const int fd = ::open(path.c_str(), O_WRONLY); fd >= 0) {
      ::close(fd);
      GTEST_SKIP() << "cannot make the file read-only for this process";
    }
    auto db = storage::Open({test_db_.url(), 1});
    EXPECT_THROW(db->Write([](Tx& tx) {
      tx.Coffees().Create({"Espresso", "x", Money::FromCents(350), 4.8, ""});
      return true;
    }),
                 app::DatabaseUnavailable);
    // Reading still works.
    std::int64_t count = -1;
    db->Read([&](Tx& tx) { count = tx.Coffees().Count({}); });
    EXPECT_EQ(count, 0);
  }
  ::chmod(path.c_str(), 0644);
}

TEST_F(SqliteAdapter, WritesInsideReadAreRefused) {
  auto db = storage::Open({test_db_.url(), 1});
  db->Migrate();
  EXPECT_THROW(db->Read([](Tx& tx) {
    tx.Coffees().Create({"Sneaky", "x", Money::FromCents(100), 1, ""});
  }),
               std::runtime_error);
  EXPECT_EQ(test_db_.QueryValue("SELECT count(*) FROM coffees"), "0");
}

TEST_F(SqliteAdapter, ConcurrentWritersAndReadersSeeEveryCommit) {
  auto db = storage::Open({test_db_.url(), 3});
  db->Migrate();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(kThreads) * 2);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          db->Write([&](Tx& tx) {
            const auto name = "Coffee " + std::to_string(t) + "-" + std::to_string(i);
            return tx.Coffees().Create({name, "x", Money::FromCents(100 + i), 4, ""}).has_value();
          });
        }
      } catch (const std::exception&) {
        failed = true;
      }
    });
    threads.emplace_back([&] {
      try {
        std::int64_t last = 0;
        for (int i = 0; i < kPerThread; ++i) {
          std::int64_t count = 0;
          db->Read([&](Tx& tx) { count = tx.Coffees().Count({}); });
          if (count < last) failed = true;  // commits never disappear
          last = count;
        }
      } catch (const std::exception&) {
        failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(failed);
  std::int64_t total = 0;
  db->Read([&](Tx& tx) { total = tx.Coffees().Count({}); });
  EXPECT_EQ(total, kThreads * kPerThread);
}

TEST_F(SqliteAdapter, MalformedJsonColumnIsReportedNotThrown) {
  auto db = storage::Open({test_db_.url(), 1});
  db->Migrate();
  test_db_.Exec("UPDATE loyalty_config SET bonus_multipliers = '{\"1\": oops' WHERE id = 1");
  app::RulesData data;
  db->Read([&](Tx& tx) { data = tx.Rules().LoadAll(); });
  ASSERT_EQ(data.malformed.size(), 1U);
  EXPECT_NE(data.malformed[0].find("bonus_multipliers is not valid JSON"), std::string::npos)
      << data.malformed[0];
  EXPECT_EQ(data.loyalty.points_per_dollar, domain::Fixed4{10000});
}

TEST_F(SqliteAdapter, MultipliersAreStoredAsDecimalStrings) {
  auto db = storage::Open({test_db_.url(), 1});
  db->Migrate();
  db->Write([](Tx& tx) {
    domain::LoyaltyConfig c;
    c.bonus_multipliers = {{domain::CoffeeId{1}, domain::Fixed4{20000}},
                           {domain::CoffeeId{5}, domain::Fixed4{12500}}};
    tx.Rules().PutLoyaltyConfig(c);
    return true;
  });
  EXPECT_EQ(test_db_.QueryValue("SELECT bonus_multipliers FROM loyalty_config"),
            R"({"1":"2.0","5":"1.25"})");
}

/// Seeds `count` orders of two lines each through the ports; returns their ids.
std::vector<domain::OrderId> SeedOrders(storage::Database& db, int count) {
  std::vector<domain::OrderId> ids;
  db.Write([&](Tx& tx) {
    const auto user = tx.Users().Create("orders@example.com", "h", domain::Role::kUser);
    const auto latte = tx.Coffees().Create({"Latte", "x", Money::FromCents(350), 4, ""});
    const auto mocha = tx.Coffees().Create({"Mocha", "x", Money::FromCents(500), 4, ""});
    for (int i = 0; i < count; ++i) {
      app::Order o;
      o.id =
          domain::OrderId::Parse("00000000-0000-4000-8000-00000000000" + std::to_string(i)).value();
      o.user_id = user->id;
      o.pricing_strategy = domain::CombinationStrategy::kAdditive;
      o.pricing_combination = "additive";
      o.applied_rules = {{domain::RuleId{1}, "Happy hour", Money::FromCents(105)}};
      o.created_at = domain::Instant{std::chrono::seconds{1'767'261'600 + i}};
      o.updated_at = o.created_at;
      o.estimated_ready_at = o.created_at;
      for (const auto& coffee : {*latte, *mocha}) {
        app::OrderLine line;
        line.coffee_id = coffee.id;
        line.coffee_name = coffee.name;
        line.quantity = 1;
        line.price_snapshot = coffee.price;
        line.subtotal = coffee.price;
        line.final_amount = coffee.price;
        o.items.push_back(line);
      }
      tx.Orders().Insert(o);
      ids.push_back(o.id);
    }
    return true;
  });
  return ids;
}

TEST_F(SqliteAdapter, AppliedRulesAreStoredAsJsonWithDecimalStringDiscounts) {
  auto db = storage::Open({test_db_.url(), 1});
  db->Migrate();
  const auto ids = SeedOrders(*db, 1);
  EXPECT_EQ(test_db_.QueryValue("SELECT applied_rules FROM orders"),
            R"([{"rule_id":1,"description":"Happy hour","discount":"1.05"}])");
}

TEST_F(SqliteAdapter, MalformedAppliedRulesAreAStorageError) {
  auto db = storage::Open({test_db_.url(), 1});
  db->Migrate();
  const auto ids = SeedOrders(*db, 1);
  test_db_.Exec("UPDATE orders SET applied_rules = '[{\"rule_id\": \"x\"}]'");
  EXPECT_THROW(db->Read([&](Tx& tx) { tx.Orders().Find(ids[0]); }), app::StorageError);
}

TEST_F(SqliteAdapter, OrderListReadsThePageLinesInOneQuery) {
  {
    auto db = storage::Open({test_db_.url(), 1});
    db->Migrate();
    SeedOrders(*db, 6);
  }
  storage::sqlite::Connection conn(PathOf(test_db_));
  int statements = 0;
  sqlite3_trace_v2(
      conn.handle(), SQLITE_TRACE_STMT,
      [](unsigned, void* counter, void*, void* sql) {
        // Trigger programs are reported with a "--" comment; count only top-level statements.
        if (std::string_view(static_cast<const char*>(sql)).substr(0, 2) != "--") {
          ++*static_cast<int*>(counter);
        }
        return 0;
      },
      &statements);
  storage::sqlite::OrderRepository orders(conn);
  for (const std::int64_t limit : {1, 6, 100}) {
    statements = 0;
    app::OrderQuery query;
    query.limit = limit;
    const auto page = orders.List(query);
    ASSERT_EQ(page.size(), static_cast<std::size_t>(std::min<std::int64_t>(limit, 6)));
    for (const auto& o : page) EXPECT_EQ(o.items.size(), 2U) << o.id;
    EXPECT_EQ(statements, 2) << "limit " << limit;
  }
}

/// Concurrent Write calls on one SQLite database, committed in groups by its single writer.
class SqliteGroupCommit : public SqliteAdapter {
 protected:
  void SetUp() override {
    db_ = storage::Open({test_db_.url(), 2});
    db_->Migrate();
  }

  [[nodiscard]] storage::sqlite::WriterStats Stats() const {
    return *storage::sqlite::WriterStatistics(*db_);
  }

  /// Waits until `count` Write calls are running or queued; false after 10 s.
  [[nodiscard]] bool WaitForQueued(std::int64_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Stats().queued < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  /// Runs `followers` on their own threads while a first Write holds the writer, so that all of
  /// them queue behind it and run as one batch.
  void RunAsOneBatch(std::vector<std::function<void()>> followers) {
    std::atomic<bool> leader_inside{false};
    bool all_queued = false;
    std::thread leader([&] {
      db_->Write([&](Tx& tx) {
        tx.Users().Create("leader@example.com", "h", domain::Role::kUser);
        leader_inside = true;
        all_queued = WaitForQueued(static_cast<std::int64_t>(followers.size()) + 1);
        return true;
      });
    });
    while (!leader_inside) std::this_thread::yield();
    std::vector<std::thread> threads;
    threads.reserve(followers.size());
    for (auto& f : followers) threads.emplace_back(f);
    leader.join();
    for (auto& th : threads) th.join();
    EXPECT_TRUE(all_queued);
  }

  [[nodiscard]] bool UserExists(const std::string& email) const {
    bool found = false;
    db_->Read([&](Tx& tx) { found = tx.Users().FindByEmail(email).has_value(); });
    return found;
  }

  std::unique_ptr<storage::Database> db_;
};

TEST_F(SqliteGroupCommit, ConcurrentWritesAllCommitAndEachCallerSeesItsOwnResult) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 50;
  const auto before = Stats();
  std::vector<std::vector<domain::User>> created(kThreads);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Appended piece by piece: gcc 12's -O2 -Werror=restrict misfires on
        // `"literal" + std::string&&` (operator+ inserting at the front).
        std::string email = "u";
        email += std::to_string(t);
        email += '-';
        email += std::to_string(i);
        email += "@example.com";
        std::optional<domain::User> user;
        try {
          db_->Write([&](Tx& tx) {
            user = tx.Users().Create(email, "h", domain::Role::kUser);
            return user.has_value();
          });
        } catch (const std::exception&) {
          ++wrong;
          continue;
        }
        if (!user || user->email != email) {
          ++wrong;
          continue;
        }
        created[static_cast<std::size_t>(t)].push_back(*user);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);

  std::set<std::int64_t> ids;
  for (const auto& mine : created) {
    for (const auto& u : mine) {
      ids.insert(u.id.value);
      std::optional<domain::User> stored;
      db_->Read([&](Tx& tx) { stored = tx.Users().FindById(u.id); });
      ASSERT_TRUE(stored.has_value()) << u.email;
      EXPECT_EQ(stored->email, u.email);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(test_db_.QueryValue("SELECT count(*) FROM users"),
            std::to_string(kThreads * kPerThread));

  const auto after = Stats();
  EXPECT_EQ(after.writes - before.writes, kThreads * kPerThread);
  EXPECT_LT(after.commits - before.commits, after.writes - before.writes)
      << "concurrent writes should share commits";
  EXPECT_EQ(after.queued, 0);
}

TEST_F(SqliteGroupCommit, WritesQueuedBehindABusyWriterShareOneCommit) {
  constexpr int kFollowers = 9;
  const auto before = Stats();
  std::vector<std::function<void()>> followers;
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([this, i] {
      db_->Write([&](Tx& tx) {
        return tx.Users()
            .Create("f" + std::to_string(i) + "@example.com", "h", domain::Role::kUser)
            .has_value();
      });
    });
  }
  RunAsOneBatch(std::move(followers));
  const auto after = Stats();
  EXPECT_EQ(after.writes - before.writes, kFollowers + 1);
  EXPECT_EQ(after.transactions - before.transactions, 2);  // the leader's, then one batch
  EXPECT_EQ(after.commits - before.commits, 2);
  EXPECT_EQ(test_db_.QueryValue("SELECT count(*) FROM users"), std::to_string(kFollowers + 1));
}

TEST_F(SqliteGroupCommit, FnsThatReturnFalseOrThrowUndoOnlyTheirOwnChanges) {
  constexpr int kFollowers = 12;
  const auto before = Stats();
  enum class Outcome { kCommit, kRollback, kThrow };
  const auto outcome_of = [](int i) { return static_cast<Outcome>(i % 3); };
  std::vector<std::string> seen_errors(kFollowers);
  std::vector<std::function<void()>> followers;
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] {
      try {
        db_->Write([&](Tx& tx) {
          tx.Users().Create("b" + std::to_string(i) + "@example.com", "h", domain::Role::kUser);
          if (outcome_of(i) == Outcome::kThrow)
            throw std::runtime_error("boom " + std::to_string(i));
          return outcome_of(i) == Outcome::kCommit;
        });
      } catch (const std::runtime_error& e) {
        seen_errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  RunAsOneBatch(std::move(followers));
  for (int i = 0; i < kFollowers; ++i) {
    const std::string email = "b" + std::to_string(i) + "@example.com";
    EXPECT_EQ(UserExists(email), outcome_of(i) == Outcome::kCommit) << email;
    EXPECT_EQ(seen_errors[static_cast<std::size_t>(i)],
              outcome_of(i) == Outcome::kThrow ? "boom " + std::to_string(i) : "")
        << email;
  }
  EXPECT_TRUE(UserExists("leader@example.com"));
  const auto after = Stats();
  EXPECT_EQ(after.transactions - before.transactions, 2);
  EXPECT_EQ(after.commits - before.commits, 2);
}

TEST_F(SqliteGroupCommit, UniqueConflictInOneFnDoesNotAffectItsBatch) {
  db_->Write([](Tx& tx) {
    return tx.Users().Create("taken@example.com", "h", domain::Role::kUser).has_value();
  });
  constexpr int kFollowers = 8;
  constexpr int kDuplicate = 3;
  std::vector<std::optional<bool>> created(kFollowers);
  std::vector<std::function<void()>> followers;
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] {
      const std::string email =
          i == kDuplicate ? "TAKEN@example.com" : "c" + std::to_string(i) + "@example.com";
      db_->Write([&](Tx& tx) {
        created[static_cast<std::size_t>(i)] =
            tx.Users().Create(email, "h", domain::Role::kUser).has_value();
        return *created[static_cast<std::size_t>(i)];
      });
    });
  }
  RunAsOneBatch(std::move(followers));
  for (int i = 0; i < kFollowers; ++i) {
    ASSERT_TRUE(created[static_cast<std::size_t>(i)].has_value()) << i;
    EXPECT_EQ(*created[static_cast<std::size_t>(i)], i != kDuplicate) << i;
    if (i != kDuplicate) {
      EXPECT_TRUE(UserExists("c" + std::to_string(i) + "@example.com")) << i;
    }
  }
  EXPECT_EQ(
      test_db_.QueryValue("SELECT count(*) FROM users WHERE lower(email) = 'taken@example.com'"),
      "1");
  EXPECT_EQ(test_db_.QueryValue("SELECT count(*) FROM users"), std::to_string(kFollowers + 1));
}

TEST_F(SqliteGroupCommit, LoneWriteCommitsAtOnceAndARolledBackOneDoesNotCommit) {
  const auto before = Stats();
  db_->Write([](Tx& tx) {
    return tx.Users().Create("alone@example.com", "h", domain::Role::kUser).has_value();
  });
  db_->Write([](Tx& tx) {
    tx.Users().Create("undone@example.com", "h", domain::Role::kUser);
    return false;
  });
  const auto after = Stats();
  EXPECT_EQ(after.transactions - before.transactions, 2);
  EXPECT_EQ(after.commits - before.commits, 1);
  EXPECT_TRUE(UserExists("alone@example.com"));
  EXPECT_FALSE(UserExists("undone@example.com"));
}

TEST_F(SqliteGroupCommit, NestedWriteIsRefusedInsteadOfDeadlocking) {
  EXPECT_THROW(db_->Write([this](Tx& tx) {
    tx.Users().Create("outer@example.com", "h", domain::Role::kUser);
    db_->Write([](Tx&) { return true; });
    return true;
  }),
               app::StorageError);
  EXPECT_FALSE(UserExists("outer@example.com"));
  EXPECT_EQ(Stats().queued, 0);
}

TEST_F(SqliteGroupCommit, WalIsCheckpointedInTheBackground) {
  // The writer's automatic checkpoint is off; a thread of the adapter copies the WAL into the
  // database file instead. About 5 MB of rows pass the 1000-page threshold.
  const std::string path = test_db_.url().substr(std::string_view("sqlite://").size());
  const auto before = std::filesystem::file_size(path);
  const std::string pad(2000, 'x');
  for (int i = 0; i < 50; ++i) {
    db_->Write([&](Tx& tx) {
      for (int k = 0; k < 50; ++k) {
        app::AuditRecord record;
        record.rule_type = "checkpoint_test";
        record.rule_data_json = R"({"pad":")" + pad + R"("})";
        record.effect = "padding";
        tx.Audit().InsertAudit(record);
      }
      return true;
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((Stats().checkpoints == 0 || std::filesystem::file_size(path) < before + 4'000'000) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(Stats().checkpoints, 1);
  EXPECT_GE(std::filesystem::file_size(path), before + 4'000'000) << "rows never left the WAL";
  EXPECT_EQ(test_db_.QueryValue("SELECT count(*) FROM rule_audit_log WHERE rule_type = "
                                "'checkpoint_test'"),
            "2500");
}

}  // namespace
}  // namespace coffee
