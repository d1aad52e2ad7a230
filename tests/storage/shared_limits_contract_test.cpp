// The limits as the composition root picks them for each backend: SQLite keeps the in-memory
// login throttle (one process owns the file); PostgreSQL shares the limits through the database
// (storage::postgres::SharedLimits), so several instances count together. The login contract
// runs on both; the shared request buckets are PostgreSQL-only (the in-memory buckets are
// tested in unit.http).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/login_throttle.hpp"
#include "app/ports/limits.hpp"
#include "storage/database.hpp"
#include "storage/postgres/shared_limits.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::LoginLimiter;
using std::chrono::seconds;
using testing::AllBackends;
using testing::TestDatabase;

/// 2026-01-01T10:00:00Z plus `s` seconds.
domain::Instant T(std::int64_t s) {
  return domain::Instant{std::chrono::microseconds{1'767'261'600'000'000 + s * 1'000'000}};
}

app::LoginThrottleLimits SmallLimits() {
  app::LoginThrottleLimits limits;
  limits.failures_per_client = 5;
  limits.failures_per_account = 8;
  limits.window = seconds{900};
  return limits;
}

/// "Instances" of one backend's login limiter: on PostgreSQL each has its own SharedLimits (its
/// own connections), as separate processes would; on SQLite there is one process, so one
/// in-memory throttle serves every caller.
class LoginLimitsContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { storage::Open({db_.url(), 2, "NORMAL"})->Migrate(); }

  LoginLimiter& Instance(std::size_t i, app::LoginThrottleLimits limits = SmallLimits()) {
    while (limiters_.size() <= i) {
      if (GetParam() == "postgres") {
        shared_.push_back(std::make_unique<storage::postgres::SharedLimits>(
            db_.url(), 4, std::chrono::seconds(5)));
        limiters_.push_back(shared_.back()->MakeLoginLimiter(limits));
      } else if (limiters_.empty()) {
        limiters_.push_back(std::make_unique<app::LoginThrottle>(limits));
      } else {
        return *limiters_.front();
      }
    }
    return *limiters_[i];
  }

  TestDatabase db_{GetParam()};
  std::vector<std::unique_ptr<storage::postgres::SharedLimits>> shared_;
  std::vector<std::unique_ptr<LoginLimiter>> limiters_;
};

TEST_P(LoginLimitsContract, FiveFailuresPerClientThenRefusedUntilTheOldestLeavesTheWindow) {
  auto& limiter = Instance(0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Begin("ann@example.com", "10.0.0.1", T(i)).allowed) << i;
  }
  const auto refused = limiter.Begin("ann@example.com", "10.0.0.1", T(10));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds{890});  // the failure at T(0) leaves at T(900)
  // Another address, and another account from the same address, are not affected.
  EXPECT_TRUE(limiter.Begin("ann@example.com", "10.0.0.2", T(11)).allowed);
  EXPECT_TRUE(limiter.Begin("bob@example.com", "10.0.0.1", T(12)).allowed);
  EXPECT_FALSE(limiter.Begin("ann@example.com", "10.0.0.1", T(899)).allowed);
  EXPECT_TRUE(limiter.Begin("ann@example.com", "10.0.0.1", T(900)).allowed);
  EXPECT_FALSE(limiter.Begin("ann@example.com", "10.0.0.1", T(900)).allowed);
}

TEST_P(LoginLimitsContract, SuccessForgetsTheClientsFailuresAbandonedAttemptsDoNotCount) {
  auto& limiter = Instance(0);
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(limiter.Begin("ann@example.com", "10.0.0.1", T(i)).allowed);
  ASSERT_TRUE(limiter.Begin("ann@example.com", "10.0.0.1", T(4)).allowed);
  limiter.Succeeded("ann@example.com", "10.0.0.1", T(4));
  for (int i = 0; i < 5; ++i) {
    const auto t = T(10 + i);
    ASSERT_TRUE(limiter.Begin("ann@example.com", "10.0.0.1", t).allowed) << i;
    limiter.Abandoned("ann@example.com", "10.0.0.1", t);
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Begin("ann@example.com", "10.0.0.1", T(20 + i)).allowed) << i;
  }
  EXPECT_FALSE(limiter.Begin("ann@example.com", "10.0.0.1", T(30)).allowed);
}

TEST_P(LoginLimitsContract, AccountCapOverAllAddressesSparesAddressesThatLoggedInBefore) {
  auto& limiter = Instance(0);
  ASSERT_TRUE(limiter.Begin("ann@example.com", "10.0.9.9", T(0)).allowed);
  limiter.Succeeded("ann@example.com", "10.0.9.9", T(0));
  for (int i = 0; i < 8; ++i) {
    const std::string client = "10.0.1." + std::to_string(i);
    ASSERT_TRUE(limiter.Begin("ann@example.com", client, T(1 + i)).allowed) << i;
  }
  const auto refused = limiter.Begin("ann@example.com", "10.0.2.1", T(20));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds{881});  // the failure at T(1) leaves at T(901)
  EXPECT_TRUE(limiter.Begin("ann@example.com", "10.0.9.9", T(21)).allowed);
  EXPECT_FALSE(limiter.Begin("ann@example.com", "10.0.2.1", T(901)).allowed);  // T(21) counts
  EXPECT_TRUE(limiter.Begin("ann@example.com", "10.0.2.1", T(902)).allowed);
}

TEST_P(LoginLimitsContract, InstancesCountTogether) {
  auto& a = Instance(0);
  auto& b = Instance(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a.Begin("ann@example.com", "10.0.0.1", T(i)).allowed);
  for (int i = 3; i < 5; ++i) ASSERT_TRUE(b.Begin("ann@example.com", "10.0.0.1", T(i)).allowed);
  EXPECT_FALSE(a.Begin("ann@example.com", "10.0.0.1", T(6)).allowed);
  EXPECT_FALSE(b.Begin("ann@example.com", "10.0.0.1", T(6)).allowed);
  b.Succeeded("ann@example.com", "10.0.0.1", T(4));
  EXPECT_TRUE(a.Begin("ann@example.com", "10.0.0.1", T(7)).allowed);
}

TEST_P(LoginLimitsContract, ConcurrentAttemptsOnSeveralInstancesNeverPassTheLimit) {
  constexpr int kPerInstance = 8;
  std::vector<LoginLimiter*> instances{&Instance(0), &Instance(1)};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (LoginLimiter* limiter : instances) {
    for (int i = 0; i < kPerInstance; ++i) {
      threads.emplace_back([limiter, i, &allowed] {
        for (int k = 0; k < 2; ++k) {
          if (limiter->Begin("ann@example.com", "10.0.0.1", T(i)).allowed) ++allowed;
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 5);
}

INSTANTIATE_TEST_SUITE_P(Contract, LoginLimitsContract, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

/// Request buckets shared through PostgreSQL by two "instances" (SharedLimits objects).
class PostgresSharedRequestLimits : public ::testing::Test {
 protected:
  void SetUp() override { storage::Open({db_.url(), 2, "NORMAL"})->Migrate(); }

  TestDatabase db_{"postgres"};
  storage::postgres::SharedLimits a_{db_.url(), 4, std::chrono::seconds(5)};
  storage::postgres::SharedLimits b_{db_.url(), 4, std::chrono::seconds(5)};
};

TEST_F(PostgresSharedRequestLimits, BurstThenRefusedWithTheWaitForTheNextToken) {
  // 6 a minute: a burst of 6, then one token every 10 s.
  auto limiter = a_.MakeRequestLimiter(6, 6);
  EXPECT_TRUE(limiter->Blocking(app::RequestBudget::kRead));
  for (int i = 0; i < 6; ++i)
    EXPECT_TRUE(limiter->Take(app::RequestBudget::kWrite, "10.0.0.1").allowed);
  const auto refused = limiter->Take(app::RequestBudget::kWrite, "10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_GE(refused.retry_after, seconds{9});
  EXPECT_LE(refused.retry_after, seconds{10});
  EXPECT_TRUE(limiter->Take(app::RequestBudget::kWrite, "10.0.0.2").allowed);
}

TEST_F(PostgresSharedRequestLimits, CredentialRoutesHaveABurstOfFiveOnTopOfEveryRequest) {
  auto limiter = a_.MakeRequestLimiter(600, 10);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter->Take(app::RequestBudget::kCredentials, "10.0.0.1").allowed) << i;
  }
  const auto refused = limiter->Take(app::RequestBudget::kCredentials, "10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds{6});
  EXPECT_TRUE(limiter->Take(app::RequestBudget::kWrite, "10.0.0.1").allowed);
}

TEST_F(PostgresSharedRequestLimits, TwoInstancesSpendOneBudgetExactlyUnderConcurrency) {
  // 30 a minute: a burst of 30 and half a token a second, whichever instance is asked.
  auto on_a = a_.MakeRequestLimiter(30, 10);
  auto on_b = b_.MakeRequestLimiter(30, 10);
  std::atomic<int> allowed{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (app::RequestLimiter* limiter : {on_a.get(), on_b.get()}) {
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([limiter, &allowed] {
        for (int k = 0; k < 10; ++k) {
          if (limiter->Take(app::RequestBudget::kWrite, "10.0.0.1").allowed) ++allowed;
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // 120 attempts: the burst, plus what refilled while they ran; never a budget per instance.
  EXPECT_GE(allowed.load(), 30);
  EXPECT_LE(allowed.load(), 30 + static_cast<int>(elapsed * 0.5) + 1) << elapsed << " s";
}

}  // namespace
}  // namespace coffee
