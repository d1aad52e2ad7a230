#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "storage/postgres/connection.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "test_database.hpp"

namespace coffee::storage::postgres {
namespace {

using std::chrono::steady_clock;

/// A fresh PostgreSQL database, migrated, with the adapter open on it.
class PostgresAdapter : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<coffee::testing::TestDatabase>("postgres");
    store_ = Open(db_->url(), 4, kDefaultQueryTimeout);
    store_->Migrate();
  }

  domain::UserId CreateUser(const std::string& email) {
    std::optional<domain::User> user;
    store_->Write([&](app::Tx& tx) {
      user = tx.Users().Create(email, "hash", domain::Role::kUser);
      return true;
    });
    return user.value().id;
  }

  /// A user, a coffee and one pending order of two of that coffee, all through the ports.
  domain::UserId PlaceOrder(const domain::OrderId& order_id) {
    const auto user = CreateUser("orders@example.com");
    store_->Write([&](app::Tx& tx) {
      const auto coffee =
          tx.Coffees().Create({"Latte", "With Milk", domain::Money::FromCents(400), 4.7, ""});
      app::Order order;
      order.id = order_id;
      order.user_id = user;
      order.base_price = domain::Money::FromCents(800);
      order.total_price = order.base_price;
      order.pricing_strategy = domain::CombinationStrategy::kBestPrice;
      order.pricing_combination = "none";
      order.prep_work_minutes = 4;
      order.estimated_prep_minutes = 4;
      order.created_at = domain::Instant{std::chrono::seconds(1'767'261'600)};
      order.updated_at = order.created_at;
      order.estimated_ready_at = order.created_at + std::chrono::minutes(4);
      order.items.push_back({0, coffee.value().id, "Latte", 2, domain::Money::FromCents(400),
                             domain::Money::FromCents(800), domain::Money{},
                             domain::Money::FromCents(800)});
      tx.Orders().Insert(order);
      return true;
    });
    return user;
  }

  /// Runs `attempt` in `threads` write transactions at once, each on its own connection and
  /// each holding its transaction open a little after the attempt so that they overlap.
  /// Returns how many attempts returned true; every transaction commits only if `commit`
  /// says so for its outcome.
  int Race(int threads, const std::function<bool(app::Tx&)>& attempt,
           const std::function<bool(app::Tx&, bool)>& commit) {
    auto store = Open(db_->url(), threads, kDefaultQueryTimeout);
    std::atomic<int> wins{0};
    std::atomic<int> errors{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < threads) std::this_thread::yield();
        try {
          store->Write([&](app::Tx& tx) {
            const bool won = attempt(tx);
            if (won) wins.fetch_add(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            return commit(tx, won);
          });
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          errors.fetch_add(1);
        }
      });
    }
    for (auto& w : workers) w.join();
    EXPECT_EQ(errors.load(), 0);
    return wins.load();
  }

  std::unique_ptr<coffee::testing::TestDatabase> db_;
  std::unique_ptr<Database> store_;
};

const domain::OrderId kOrderId =
    domain::OrderId::Parse("3b0f5c2a-9d1e-4f6a-8b7c-2d3e4f5a6b7c").value();

TEST(PostgresOpen, UnreachableServerFailsFastWithoutLeakingThePassword) {
  const auto start = steady_clock::now();
  try {
    (void)Open("postgresql://coffee:S3cretPassw0rd@127.0.0.1:1/coffee", 2, kDefaultQueryTimeout);
    FAIL() << "Open should throw";
  } catch (const app::DatabaseUnavailable& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("PostgreSQL"), std::string::npos) << message;
    EXPECT_EQ(message.find("S3cretPassw0rd"), std::string::npos) << message;
  }
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(PostgresOpen, BadUrlNeverLeaksThePassword) {
  try {
    (void)Open("postgresql://coffee:S3cretPassw0rd@127.0.0.1:notaport/coffee", 1,
               kDefaultQueryTimeout);
    FAIL() << "Open should throw";
  } catch (const app::DatabaseUnavailable& e) {
    EXPECT_EQ(std::string(e.what()).find("S3cretPassw0rd"), std::string::npos) << e.what();
  }
}

TEST(PostgresMigrate, ConcurrentMigrationsApplyEachMigrationOnce) {
  const coffee::testing::TestDatabase db("postgres");
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      try {
        applied += Open(db.url(), 1, kDefaultQueryTimeout)->Migrate();
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto embedded = static_cast<int>(EmbeddedMigrations("postgres").size());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), embedded);
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM schema_migrations"), std::to_string(embedded));
}

TEST(PostgresMigrate, ChangedAppliedMigrationIsRefused) {
  const coffee::testing::TestDatabase db("postgres");
  auto store = Open(db.url(), 1, kDefaultQueryTimeout);
  store->Migrate();
  EXPECT_EQ(store->Migrate(), 0);
  db.Exec("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1");
  try {
    store->Migrate();
    FAIL() << "Migrate should throw";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("was changed after it was applied"), std::string::npos)
        << e.what();
  }
  const auto info = store->MigrationInfo();
  ASSERT_FALSE(info.empty());
  EXPECT_TRUE(info.front().applied);
  EXPECT_TRUE(info.front().checksum_mismatch);
}

TEST_F(PostgresAdapter, AnotherInstanceHearsAnAnnouncementAtCommit) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> heard;
  auto other = Open(db_->url(), 2,
                    kDefaultQueryTimeout);  // declared after what its listener uses: stops first
  other->Listen("coffee_test_feed", [&](const app::ChangeNotice& notice) {
    const std::lock_guard lock(mu);
    heard.push_back(notice.payload);
    cv.notify_all();
  });
  store_->Write([](app::Tx& tx) {
    tx.Announce("coffee_test_feed", "from the first instance");
    return true;
  });
  std::unique_lock lock(mu);
  cv.wait_for(lock, std::chrono::seconds(5), [&] { return !heard.empty(); });
  EXPECT_EQ(heard, std::vector<std::string>{"from the first instance"});
}

TEST_F(PostgresAdapter, RecoversAfterItsConnectionsAreKilled) {
  CreateUser("a@example.com");
  // Use several pooled connections so more than one of them is killed.
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] { EXPECT_TRUE(store_->Ping()); });
  }
  for (auto& t : threads) t.join();

  db_->Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");

  std::int64_t count = -1;
  try {
    store_->Read([&](app::Tx& tx) { count = tx.Users().Count(); });
    EXPECT_EQ(count, 1);
  } catch (const app::DatabaseUnavailable&) {
    SUCCEED() << "the first call may report the lost connection";
  }
  store_->Read([&](app::Tx& tx) { count = tx.Users().Count(); });
  EXPECT_EQ(count, 1);
  EXPECT_TRUE(store_->Ping());
  EXPECT_NE(CreateUser("b@example.com").value, 0);
}

TEST_F(PostgresAdapter, ConnectionKilledMidTransactionReportsUnavailable) {
  CreateUser("a@example.com");
  EXPECT_THROW(store_->Write([&](app::Tx& tx) {
    tx.Users().Create("b@example.com", "hash", domain::Role::kUser);
    db_->Exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    tx.Users().Count();
    return true;
  }),
               app::DatabaseUnavailable);
  std::int64_t count = -1;
  store_->Read([&](app::Tx& tx) { count = tx.Users().Count(); });
  EXPECT_EQ(count, 1);
}

TEST(PostgresQueryTimeout, AWriteBlockedPastTheTimeoutIsRolledBackWholeAndTheNextWriteWorks) {
  const coffee::testing::TestDatabase db("postgres");
  // One connection: the write after the timeout runs on the same pool slot.
  auto store = Open(db.url(), 1, std::chrono::milliseconds(300));
  store->Migrate();
  coffee::testing::TestSession holder(db);
  holder.Exec("BEGIN; LOCK TABLE coffees IN ACCESS EXCLUSIVE MODE");
  EXPECT_THROW(store->Write([&](app::Tx& tx) {
    tx.Users().Create("first@example.com", "hash", domain::Role::kUser);
    (void)tx.Coffees().Create({"Latte", "", domain::Money::FromCents(400), 4.7, ""});
    return true;
  }),
               ServerNotAnswering);
  holder.Exec("ROLLBACK");
  std::int64_t users = -1;
  store->Read([&](app::Tx& tx) { users = tx.Users().Count(); });
  EXPECT_EQ(users, 0);  // the user written before the blocked statement was rolled back too
  store->Write([&](app::Tx& tx) {
    tx.Users().Create("second@example.com", "hash", domain::Role::kUser);
    return true;
  });
  store->Read([&](app::Tx& tx) { users = tx.Users().Count(); });
  EXPECT_EQ(users, 1);
}

TEST_F(PostgresAdapter, MarkUsedFromEightThreadsHasExactlyOneWinner) {
  const auto user = CreateUser("token@example.com");
  std::int64_t token_id = 0;
  store_->Write([&](app::Tx& tx) {
    tx.RefreshTokens().Insert(user, "family", "abc123",
                              domain::Instant{std::chrono::hours(24 * 365 * 60)});
    token_id = tx.RefreshTokens().FindByHash("abc123").value().id;
    return true;
  });
  auto store = Open(db_->url(), 8, kDefaultQueryTimeout);
  std::atomic<int> winners{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      store->Write([&](app::Tx& tx) {
        if (tx.RefreshTokens().MarkUsed(token_id)) ++winners;
        return true;
      });
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST_F(PostgresAdapter, ExhaustedPoolReportsUnavailableInsteadOfHanging) {
  auto store = Open(db_->url(), 1, kDefaultQueryTimeout);
  const auto start = steady_clock::now();
  store->Write([&](app::Tx&) {
    EXPECT_THROW(store->Read([](app::Tx&) {}), app::DatabaseUnavailable);
    return false;
  });
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(8));
  EXPECT_TRUE(store->Ping());
}

TEST_F(PostgresAdapter, UniqueConflictLeavesTheTransactionUsable) {
  store_->Write([&](app::Tx& tx) {
    const auto a = tx.Coffees().Create({"Latte", "milk", domain::Money::FromCents(450), 4, ""});
    const auto b = tx.Coffees().Create({"Mocha", "milk", domain::Money::FromCents(500), 4, ""});
    EXPECT_FALSE(tx.Coffees().Create({"LATTE", "milk", domain::Money::FromCents(1), 1, ""}));
    domain::CoffeePatch rename;
    rename.name = "latte";
    EXPECT_EQ(tx.Coffees().Update(b->id, rename), app::WriteResult::kConflict);
    domain::CoffeePatch reprice;
    reprice.price = domain::Money::FromCents(520);
    EXPECT_EQ(tx.Coffees().Update(b->id, reprice), app::WriteResult::kOk);
    EXPECT_TRUE(a.has_value());
    return true;
  });
  std::optional<domain::Coffee> mocha;
  store_->Read([&](app::Tx& tx) { mocha = tx.Coffees().FindByName("MOCHA"); });
  ASSERT_TRUE(mocha);
  EXPECT_EQ(mocha->price.cents(), 520);
}

TEST_F(PostgresAdapter, RulesWithUndecodableJsonbAreSkippedAndReported) {
  db_->Exec(
      "INSERT INTO pricing_rules (rule_type, discount_type, discount_value_hundredths, "
      "valid_from, time_ranges) VALUES ('time_based', 'percentage', 1000, now(), "
      "'{\"start\": \"09:00\"}')");
  db_->Exec(
      "INSERT INTO pricing_rules (rule_type, discount_type, discount_value_hundredths, "
      "valid_from, days_of_week) VALUES ('promotional', 'percentage', 1000, now(), '[0]')");
  db_->Exec(
      "INSERT INTO pricing_rules (rule_type, discount_type, discount_value_hundredths, "
      "valid_from, coffee_ids, time_ranges) VALUES ('time_based', 'fixed_amount', 50, now(), "
      "'[1]', '[{\"start\": \"07:00\", \"end\": \"09:30\"}]')");
  db_->Exec("UPDATE loyalty_config SET bonus_multipliers = '{\"1\": \"2.0\", \"2\": 1.5}'");
  app::RulesData data;
  store_->Read([&](app::Tx& tx) { data = tx.Rules().LoadAll(); });
  ASSERT_EQ(data.pricing_rules.size(), 1U);
  EXPECT_EQ(data.pricing_rules[0].time_ranges.size(), 1U);
  ASSERT_EQ(data.malformed.size(), 2U);
  EXPECT_EQ(data.malformed[0].rfind("pricing_rules rule_id=1: ", 0), 0U) << data.malformed[0];
  EXPECT_EQ(data.malformed[1].rfind("pricing_rules rule_id=2: ", 0), 0U) << data.malformed[1];
  EXPECT_EQ(data.loyalty.bonus_multipliers.at(domain::CoffeeId(1)).units, 20000);
  EXPECT_EQ(data.loyalty.bonus_multipliers.at(domain::CoffeeId(2)).units, 15000);
}

TEST_F(PostgresAdapter, TwentyConcurrentStatusUpdatesOfOneOrderHaveExactlyOneWinner) {
  PlaceOrder(kOrderId);
  const int wins = Race(
      20,
      [](app::Tx& tx) {
        return tx.Orders().UpdateStatus(kOrderId, domain::OrderStatus::kPending,
                                        domain::OrderStatus::kConfirmed);
      },
      [](app::Tx&, bool) { return true; });
  EXPECT_EQ(wins, 1);
  std::optional<app::Order> order;
  store_->Read([&](app::Tx& tx) { order = tx.Orders().Find(kOrderId); });
  ASSERT_TRUE(order);
  EXPECT_EQ(order->status, domain::OrderStatus::kConfirmed);
}

TEST_F(PostgresAdapter, TwentyConcurrentAwardsOfOneOrderCreditThePointsOnce) {
  const auto user = PlaceOrder(kOrderId);
  const int wins = Race(
      20, [&](app::Tx& tx) { return tx.Loyalty().Award(user, kOrderId, 33); },
      [](app::Tx&, bool) { return true; });
  EXPECT_EQ(wins, 1);
  app::LoyaltyAccount account;
  std::vector<app::LoyaltyTransaction> ledger;
  store_->Read([&](app::Tx& tx) {
    account = tx.Loyalty().GetAccount(user);
    ledger = tx.Loyalty().Transactions(user, 100);
  });
  EXPECT_EQ(account.points_balance, 33);
  EXPECT_EQ(account.lifetime_points, 33);
  ASSERT_EQ(ledger.size(), 1U);
  EXPECT_EQ(ledger[0].kind, "award");
}

TEST_F(PostgresAdapter, TenConcurrentReversalsOfOneOrderTakeThePointsBackOnce) {
  const auto user = PlaceOrder(kOrderId);
  store_->Write([&](app::Tx& tx) { return tx.Loyalty().Award(user, kOrderId, 33); });
  const int wins = Race(
      10, [&](app::Tx& tx) { return tx.Loyalty().Reverse(user, kOrderId, 33).has_value(); },
      [](app::Tx&, bool) { return true; });
  EXPECT_EQ(wins, 1);
  app::LoyaltyAccount account;
  store_->Read([&](app::Tx& tx) { account = tx.Loyalty().GetAccount(user); });
  EXPECT_EQ(account.points_balance, 0);
  EXPECT_EQ(account.lifetime_points, 33);
}

TEST_F(PostgresAdapter, TenConcurrentInsertsOfOneIdempotencyKeyHaveOneWinnerAndUsableLosers) {
  const auto user = CreateUser("idem@example.com");
  const domain::Instant now{std::chrono::seconds(1'767'261'600)};
  std::atomic<int> clean_losers{0};
  const int wins = Race(
      10,
      [&](app::Tx& tx) {
        return tx.Idempotency().Insert(
            user, "retry-me", {"hash", 201, "first", std::nullopt, now + std::chrono::hours(24)},
            now);
      },
      [&](app::Tx& tx, bool won) {
        if (won) return true;
        // The loser's transaction still answers, and sees the winner's committed response.
        const auto stored = tx.Idempotency().Find(user, "retry-me", now);
        if (stored && stored->status_code == 201 && tx.Users().Count() == 1) ++clean_losers;
        return false;
      });
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(clean_losers.load(), 9);
  EXPECT_EQ(db_->QueryValue("SELECT count(*) FROM idempotency_keys"), "1");
}

}  // namespace
}  // namespace coffee::storage::postgres
