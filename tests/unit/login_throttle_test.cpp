#include "app/login_throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace coffee::app {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const domain::Instant kStart{std::chrono::hours{24 * 365 * 50}};
constexpr std::string_view kVictim = "victim@example.com";
constexpr std::string_view kAttacker = "203.0.113.7";
constexpr std::string_view kOwner = "198.51.100.20";

/// `n` failed attempts, `gap` apart from `from`; each one must have been allowed.
void Fail(LoginThrottle& throttle, std::string_view client, int n, domain::Instant from,
          seconds gap = seconds{0}) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(throttle.Begin(kVictim, client, from + i * gap).allowed) << client << " " << i;
  }
}

TEST(LoginThrottle, SixthFailureInTheWindowFromOneAddressIsRefusedWithTheWait) {
  LoginThrottle throttle;
  Fail(throttle, kAttacker, 5, kStart, seconds{60});  // failures at 0, 1, 2, 3, 4 minutes
  const auto refused = throttle.Begin(kVictim, kAttacker, kStart + minutes{5});
  EXPECT_FALSE(refused.allowed);
  // The first failure leaves the 15-minute window at minute 15: ten minutes from now.
  EXPECT_EQ(refused.retry_after, minutes{10});
}

TEST(LoginThrottle, TheVictimFromAnotherAddressIsNotLockedOut) {
  LoginThrottle throttle;
  Fail(throttle, kAttacker, 5, kStart);
  EXPECT_FALSE(throttle.Begin(kVictim, kAttacker, kStart).allowed);
  EXPECT_TRUE(throttle.Begin(kVictim, kOwner, kStart).allowed);
  // Other accounts from the attacker's address are counted separately too.
  EXPECT_TRUE(throttle.Begin("other@example.com", kAttacker, kStart).allowed);
}

TEST(LoginThrottle, FailuresLeaveTheWindowOneByOne) {
  LoginThrottle throttle;
  Fail(throttle, kAttacker, 5, kStart, seconds{60});
  EXPECT_FALSE(throttle.Begin(kVictim, kAttacker, kStart + minutes{15} - seconds{1}).allowed);
  // At minute 15 the first failure no longer counts: exactly one more attempt.
  EXPECT_TRUE(throttle.Begin(kVictim, kAttacker, kStart + minutes{15}).allowed);
  const auto refused = throttle.Begin(kVictim, kAttacker, kStart + minutes{15});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, minutes{1});  // the failure of minute 1 leaves at minute 16
}

TEST(LoginThrottle, RefusedAttemptsDoNotExtendTheBlock) {
  LoginThrottle throttle;
  Fail(throttle, kAttacker, 5, kStart);
  for (int i = 1; i < 15; ++i) {
    EXPECT_FALSE(throttle.Begin(kVictim, kAttacker, kStart + minutes{i}).allowed) << i;
  }
  EXPECT_TRUE(throttle.Begin(kVictim, kAttacker, kStart + minutes{15}).allowed);
}

TEST(LoginThrottle, RetryAfterIsRoundedUpToWholeSeconds) {
  LoginThrottle throttle;
  Fail(throttle, kAttacker, 5, kStart);
  const auto refused =
      throttle.Begin(kVictim, kAttacker, kStart + minutes{15} - std::chrono::milliseconds{1});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds{1});
}

TEST(LoginThrottle, SuccessForgetsThePairsFailures) {
  LoginThrottle throttle;
  Fail(throttle, kOwner, 4, kStart);
  const auto started = kStart + seconds{1};
  ASSERT_TRUE(throttle.Begin(kVictim, kOwner, started).allowed);
  throttle.Succeeded(kVictim, kOwner, started);
  Fail(throttle, kOwner, 5, kStart + seconds{2});
  EXPECT_FALSE(throttle.Begin(kVictim, kOwner, kStart + seconds{3}).allowed);
}

TEST(LoginThrottle, AbandonedAttemptDoesNotCount) {
  LoginThrottle throttle;
  Fail(throttle, kOwner, 4, kStart);
  for (int i = 1; i <= 10; ++i) {  // e.g. the database was down ten times
    const auto started = kStart + seconds{i};
    ASSERT_TRUE(throttle.Begin(kVictim, kOwner, started).allowed) << i;
    throttle.Abandoned(kVictim, kOwner, started);
  }
  EXPECT_TRUE(throttle.Begin(kVictim, kOwner, kStart + seconds{20}).allowed);
  EXPECT_FALSE(throttle.Begin(kVictim, kOwner, kStart + seconds{20}).allowed);
}

TEST(LoginThrottle, AccountCapStopsNewAddressesButNotAddressesThatLoggedInBefore) {
  LoginThrottle throttle({.failures_per_client = 5, .failures_per_account = 10});
  ASSERT_TRUE(throttle.Begin(kVictim, kOwner, kStart).allowed);
  throttle.Succeeded(kVictim, kOwner, kStart);
  // A botnet: ten addresses, one failure each, all under the per-address limit.
  const auto attack = kStart + minutes{1};
  for (int i = 0; i < 10; ++i) {
    const std::string bot = "192.0.2." + std::to_string(i);
    ASSERT_TRUE(throttle.Begin(kVictim, bot, attack).allowed) << bot;
  }
  const auto refused = throttle.Begin(kVictim, "192.0.2.200", attack);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, minutes{15});
  EXPECT_FALSE(throttle.Begin(kVictim, "192.0.2.0", attack).allowed);
  // The owner's address logged in before: it may still try, within its own pair limit.
  Fail(throttle, kOwner, 5, attack);
  EXPECT_FALSE(throttle.Begin(kVictim, kOwner, attack).allowed);
  // Other accounts are not affected by this account's cap.
  EXPECT_TRUE(throttle.Begin("other@example.com", "192.0.2.200", attack).allowed);
  // When the window has passed, new addresses may try again.
  EXPECT_TRUE(throttle.Begin(kVictim, "192.0.2.200", attack + minutes{15}).allowed);
}

TEST(LoginThrottle, SuccessfulLoginsDoNotCountTowardsTheAccountCap) {
  LoginThrottle throttle({.failures_per_client = 5, .failures_per_account = 3});
  for (int i = 0; i < 10; ++i) {
    const std::string device = "192.0.2." + std::to_string(i);
    const auto at = kStart + seconds{i};
    ASSERT_TRUE(throttle.Begin(kVictim, device, at).allowed) << device;
    throttle.Succeeded(kVictim, device, at);
  }
  EXPECT_TRUE(throttle.Begin(kVictim, "198.51.100.99", kStart + seconds{20}).allowed);
}

TEST(LoginThrottle, AKnownAddressIsForgottenAfterTheRememberTime) {
  LoginThrottle throttle(
      {.failures_per_client = 5, .failures_per_account = 2, .remember_client = minutes{60}});
  ASSERT_TRUE(throttle.Begin(kVictim, kOwner, kStart).allowed);
  throttle.Succeeded(kVictim, kOwner, kStart);
  const auto later = kStart + minutes{61};
  Fail(throttle, "192.0.2.1", 1, later);
  Fail(throttle, "192.0.2.2", 1, later);
  EXPECT_FALSE(throttle.Begin(kVictim, kOwner, later).allowed);
}

TEST(LoginThrottle, ConcurrentAttemptsCannotOvershootTheLimit) {
  LoginThrottle throttle;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (throttle.Begin(kVictim, kAttacker, kStart).allowed) ++allowed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 5);
}

TEST(LoginThrottle, MemoryIsBoundedAndOldEntriesAreDropped) {
  LoginThrottle throttle({.max_entries = 100});
  for (int i = 0; i < 1000; ++i) {
    const std::string account = "user" + std::to_string(i) + "@example.com";
    ASSERT_TRUE(throttle.Begin(account, kAttacker, kStart).allowed);
    throttle.Succeeded(account, kAttacker, kStart);
    ASSERT_TRUE(throttle.Begin(account, kAttacker, kStart).allowed);
  }
  EXPECT_EQ(throttle.PairCount(), 100U);
  EXPECT_EQ(throttle.AccountCount(), 100U);
  EXPECT_EQ(throttle.KnownClientCount(), 100U);
  // The most recent entries survive: the last account still counts its failure.
  const std::string last = "user999@example.com";
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(throttle.Begin(last, kAttacker, kStart).allowed);
  EXPECT_FALSE(throttle.Begin(last, kAttacker, kStart).allowed);
  // Once the window has passed, failures are forgotten (known addresses are remembered longer).
  ASSERT_TRUE(throttle.Begin("fresh@example.com", kAttacker, kStart + minutes{16}).allowed);
  EXPECT_EQ(throttle.PairCount(), 1U);
  EXPECT_EQ(throttle.AccountCount(), 1U);
  EXPECT_EQ(throttle.KnownClientCount(), 100U);
}

TEST(LoginThrottle, OverlongEmailsShareOneBoundedKey) {
  LoginThrottle throttle;
  for (int i = 0; i < 5; ++i) {
    const std::string junk(300, static_cast<char>('a' + i));
    ASSERT_TRUE(throttle.Begin(junk, kAttacker, kStart).allowed) << i;
  }
  EXPECT_FALSE(throttle.Begin(std::string(400, 'z'), kAttacker, kStart).allowed);
  EXPECT_EQ(throttle.AccountCount(), 1U);
  EXPECT_TRUE(throttle.Begin(kVictim, kAttacker, kStart).allowed);
}

}  // namespace
}  // namespace coffee::app
