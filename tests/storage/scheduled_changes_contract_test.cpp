// Scheduled changes of the rules configuration (issue 14 item 5) on both backends: stored,
// listed, claimed when due exactly once under concurrency, settled only from pending.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/ports/store.hpp"
#include "storage/database.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::ScheduledChange;
using app::Tx;
using testing::AllBackends;
using testing::TestDatabase;

/// 2026-01-01T10:00:00Z plus `s` seconds.
domain::Instant T(std::int64_t s) {
  return domain::Instant{std::chrono::microseconds{1'767'261'600'000'000 + s * 1'000'000}};
}

class ScheduledChangesContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    db_ = storage::Open({test_db_->url(), 4});
    ASSERT_GT(db_->Migrate(), 0);
    db_->Write([&](Tx& tx) {
      admin_ = tx.Users().Create("admin@example.com", "hash", domain::Role::kAdmin)->id;
      return true;
    });
  }

  ScheduledChange Insert(domain::Instant effective_at, const std::string& kind) {
    ScheduledChange row;
    row.effective_at = effective_at;
    row.change = R"({"kind":")" + kind + R"("})";
    row.note = "note of " + kind;
    row.created_by = admin_;
    row.created_at = T(0);
    std::optional<ScheduledChange> stored;
    db_->Write([&](Tx& tx) {
      stored = tx.Rules().InsertScheduledChange(row);
      return true;
    });
    return *stored;
  }

  std::optional<ScheduledChange> Find(std::int64_t id) {
    std::optional<ScheduledChange> found;
    db_->Read([&](Tx& tx) { found = tx.Rules().FindScheduledChange(id); });
    return found;
  }

  bool Settle(std::int64_t id, std::string_view status, std::optional<std::int64_t> version = {},
              std::optional<std::string> failure = {}) {
    bool settled = false;
    db_->Write([&](Tx& tx) {
      settled = tx.Rules().SettleScheduledChange(id, status, admin_, version, failure, T(50));
      return true;
    });
    return settled;
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;
  domain::UserId admin_{0};
};

TEST_P(ScheduledChangesContract, AnInsertedChangeIsPendingAndReadsBackAsStored) {
  const auto stored = Insert(T(120), "availability");
  EXPECT_GT(stored.id, 0);
  const auto found = Find(stored.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->effective_at, T(120));
  EXPECT_EQ(found->change, R"({"kind":"availability"})");
  EXPECT_EQ(found->note, "note of availability");
  EXPECT_EQ(found->status, "pending");
  EXPECT_EQ(found->created_by, admin_);
  EXPECT_EQ(found->created_at, T(0));
  EXPECT_FALSE(found->settled_at.has_value());
  EXPECT_FALSE(found->version.has_value());
  EXPECT_FALSE(Find(stored.id + 100).has_value());
}

TEST_P(ScheduledChangesContract, ListIsByEffectiveAtAndFiltersAndCountsByStatus) {
  const auto late = Insert(T(300), "late");
  const auto early = Insert(T(100), "early");
  const auto middle = Insert(T(200), "middle");
  ASSERT_TRUE(Settle(middle.id, "cancelled"));
  std::vector<ScheduledChange> all;
  std::vector<ScheduledChange> pending;
  std::int64_t count_all = 0;
  std::int64_t count_pending = 0;
  std::int64_t count_applied = 0;
  db_->Read([&](Tx& tx) {
    all = tx.Rules().ListScheduledChanges(std::nullopt, 0, 10);
    pending = tx.Rules().ListScheduledChanges(std::string("pending"), 0, 10);
    count_all = tx.Rules().CountScheduledChanges(std::nullopt);
    count_pending = tx.Rules().CountScheduledChanges(std::string("pending"));
    count_applied = tx.Rules().CountScheduledChanges(std::string("applied"));
  });
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].id, early.id);
  EXPECT_EQ(all[1].id, middle.id);
  EXPECT_EQ(all[2].id, late.id);
  ASSERT_EQ(pending.size(), 2U);
  EXPECT_EQ(pending[0].id, early.id);
  EXPECT_EQ(pending[1].id, late.id);
  EXPECT_EQ(count_all, 3);
  EXPECT_EQ(count_pending, 2);
  EXPECT_EQ(count_applied, 0);
  std::vector<ScheduledChange> second_page;
  db_->Read([&](Tx& tx) { second_page = tx.Rules().ListScheduledChanges(std::nullopt, 1, 1); });
  ASSERT_EQ(second_page.size(), 1U);
  EXPECT_EQ(second_page[0].id, middle.id);
}

TEST_P(ScheduledChangesContract, NextIsTheEarliestPendingInstant) {
  std::optional<domain::Instant> next;
  db_->Read([&](Tx& tx) { next = tx.Rules().NextScheduledChange(); });
  EXPECT_FALSE(next.has_value());
  const auto early = Insert(T(100), "early");
  Insert(T(200), "late");
  db_->Read([&](Tx& tx) { next = tx.Rules().NextScheduledChange(); });
  EXPECT_EQ(next, T(100));
  ASSERT_TRUE(Settle(early.id, "cancelled"));
  db_->Read([&](Tx& tx) { next = tx.Rules().NextScheduledChange(); });
  EXPECT_EQ(next, T(200));
}

TEST_P(ScheduledChangesContract, OnlyDueChangesAreClaimedEarliestFirst) {
  const auto later = Insert(T(150), "later");
  const auto due = Insert(T(90), "due");
  std::optional<ScheduledChange> claimed;
  db_->Write([&](Tx& tx) {
    claimed = tx.Rules().ClaimDueScheduledChange(T(80));
    return true;
  });
  EXPECT_FALSE(claimed.has_value());
  db_->Write([&](Tx& tx) {
    claimed = tx.Rules().ClaimDueScheduledChange(T(200));
    return true;
  });
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->id, due.id);
  ASSERT_TRUE(Settle(due.id, "applied", 7));
  db_->Write([&](Tx& tx) {
    claimed = tx.Rules().ClaimDueScheduledChange(T(200));
    return true;
  });
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->id, later.id);
}

TEST_P(ScheduledChangesContract, SettlingWorksOnlyFromPending) {
  const auto change = Insert(T(100), "availability");
  EXPECT_TRUE(Settle(change.id, "applied", 12));
  EXPECT_FALSE(Settle(change.id, "cancelled"));
  EXPECT_FALSE(Settle(change.id, "failed", std::nullopt, "too late"));
  const auto found = Find(change.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, "applied");
  EXPECT_EQ(found->version, 12);
  EXPECT_EQ(found->settled_at, T(50));
  EXPECT_EQ(found->settled_by, admin_);
  EXPECT_FALSE(found->failure.has_value());

  const auto failing = Insert(T(100), "pricing_rule_delete");
  EXPECT_TRUE(Settle(failing.id, "failed", std::nullopt, "Pricing rule with id 9 not found"));
  EXPECT_EQ(Find(failing.id)->failure, "Pricing rule with id 9 not found");
  EXPECT_FALSE(Settle(failing.id + 100, "cancelled"));
}

// Two schedulers (instances) find the same due change at once: exactly one applies it. On
// PostgreSQL the loser skips the locked row (or, arriving later, finds it settled); on SQLite
// the single writer serializes them.
TEST_P(ScheduledChangesContract, ADueChangeIsClaimedByExactlyOneOfTwoConcurrentClaimers) {
  for (int round = 0; round < 5; ++round) {
    const auto change = Insert(T(10), "round " + std::to_string(round));
    std::atomic<int> ready{0};
    std::atomic<int> wins{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> claimers;
    for (int i = 0; i < 2; ++i) {
      claimers.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < 2) std::this_thread::yield();
        try {
          db_->Write([&](Tx& tx) {
            const auto claimed = tx.Rules().ClaimDueScheduledChange(T(20));
            if (!claimed) return false;
            // Hold the claim a little, so the other claimer runs while it is held.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (tx.Rules().SettleScheduledChange(claimed->id, "applied", std::nullopt, 1,
                                                 std::nullopt, T(20))) {
              wins.fetch_add(1);
            }
            return true;
          });
        } catch (const std::exception&) {
          errors.fetch_add(1);
        }
      });
    }
    for (auto& t : claimers) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    EXPECT_EQ(Find(change.id)->status, "applied");
  }
}

TEST_P(ScheduledChangesContract, AChangeRecordNamesTheScheduledChangeItApplied) {
  const auto change = Insert(T(100), "availability");
  app::ConfigChange record;
  record.actor_id = admin_;
  record.entity = "pricing_settings";
  record.action = "update";
  record.after_json = R"({"max_discount_percent":30})";
  record.created_at = T(100);
  record.scheduled_change_id = change.id;
  app::ConfigChange immediate = record;
  immediate.scheduled_change_id.reset();
  immediate.created_at = T(101);
  db_->Write([&](Tx& tx) {
    tx.Audit().InsertConfigChange(record);
    tx.Audit().InsertConfigChange(immediate);
    return true;
  });
  std::vector<app::ConfigChange> changes;
  db_->Read([&](Tx& tx) { changes = tx.Audit().ListConfigChanges(0, 10); });
  ASSERT_EQ(changes.size(), 2U);
  EXPECT_FALSE(changes[0].scheduled_change_id.has_value());
  EXPECT_EQ(changes[1].scheduled_change_id, change.id);
}

INSTANTIATE_TEST_SUITE_P(Contract, ScheduledChangesContract, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace coffee
