#include "http/middleware/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace coffee::http {
namespace {

using std::chrono::seconds;
const RateLimiter::Clock::time_point kStart{std::chrono::hours{1}};

TEST(RateLimiter, AllowsTheBurstThenRefuses) {
  RateLimiter limiter(60, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Check("1.2.3.4", kStart).allowed) << i;
  const auto refused = limiter.Check("1.2.3.4", kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(1));  // 60/min: one token a second
}

TEST(RateLimiter, RefillsWithTime) {
  RateLimiter limiter(6, 2);  // one token every 10 s
  EXPECT_TRUE(limiter.Check("k", kStart).allowed);
  EXPECT_TRUE(limiter.Check("k", kStart).allowed);
  EXPECT_FALSE(limiter.Check("k", kStart).allowed);
  EXPECT_FALSE(limiter.Check("k", kStart + seconds(9)).allowed);
  EXPECT_TRUE(limiter.Check("k", kStart + seconds(10)).allowed);
  EXPECT_FALSE(limiter.Check("k", kStart + seconds(10)).allowed);
  // A long pause refills only up to the burst.
  const auto later = kStart + seconds(3600);
  EXPECT_TRUE(limiter.Check("k", later).allowed);
  EXPECT_TRUE(limiter.Check("k", later).allowed);
  EXPECT_FALSE(limiter.Check("k", later).allowed);
}

TEST(RateLimiter, RetryAfterIsTheWaitForTheNextTokenRoundedUp) {
  RateLimiter limiter(10, 1);  // one token every 6 s
  EXPECT_TRUE(limiter.Check("k", kStart).allowed);
  EXPECT_EQ(limiter.Check("k", kStart).retry_after, seconds(6));
  EXPECT_EQ(limiter.Check("k", kStart + std::chrono::milliseconds(1500)).retry_after, seconds(5));
  EXPECT_EQ(limiter.Check("k", kStart + std::chrono::milliseconds(5999)).retry_after, seconds(1));
  // Never less than one second, even for fast rates.
  RateLimiter fast(6000, 1);
  EXPECT_TRUE(fast.Check("k", kStart).allowed);
  EXPECT_EQ(fast.Check("k", kStart).retry_after, seconds(1));
}

TEST(RateLimiter, KeysHaveSeparateBuckets) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Check("a", kStart).allowed);
  EXPECT_FALSE(limiter.Check("a", kStart).allowed);
  EXPECT_TRUE(limiter.Check("b", kStart).allowed);
}

TEST(RateLimiter, IdleBucketsAreSweptAway) {
  RateLimiter limiter(60, 5);  // full again after 5 s
  for (int i = 0; i < 200; ++i) limiter.Check("10.0.0." + std::to_string(i), kStart);
  EXPECT_EQ(limiter.Size(), 200U);
  // The periodic sweep (every minute per shard) drops them once each shard is touched again.
  const auto later = kStart + std::chrono::minutes(2);
  for (int i = 0; i < 200; ++i) limiter.Check("10.0.0." + std::to_string(i), later);
  EXPECT_EQ(limiter.Size(), 200U);  // the same keys, fresh again
  const auto much_later = kStart + std::chrono::minutes(10);
  limiter.Check("other", much_later);
  EXPECT_LT(limiter.Size(), 200U);
}

TEST(RateLimiter, EntriesAreCapped) {
  RateLimiter limiter(1, 1, 1600);  // 100 per shard
  for (int i = 0; i < 50'000; ++i) {
    EXPECT_TRUE(limiter.Check("key-" + std::to_string(i), kStart).allowed);
  }
  EXPECT_LE(limiter.Size(), 1600U);
}

TEST(ClientAddress, UntrustedPeerIsTheClient) {
  EXPECT_EQ(ClientAddress("203.0.113.9", {"1.1.1.1"}, {}), "203.0.113.9");
  EXPECT_EQ(ClientAddress("203.0.113.9", {"1.1.1.1"}, {"10.0.0.1"}), "203.0.113.9");
}

TEST(ClientAddress, TrustedPeerForwardsTheNearestUntrustedHop) {
  const std::vector<std::string> trusted{"10.0.0.1", "10.0.0.2"};
  EXPECT_EQ(ClientAddress("10.0.0.1", {"198.51.100.7"}, trusted), "198.51.100.7");
  // A client-supplied fake hop in front does not win over the hop our proxy saw.
  EXPECT_EQ(ClientAddress("10.0.0.1", {"6.6.6.6, 198.51.100.7"}, trusted), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.0.0.1", {"198.51.100.7, 10.0.0.2"}, trusted), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.0.0.1", {"198.51.100.7", "10.0.0.2"}, trusted), "198.51.100.7");
  // Garbage or nothing forwarded: the proxy itself.
  EXPECT_EQ(ClientAddress("10.0.0.1", {"not-an-ip"}, trusted), "10.0.0.1");
  EXPECT_EQ(ClientAddress("10.0.0.1", {}, trusted), "10.0.0.1");
  // Every hop trusted: the farthest one.
  EXPECT_EQ(ClientAddress("10.0.0.1", {"10.0.0.2"}, trusted), "10.0.0.2");
  EXPECT_EQ(ClientAddress("::1", {"2001:db8::1"}, {"0:0:0:0:0:0:0:1"}), "2001:db8::1");
}

/// Counts the budgets it is asked for; blocks (it says) and refuses after `allow` takes.
class CountingLimiter final : public app::RequestLimiter {
 public:
  CountingLimiter(bool blocking, int allow) : blocking_(blocking), allow_(allow) {}
  app::LimitDecision Take(app::RequestBudget budget, std::string_view /*client*/) override {
    ++taken[budget];
    if (allow_-- > 0) return {};
    return {false, seconds(7)};
  }
  [[nodiscard]] bool Blocking(app::RequestBudget /*budget*/) const override { return blocking_; }
  std::map<app::RequestBudget, int> taken;

 private:
  bool blocking_;
  int allow_;
};

TEST(SplitRequestLimiter, ReadsGoToOneLimiterWritesAndCredentialsToTheOther) {
  CountingLimiter reads(false, 100);
  CountingLimiter shared(true, 1);
  SplitRequestLimiter split(reads, shared);
  EXPECT_FALSE(split.Blocking(app::RequestBudget::kRead));
  EXPECT_TRUE(split.Blocking(app::RequestBudget::kWrite));
  EXPECT_TRUE(split.Blocking(app::RequestBudget::kCredentials));
  EXPECT_TRUE(split.Take(app::RequestBudget::kRead, "c").allowed);
  EXPECT_TRUE(split.Take(app::RequestBudget::kWrite, "c").allowed);
  const auto refused = split.Take(app::RequestBudget::kCredentials, "c");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(7));
  EXPECT_EQ(reads.taken, (std::map<app::RequestBudget, int>{{app::RequestBudget::kRead, 1}}));
  EXPECT_EQ(shared.taken,
            (std::map<app::RequestBudget, int>{{app::RequestBudget::kWrite, 1},
                                               {app::RequestBudget::kCredentials, 1}}));
}

TEST(InMemoryRequestLimiter, ReadsAndWritesSpendOneOverallBudget) {
  InMemoryRequestLimiter limiter(2, 10);  // burst 2
  EXPECT_FALSE(limiter.Blocking(app::RequestBudget::kWrite));
  EXPECT_TRUE(limiter.Take(app::RequestBudget::kRead, "c").allowed);
  EXPECT_TRUE(limiter.Take(app::RequestBudget::kWrite, "c").allowed);
  EXPECT_FALSE(limiter.Take(app::RequestBudget::kRead, "c").allowed);
  EXPECT_FALSE(limiter.Take(app::RequestBudget::kWrite, "c").allowed);
  EXPECT_TRUE(limiter.Take(app::RequestBudget::kCredentials, "c").allowed);
}

}  // namespace
}  // namespace coffee::http
