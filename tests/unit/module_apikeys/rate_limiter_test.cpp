// Per-key fixed-window rate limits and the usage accumulator.
#include "modules/apikeys/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "modules/apikeys/usage.hpp"

namespace gatehouse::modules::apikeys {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // a window boundary for 10 s windows

TEST(RateLimiter, AllowsUpToTheLimitPerWindow) {
  RateLimiter limiter;
  const RateLimit limit{.limit = 3, .window_seconds = 10};
  for (int i = 0; i < 3; ++i) {
    RateDecision d = limiter.Hit("k", limit, kT0 + 1000 + i);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
    EXPECT_EQ(d.reset_unix_seconds, kT0 / 1000 + 10);
  }
  RateDecision refused = limiter.Hit("k", limit, kT0 + 2500);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_seconds, 8);  // 7.5 s left, rounded up
  // Refusals are not counted; the next window starts afresh.
  RateDecision next = limiter.Hit("k", limit, kT0 + 10000);
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.remaining, 2);
  EXPECT_EQ(next.reset_unix_seconds, kT0 / 1000 + 20);
}

TEST(RateLimiter, KeysAreCountedSeparately) {
  RateLimiter limiter;
  const RateLimit limit{.limit = 1, .window_seconds = 60};
  EXPECT_TRUE(limiter.Hit("a", limit, kT0).allowed);
  EXPECT_FALSE(limiter.Hit("a", limit, kT0 + 1).allowed);
  EXPECT_TRUE(limiter.Hit("b", limit, kT0 + 1).allowed);
  limiter.Forget("a");
  EXPECT_TRUE(limiter.Hit("a", limit, kT0 + 2).allowed);
}

TEST(RateLimiter, ANewLimitAppliesAtOnce) {
  RateLimiter limiter;
  EXPECT_TRUE(limiter.Hit("k", {.limit = 1, .window_seconds = 10}, kT0).allowed);
  EXPECT_FALSE(limiter.Hit("k", {.limit = 1, .window_seconds = 10}, kT0 + 1).allowed);
  EXPECT_TRUE(limiter.Hit("k", {.limit = 5, .window_seconds = 10}, kT0 + 2).allowed)
      << "a raised limit counts the window's requests against the new limit";
  EXPECT_TRUE(limiter.Hit("k", {.limit = 5, .window_seconds = 30}, kT0 + 3).allowed);
}

TEST(RateLimiter, RetryAfterIsAtLeastOneSecond) {
  RateLimiter limiter;
  const RateLimit limit{.limit = 1, .window_seconds = 1};
  EXPECT_TRUE(limiter.Hit("k", limit, kT0 + 999).allowed);
  RateDecision d = limiter.Hit("k", limit, kT0 + 999);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);
}

TEST(UsageAccumulator, CountsAndKeepsTheLatestTime) {
  UsageAccumulator usage;
  EXPECT_TRUE(usage.empty());
  usage.Note("a", 5);
  usage.Note("a", 3);
  usage.Note("b", 7);
  UsageBatch batch = usage.Drain();
  EXPECT_TRUE(usage.empty());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch["a"].count, 2);
  EXPECT_EQ(batch["a"].last_used_ms, 5);
  EXPECT_EQ(batch["b"].count, 1);
  // A failed write gives the batch back, merged with what came since.
  usage.Note("a", 9);
  usage.Restore(std::move(batch));
  UsageBatch again = usage.Drain();
  EXPECT_EQ(again["a"].count, 3);
  EXPECT_EQ(again["a"].last_used_ms, 9);
  EXPECT_EQ(again["b"].count, 1);
}

}  // namespace
}  // namespace gatehouse::modules::apikeys
