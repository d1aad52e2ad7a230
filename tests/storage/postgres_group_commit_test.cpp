// Group commit of the PostgreSQL adapter: concurrent Write calls share transactions and
// commits, and each still succeeds or fails on its own; batches run in write lanes (migration
// 0014) (src/storage/postgres/group_commit.hpp).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "test_database.hpp"

namespace coffee::storage::postgres {
namespace {

using app::Tx;

/// A write that creates `email` and stays inside its batch (holding that batch's lane) until
/// Finish, which lets it commit.
class HeldWrite {
 public:
  HeldWrite(Database& store, std::string email) {
    thread_ = std::thread([this, &store, email = std::move(email)] {
      store.Write([&](Tx& tx) {
        tx.Users().Create(email, "h", domain::Role::kUser);
        inside_ = true;
        while (!release_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return true;
      });
    });
    while (!inside_) std::this_thread::yield();
  }
  ~HeldWrite() { Finish(); }
  HeldWrite(const HeldWrite&) = delete;
  HeldWrite& operator=(const HeldWrite&) = delete;
  HeldWrite(HeldWrite&&) = delete;
  HeldWrite& operator=(HeldWrite&&) = delete;

  void Finish() {
    release_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> inside_{false};
  std::atomic<bool> release_{false};
  std::thread thread_;
};

class PostgresGroupCommit : public ::testing::Test {
 protected:
  // One lane unless a test asks for more: most tests here build one batch behind a busy lane.
  void SetUp() override { Reopen(4); }

  void Reopen(int pool_size, int lanes = 1) {
    store_ = Open(db_.url(), pool_size, kDefaultQueryTimeout, lanes);
    store_->Migrate();
  }

  [[nodiscard]] GroupCommitStats Stats() const { return *WriteStatistics(*store_); }

  /// Waits until `count` Write calls are running or queued; false after 10 s.
  [[nodiscard]] bool WaitForQueued(std::int64_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Stats().queued < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  /// Runs `followers` on their own threads while a first Write (creating leader@example.com,
  /// kept when `leader_keeps`) holds the only lane, so that all of them queue and run as one
  /// batch.
  void RunAsOneBatch(std::vector<std::function<void()>> followers, bool leader_keeps = true) {
    ASSERT_EQ(Stats().lanes, 1);
    std::atomic<bool> leader_inside{false};
    bool all_queued = false;
    std::thread leader([&] {
      store_->Write([&](Tx& tx) {
        tx.Users().Create("leader@example.com", "h", domain::Role::kUser);
        leader_inside = true;
        all_queued = WaitForQueued(static_cast<std::int64_t>(followers.size()) + 1);
        return leader_keeps;
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

  /// Two coffees, created in one write.
  [[nodiscard]] std::vector<domain::CoffeeId> TwoCoffees() {
    std::vector<domain::CoffeeId> ids;
    store_->Write([&](Tx& tx) {
      ids.clear();
      ids.push_back(
          tx.Coffees().Create({"Latte", "milk", domain::Money::FromCents(400), 4, ""})->id);
      ids.push_back(
          tx.Coffees().Create({"Mocha", "milk", domain::Money::FromCents(450), 4, ""})->id);
      return true;
    });
    return ids;
  }

  /// Sets the price of `id` in `tx`.
  static void SetPrice(Tx& tx, domain::CoffeeId id, std::int64_t cents) {
    domain::CoffeePatch patch;
    patch.price = domain::Money::FromCents(cents);
    tx.Coffees().Update(id, patch);
  }

  /// A customer `email` and a coffee, created in one write.
  [[nodiscard]] std::pair<domain::User, domain::Coffee> CustomerAndLatte(const std::string& email) {
    std::optional<domain::User> user;
    std::optional<domain::Coffee> latte;
    store_->Write([&](Tx& tx) {
      user = tx.Users().Create(email, "h", domain::Role::kUser);
      latte = tx.Coffees().Create({"Latte", "milk", domain::Money::FromCents(350), 4, ""});
      return true;
    });
    EXPECT_TRUE(user && latte);
    return {user.value(), latte.value()};
  }

  /// A pending order of `user` for one `coffee`, `minutes` of work, with one audit row.
  static std::pair<app::Order, std::vector<app::AuditRecord>> AnOrder(const domain::User& user,
                                                                      const domain::Coffee& coffee,
                                                                      const std::string& id,
                                                                      int minutes) {
    app::Order order;
    order.id = domain::OrderId::Parse(id).value();
    order.user_id = user.id;
    order.pricing_combination = "none";
    order.prep_work_minutes = minutes;
    order.estimated_prep_minutes = minutes;
    app::OrderLine line;
    line.coffee_id = coffee.id;
    line.coffee_name = coffee.name;
    line.quantity = 1;
    order.items.push_back(line);
    std::vector<app::AuditRecord> audits = {{0,
                                             order.id,
                                             "prep_time",
                                             std::nullopt,
                                             R"({"work_minutes":)" + std::to_string(minutes) + "}",
                                             std::to_string(minutes) + " minutes",
                                             {}}};
    return {std::move(order), std::move(audits)};
  }

  [[nodiscard]] bool UserExists(const std::string& email) const {
    bool found = false;
    store_->Read([&](Tx& tx) { found = tx.Users().FindByEmail(email).has_value(); });
    return found;
  }

  testing::TestDatabase db_{"postgres"};
  std::unique_ptr<Database> store_;
};

TEST_F(PostgresGroupCommit, ConcurrentWritesAllCommitAndEachCallerSeesItsOwnResult) {
  Reopen(8);
  constexpr int kThreads = 24;
  constexpr int kPerThread = 20;
  const auto before = Stats();
  std::mutex mu;
  std::set<std::int64_t> ids;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string email =
            "u" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
        std::optional<domain::User> user;
        try {
          store_->Write([&](Tx& tx) {
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
        const std::lock_guard lock(mu);
        ids.insert(user->id.value);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(db_.QueryValue("SELECT count(*) FROM users"), std::to_string(kThreads * kPerThread));
  const auto after = Stats();
  EXPECT_EQ(after.writes - before.writes, kThreads * kPerThread);
  EXPECT_LT(after.commits - before.commits, after.writes - before.writes)
      << "concurrent writes should share commits";
  EXPECT_EQ(after.queued, 0);
}

TEST_F(PostgresGroupCommit, WritesQueuedBehindABusyLaneShareOneCommit) {
  constexpr int kFollowers = 9;
  const auto before = Stats();
  std::vector<std::function<void()>> followers;
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([this, i] {
      store_->Write([&](Tx& tx) {
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
  EXPECT_EQ(db_.QueryValue("SELECT count(*) FROM users"), std::to_string(kFollowers + 1));
}

TEST_F(PostgresGroupCommit, FnsThatReturnFalseOrThrowUndoOnlyTheirOwnChanges) {
  for (const bool leader_keeps : {true, false}) {
    SCOPED_TRACE(leader_keeps ? "leader keeps" : "leader rolls back");
    db_.Exec("DELETE FROM users");
    constexpr int kFollowers = 12;
    enum class Outcome { kCommit, kRollback, kThrow };
    const auto outcome_of = [](int i) { return static_cast<Outcome>(i % 3); };
    std::vector<std::string> seen_errors(kFollowers);
    std::vector<std::function<void()>> followers;
    for (int i = 0; i < kFollowers; ++i) {
      followers.emplace_back([&, i] {
        try {
          store_->Write([&](Tx& tx) {
            tx.Users().Create("b" + std::to_string(i) + "@example.com", "h", domain::Role::kUser);
            if (outcome_of(i) == Outcome::kThrow) {
              throw std::runtime_error("boom " + std::to_string(i));
            }
            return outcome_of(i) == Outcome::kCommit;
          });
        } catch (const std::runtime_error& e) {
          seen_errors[static_cast<std::size_t>(i)] = e.what();
        }
      });
    }
    RunAsOneBatch(std::move(followers), leader_keeps);
    for (int i = 0; i < kFollowers; ++i) {
      const std::string email = "b" + std::to_string(i) + "@example.com";
      EXPECT_EQ(UserExists(email), outcome_of(i) == Outcome::kCommit) << email;
      EXPECT_EQ(seen_errors[static_cast<std::size_t>(i)],
                outcome_of(i) == Outcome::kThrow ? "boom " + std::to_string(i) : "")
          << email;
    }
    EXPECT_EQ(UserExists("leader@example.com"), leader_keeps);
  }
}

TEST_F(PostgresGroupCommit, UniqueConflictInOneFnDoesNotAffectItsBatch) {
  store_->Write([](Tx& tx) {
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
      store_->Write([&](Tx& tx) {
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
  }
  EXPECT_EQ(db_.QueryValue("SELECT count(*) FROM users"), std::to_string(kFollowers + 1));
}

TEST_F(PostgresGroupCommit, OnlyTheKeptWritesOfABatchAreAnnounced) {
  std::mutex mu;
  std::vector<std::string> heard;
  store_->Listen("coffee_test_batch", [&](const app::ChangeNotice& notice) {
    if (notice.missed) return;
    const std::lock_guard lock(mu);
    heard.push_back(notice.payload);
  });
  std::vector<std::function<void()>> followers;
  for (int i = 0; i < 4; ++i) {
    followers.emplace_back([this, i] {
      store_->Write([&](Tx& tx) {
        tx.Users().Create("n" + std::to_string(i) + "@example.com", "h", domain::Role::kUser);
        tx.Announce("coffee_test_batch", "write " + std::to_string(i));
        return i % 2 == 0;
      });
    });
  }
  RunAsOneBatch(std::move(followers));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    {
      const std::lock_guard lock(mu);
      if (heard.size() >= 2 || std::chrono::steady_clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // room for a wrong one
  store_->StopListening();
  std::set<std::string> payloads(heard.begin(), heard.end());
  EXPECT_EQ(payloads, (std::set<std::string>{"write 0", "write 2"}));
  EXPECT_EQ(heard.size(), 2U);
}

TEST_F(PostgresGroupCommit, ConnectionLostMidBatchFailsEveryCallerAndCommitsNothing) {
  std::atomic<int> unavailable{0};
  std::vector<std::function<void()>> followers;
  for (int i = 0; i < 5; ++i) {
    followers.emplace_back([&, i] {
      try {
        store_->Write([&](Tx& tx) {
          tx.Users().Create("k" + std::to_string(i) + "@example.com", "h", domain::Role::kUser);
          if (i == 2) {
            db_.Exec(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state <> 'idle'");
            tx.Users().Count();
          }
          return true;
        });
      } catch (const app::DatabaseUnavailable&) {
        ++unavailable;
      }
    });
  }
  RunAsOneBatch(std::move(followers));
  EXPECT_EQ(unavailable, 5);
  EXPECT_EQ(db_.QueryValue("SELECT count(*) FROM users WHERE email LIKE 'k%'"), "0");
  // The next write gets a fresh connection.
  store_->Write([](Tx& tx) {
    return tx.Users().Create("after@example.com", "h", domain::Role::kUser).has_value();
  });
  EXPECT_TRUE(UserExists("after@example.com"));
}

TEST_F(PostgresGroupCommit, TwoLanesRunTwoBatchesAtOnce) {
  Reopen(4, 2);
  ASSERT_EQ(Stats().lanes, 2);
  HeldWrite slow(*store_, "slow@example.com");
  // With one lane this call would wait behind the slow batch; with two it commits meanwhile.
  std::atomic<bool> quick_done{false};
  std::thread quick([&] {
    store_->Write([](Tx& tx) {
      return tx.Users().Create("quick@example.com", "h", domain::Role::kUser).has_value();
    });
    quick_done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!quick_done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(quick_done) << "the second write waited for the first one's batch";
  EXPECT_TRUE(UserExists("quick@example.com"));
  EXPECT_FALSE(UserExists("slow@example.com"));
  slow.Finish();
  quick.join();
  EXPECT_TRUE(UserExists("slow@example.com"));
}

TEST_F(PostgresGroupCommit, WritesThatConflictAcrossLanesRunAgainAlone) {
  // Two writes in two lanes each update one coffee, then the other one's: each waits for a row
  // the other holds. One of them gives up after the lanes' lock_timeout, is undone and runs
  // again in a batch that takes every lane, after the other has committed. Both succeed, and
  // the rows say which ran last: both of its prices.
  Reopen(4, 2);
  const auto ids = TwoCoffees();
  std::atomic<int> holding{0};
  const auto write = [&](std::size_t first, std::int64_t cents) {
    store_->Write([&, first, cents](Tx& tx) {
      SetPrice(tx, ids[first], cents);
      ++holding;
      // The first run waits until both hold their first row; a second run finds it so.
      while (holding < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      SetPrice(tx, ids[1 - first], cents);
      return true;
    });
  };
  const auto before = Stats();
  std::thread a([&] { write(0, 501); });
  std::thread b([&] { write(1, 502); });
  a.join();
  b.join();
  const auto after = Stats();
  // One gives up; both may, when they began to wait within the moment the first one's undo
  // takes.
  EXPECT_GE(after.retries - before.retries, 1);
  const std::string latte =
      db_.QueryValue("SELECT price_cents FROM coffees WHERE id = " + std::to_string(ids[0].value));
  const std::string mocha =
      db_.QueryValue("SELECT price_cents FROM coffees WHERE id = " + std::to_string(ids[1].value));
  EXPECT_TRUE(latte == "501" || latte == "502") << latte;
  EXPECT_EQ(latte, mocha) << "one write ran after the other, whole";
}

TEST_F(PostgresGroupCommit, ACommitWaitsForItsLocksBeyondTheLaneTimeout) {
  // A batch's statements give up on a lock after the lane's lock_timeout (200 ms) and run
  // again; its COMMIT must not: the notification lock a COMMIT with NOTIFYs takes is held by
  // the other lanes' commits through their WAL flush, which a slow disk makes longer than
  // that. Here the commit waits 600 ms for an advisory lock that a deferred trigger takes at
  // COMMIT (in the same round trip as the NOTIFYs), held meanwhile by another session.
  Reopen(4, 2);
  db_.Exec(
      "CREATE FUNCTION commit_waits() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN PERFORM pg_advisory_xact_lock(7341); RETURN NULL; END$$;"
      "CREATE CONSTRAINT TRIGGER users_commit_waits AFTER INSERT ON users "
      "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION commit_waits()");
  testing::TestSession holder(db_);
  holder.Exec("SELECT pg_advisory_lock(7341)");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    holder.Exec("SELECT pg_advisory_unlock(7341)");
  });
  EXPECT_NO_THROW(store_->Write([](Tx& tx) {
    tx.Announce("orders", "patient");
    return tx.Users().Create("patient@example.com", "h", domain::Role::kUser).has_value();
  }));
  release.join();
  EXPECT_TRUE(UserExists("patient@example.com"));
}

TEST_F(PostgresGroupCommit, BatchesOfTwoInstancesWithTwoLanesEachAllCommit) {
  // Each write updates two coffees, half of them in the opposite order, from two instances of
  // two lanes each: batches conflict, and every write still commits exactly once.
  Reopen(4, 2);
  const auto ids = TwoCoffees();
  auto other = Open(db_.url(), 4, kDefaultQueryTimeout, 2);
  std::atomic<int> failed{0};
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (Database* store : {store_.get(), other.get()}) {
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, store, t] {
        for (int i = 0; i < 8; ++i) {
          try {
            store->Write([&](Tx& tx) {
              for (int k = 0; k < 2; ++k) {
                SetPrice(tx, ids[static_cast<std::size_t>((k + t) % 2)], 400 + t * 10 + i);
              }
              return true;
            });
            ++committed;
          } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
            ++failed;
          }
        }
      });
    }
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(committed, 64);
  EXPECT_EQ(db_.QueryValue("SELECT count(DISTINCT price_cents) FROM coffees"), "1")
      << "every write sets both prices";
}

TEST_F(PostgresGroupCommit, TotalsStayExactWhenAnOrderChangesInAnotherLane) {
  // An order inserted in lane 1 (another instance's batch holds lane 0) and later moved in lane
  // 0: each change lands in the shard of the lane that made it, so the rows of one total are
  // spread over shards, some negative, and the totals (their sums) stay exact.
  Reopen(4, 2);
  const auto [user, latte] = CustomerAndLatte("lane@example.com");
  const auto [order, audits] = AnOrder(user, latte, "7a1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f", 7);

  auto other = Open(db_.url(), 2, kDefaultQueryTimeout, 1);
  HeldWrite holder(*other, "holder@example.com");  // lane 0
  store_->Write([&](Tx& tx) {
    tx.Orders().InsertWithAudits(order, audits);
    return true;
  });
  holder.Finish();
  for (const auto& [from, to] :
       {std::pair{domain::OrderStatus::kPending, domain::OrderStatus::kConfirmed},
        std::pair{domain::OrderStatus::kConfirmed, domain::OrderStatus::kReady}}) {
    store_->Write([&](Tx& tx) { return tx.Orders().UpdateStatus(order.id, from, to); });
  }

  // Where the changes landed.
  EXPECT_EQ(db_.QueryValue("SELECT queued_work_minutes FROM prep_queue_shards WHERE shard = 1"),
            "7");
  EXPECT_EQ(db_.QueryValue("SELECT queued_work_minutes FROM prep_queue_shards WHERE shard = 0"),
            "-7");
  EXPECT_EQ(db_.QueryValue("SELECT string_agg(status || ':' || shard || '=' || orders, ' ' "
                           "ORDER BY status, shard) FROM order_status_totals"),
            "confirmed:0=0 pending:0=-1 pending:1=1 ready:0=1");
  EXPECT_EQ(db_.QueryValue("SELECT string_agg(rule_type || ':' || shard || '=' || audit_rows, "
                           "' ') FROM rule_audit_totals"),
            "prep_time:1=1");
  // What the application reads: the sums.
  std::int64_t queued = -1;
  std::map<domain::OrderStatus, std::int64_t> counts;
  store_->Read([&](Tx& tx) {
    queued = tx.Orders().QueuedWorkMinutes();
    for (const auto& [status, count] : tx.Orders().CountByStatus()) counts[status] = count;
  });
  EXPECT_EQ(queued, 0);
  EXPECT_EQ(counts,
            (std::map<domain::OrderStatus, std::int64_t>{{domain::OrderStatus::kReady, 1}}));
}

TEST_F(PostgresGroupCommit, BatchReadsTheQueueTotalAndCoffeesOnceUntilAnotherWrite) {
  // A batch remembers what its first read saw plus its own changes. Rows edited behind its back
  // (psql, or another lane) while it runs are therefore seen from its next unlisted write, or
  // from the next batch, on.
  const auto [user, latte] = CustomerAndLatte("ivy@example.com");
  const auto [order, audits] = AnOrder(user, latte, "6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f", 7);

  std::vector<std::int64_t> queue;
  std::vector<std::int64_t> prices;
  const auto look = [&](Tx& tx) {
    queue.push_back(tx.Orders().QueuedWorkMinutes());
    const auto found = tx.Coffees().FindMany({latte.id});
    prices.push_back(found.size() == 1 ? found.front().price.cents() : -1);
  };
  store_->Write([&](Tx& tx) {
    look(tx);
    db_.Exec(
        "UPDATE prep_queue_shards SET queued_work_minutes = queued_work_minutes + 1000 "
        "WHERE shard = 0");
    db_.Exec("UPDATE coffees SET price_cents = 500 WHERE id = " + std::to_string(latte.id.value));
    look(tx);
    tx.Orders().InsertWithAudits(order, audits);  // adds its own work to what the batch read
    look(tx);
    tx.Users().Create("jo@example.com", "h", domain::Role::kUser);  // not understood: forgets
    look(tx);
    return true;
  });
  EXPECT_EQ(queue, (std::vector<std::int64_t>{0, 0, 7, 1007}));
  EXPECT_EQ(prices, (std::vector<std::int64_t>{350, 350, 350, 500}));
  std::int64_t committed = 0;
  store_->Read([&](Tx& tx) { committed = tx.Orders().QueuedWorkMinutes(); });
  EXPECT_EQ(committed, 1007);
}

TEST_F(PostgresGroupCommit, NestedWriteIsRefusedInsteadOfDeadlocking) {
  EXPECT_THROW(store_->Write([this](Tx& tx) {
    tx.Users().Create("outer@example.com", "h", domain::Role::kUser);
    store_->Write([](Tx&) { return true; });
    return true;
  }),
               app::StorageError);
  EXPECT_FALSE(UserExists("outer@example.com"));
  EXPECT_EQ(Stats().queued, 0);
}

}  // namespace
}  // namespace coffee::storage::postgres
