// Write calls committed together in one batch, on every backend: each fn sees exactly what the
// fns before it in its batch did, and nothing of a fn rolled back to its savepoint. On
// PostgreSQL a batch remembers the queue total and the coffees it read
// (storage/postgres/batch_cache.hpp); these tests hold it to the database's answer.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/database.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::Tx;
using domain::CoffeeId;
using domain::Money;
using domain::OrderStatus;
using testing::AllBackends;
using testing::TestDatabase;

domain::OrderId Oid(int n) {
  return domain::OrderId::Parse("00000000-0000-4000-8000-00000000000" + std::to_string(n)).value();
}

const domain::Instant kPlacedAt{std::chrono::microseconds{1'767'261'600'000'000}};

/// Write calls running or queued, and batches run so far, whatever the backend.
struct BatchCounts {
  std::int64_t queued = 0;
  std::int64_t batches = 0;
};

class WriteBatchContract : public ::testing::TestWithParam<std::string> {
 protected:
  template <typename Fn>
  auto Write(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    std::optional<Result> out;
    db_->Write([&](Tx& tx) {
      out.emplace(fn(tx));
      return true;
    });
    return std::move(*out);
  }

  template <typename Fn>
  auto Read(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    std::optional<Result> out;
    db_->Read([&](Tx& tx) { out.emplace(fn(tx)); });
    return std::move(*out);
  }

  domain::Coffee AddCoffee(const std::string& name, std::int64_t cents) {
    return Write([&](Tx& tx) {
             return tx.Coffees().Create({name, "Milk", Money::FromCents(cents), 4.5, ""});
           })
        .value();
  }

  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    // One write lane: each test builds one batch behind a busy lane.
    db_ = storage::Open({.url = test_db_->url(), .max_connections = 4, .write_lanes = 1});
    ASSERT_GT(db_->Migrate(), 0);
    user_ = Write([](Tx& tx) {
              return tx.Users().Create("ada@example.com", "h", domain::Role::kUser);
            }).value();
    latte_ = AddCoffee("Latte", 350);
    mocha_ = AddCoffee("Mocha", 450);
  }

  /// A pending order of one latte whose own work is `minutes`.
  [[nodiscard]] app::Order MakeOrder(int n, int minutes,
                                     OrderStatus status = OrderStatus::kPending) const {
    app::Order o;
    o.id = Oid(n);
    o.user_id = user_.id;
    o.status = status;
    o.pricing_strategy = domain::CombinationStrategy::kAdditive;
    o.pricing_combination = "none";
    o.prep_work_minutes = minutes;
    o.estimated_prep_minutes = minutes;
    o.created_at = kPlacedAt;
    o.updated_at = kPlacedAt;
    o.estimated_ready_at = kPlacedAt + std::chrono::minutes(minutes);
    app::OrderLine line;
    line.coffee_id = latte_.id;
    line.coffee_name = latte_.name;
    line.quantity = 1;
    line.price_snapshot = latte_.price;
    line.subtotal = latte_.price;
    line.final_amount = latte_.price;
    o.items.push_back(line);
    o.base_price = latte_.price;
    o.total_price = latte_.price;
    return o;
  }

  /// The order's audit rows as placing it writes them (one row is enough here).
  static std::vector<app::AuditRecord> Audits(const app::Order& order) {
    return {{0, order.id, "prep_time", std::nullopt, R"({"work_minutes":1})", "1 minutes", {}}};
  }

  [[nodiscard]] BatchCounts Counts() const {
    if (const auto pg = storage::postgres::WriteStatistics(*db_)) {
      return {pg->queued, pg->transactions};
    }
    const auto lite = storage::sqlite::WriterStatistics(*db_);
    if (!lite) throw std::logic_error("no write statistics for this backend");
    return {lite->queued, lite->transactions};
  }

  /// Waits until `count` Write calls are running or queued; false after 10 s.
  [[nodiscard]] bool WaitForQueued(std::int64_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Counts().queued < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  /// Runs `fns` in this order as one batch: a first Write holds the writer while they queue one
  /// after another behind it. Returns what each Write call threw ("" when nothing).
  std::vector<std::string> RunInOrderAsOneBatch(const std::vector<std::function<bool(Tx&)>>& fns) {
    std::atomic<bool> leader_inside{false};
    std::atomic<bool> release{false};
    const BatchCounts before = Counts();
    std::thread leader([&] {
      db_->Write([&](Tx&) {
        leader_inside = true;
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return false;
      });
    });
    while (!leader_inside) std::this_thread::yield();
    std::vector<std::string> errors(fns.size());
    std::vector<std::thread> callers;
    callers.reserve(fns.size());
    bool queued_in_order = true;
    for (std::size_t i = 0; i < fns.size(); ++i) {
      callers.emplace_back([&, i] {
        try {
          db_->Write(fns[i]);
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
      queued_in_order = queued_in_order && WaitForQueued(static_cast<std::int64_t>(i) + 2);
    }
    release = true;
    leader.join();
    for (auto& caller : callers) caller.join();
    EXPECT_TRUE(queued_in_order);
    EXPECT_EQ(Counts().batches - before.batches, 2) << "the leader's batch, then one for all fns";
    return errors;
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;
  domain::User user_;
  domain::Coffee latte_;
  domain::Coffee mocha_;
};

TEST_P(WriteBatchContract, QueueTotalSeenByEachFnIncludesEveryOrderBeforeItInTheBatch) {
  Write([&](Tx& tx) { return tx.Orders().Insert(MakeOrder(1, 5)); });
  std::vector<std::int64_t> seen;
  const auto read_queue = [&](Tx& tx) {
    seen.push_back(tx.Orders().QueuedWorkMinutes());
    return true;
  };
  const auto errors = RunInOrderAsOneBatch({
      read_queue,
      [&](Tx& tx) {
        tx.Orders().InsertWithAudits(MakeOrder(2, 7), Audits(MakeOrder(2, 7)));
        return true;
      },
      read_queue,
      [&](Tx& tx) {
        seen.push_back(tx.Orders().QueuedWorkMinutes());
        tx.Orders().Insert(MakeOrder(3, 11));
        return true;
      },
      read_queue,
      [&](Tx& tx) {
        // Not in the queue: adds nothing (the trigger's rule).
        tx.Orders().InsertWithAudits(MakeOrder(4, 100, OrderStatus::kCompleted),
                                     Audits(MakeOrder(4, 100)));
        return true;
      },
      read_queue,
      [&](Tx& tx) {
        return tx.Orders().UpdateStatus(Oid(1), OrderStatus::kPending, OrderStatus::kReady);
      },
      read_queue,
      [&](Tx& tx) {
        return tx.Orders().UpdateStatus(Oid(4), OrderStatus::kCompleted, OrderStatus::kConfirmed);
      },
      read_queue,
  });
  EXPECT_EQ(errors, std::vector<std::string>(11));
  EXPECT_EQ(seen, (std::vector<std::int64_t>{5, 12, 12, 23, 23, 18, 118}));
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().QueuedWorkMinutes(); }), 118);
}

TEST_P(WriteBatchContract, FnRolledBackToItsSavepointLeavesNoWorkInTheQueueTotal) {
  Write([&](Tx& tx) { return tx.Orders().Insert(MakeOrder(1, 5)); });
  std::vector<std::int64_t> seen;
  const auto read_queue = [&](Tx& tx) {
    seen.push_back(tx.Orders().QueuedWorkMinutes());
    return true;
  };
  const auto place = [&](int n, int minutes, bool keep) {
    return [&, n, minutes, keep](Tx& tx) {
      seen.push_back(tx.Orders().QueuedWorkMinutes());
      tx.Orders().InsertWithAudits(MakeOrder(n, minutes), Audits(MakeOrder(n, minutes)));
      seen.push_back(tx.Orders().QueuedWorkMinutes());
      return keep;
    };
  };
  const auto errors = RunInOrderAsOneBatch({
      place(2, 7, false),
      read_queue,
      [&](Tx& tx) -> bool {
        tx.Orders().InsertWithAudits(MakeOrder(3, 11), Audits(MakeOrder(3, 11)));
        seen.push_back(tx.Orders().QueuedWorkMinutes());
        throw std::runtime_error("fails after inserting");
      },
      read_queue,
      place(4, 13, true),
      place(5, 17, false),
      read_queue,
  });
  EXPECT_EQ(errors, (std::vector<std::string>{"", "", "fails after inserting", "", "", "", ""}));
  EXPECT_EQ(seen, (std::vector<std::int64_t>{5, 12, 5, 16, 5, 5, 18, 18, 35, 18}));
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().QueuedWorkMinutes(); }), 18);
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Orders().Find(Oid(2)); }).has_value());
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Orders().Find(Oid(3)); }).has_value());
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Orders().Find(Oid(4)); }).has_value());
}

/// The price and review count of each coffee FindMany returned, by id.
std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> Summary(
    const std::vector<domain::Coffee>& coffees) {
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> out;
  out.reserve(coffees.size());
  for (const auto& c : coffees) out.emplace_back(c.id.value, c.price.cents(), c.review_count);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_P(WriteBatchContract, CoffeeChangedByOneFnIsSeenByTheFindManyOfTheNext) {
  const std::int64_t latte = latte_.id.value;
  const std::int64_t mocha = mocha_.id.value;
  // The id the next coffee gets: asked for before it exists, then after.
  const CoffeeId next{mocha + 1};
  using Row = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
  std::vector<std::vector<Row>> seen;
  const auto find = [&](std::vector<CoffeeId> ids) {
    return [&, ids](Tx& tx) {
      seen.push_back(Summary(tx.Coffees().FindMany(ids)));
      return true;
    };
  };
  std::optional<domain::Coffee> created;
  const auto errors = RunInOrderAsOneBatch({
      find({latte_.id, mocha_.id, next}),
      [&](Tx& tx) {
        domain::CoffeePatch patch;
        patch.price = Money::FromCents(399);
        return tx.Coffees().Update(latte_.id, patch) == app::WriteResult::kOk;
      },
      find({latte_.id, mocha_.id}),
      [&](Tx& tx) { return tx.Reviews().Insert(user_.id, mocha_.id, 4, {}).review.has_value(); },
      find({mocha_.id, latte_.id}),
      [&](Tx& tx) {
        created = tx.Coffees().Create({"Cortado", "Milk", Money::FromCents(300), 4, ""});
        return created.has_value();
      },
      find({latte_.id, next}),
      [&](Tx& tx) { return tx.Coffees().Delete(mocha_.id) == app::WriteResult::kOk; },
      find({latte_.id, mocha_.id, next}),
  });
  EXPECT_EQ(errors, std::vector<std::string>(9));
  ASSERT_TRUE(created.has_value());
  ASSERT_EQ(created->id, next) << "the test assumes the next coffee id";
  EXPECT_EQ(seen, (std::vector<std::vector<Row>>{
                      {{latte, 350, 0}, {mocha, 450, 0}},
                      {{latte, 399, 0}, {mocha, 450, 0}},
                      {{latte, 399, 0}, {mocha, 450, 1}},
                      {{latte, 399, 0}, {next.value, 300, 0}},
                      {{latte, 399, 0}, {next.value, 300, 0}},
                  }));
}

TEST_P(WriteBatchContract, CoffeeChangeRolledBackToItsSavepointIsNotSeenByTheNextFn) {
  const std::int64_t latte = latte_.id.value;
  using Row = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
  std::vector<std::vector<Row>> seen;
  const auto find = [&](Tx& tx) {
    seen.push_back(Summary(tx.Coffees().FindMany({latte_.id})));
    return true;
  };
  const auto errors = RunInOrderAsOneBatch({
      find,
      [&](Tx& tx) {
        domain::CoffeePatch patch;
        patch.price = Money::FromCents(999);
        tx.Coffees().Update(latte_.id, patch);
        seen.push_back(Summary(tx.Coffees().FindMany({latte_.id})));
        return false;
      },
      find,
  });
  EXPECT_EQ(errors, std::vector<std::string>(3));
  EXPECT_EQ(seen, (std::vector<std::vector<Row>>{
                      {{latte, 350, 0}}, {{latte, 999, 0}}, {{latte, 350, 0}}}));
}

INSTANTIATE_TEST_SUITE_P(Contract, WriteBatchContract, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace coffee
