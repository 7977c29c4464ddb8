#include "adapters/telegram/rate_limiter.h"

#include <gtest/gtest.h>

namespace kairos::telegram {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSecond;

TEST(RateLimiter, OneMessagePerSecondToOneChat) {
  ports::ManualClock clock(kStart);
  RateLimiter limiter(clock);
  EXPECT_EQ(limiter.NextAllowedNs(42), kStart);
  EXPECT_TRUE(limiter.TryAcquire(42));
  EXPECT_FALSE(limiter.TryAcquire(42));
  EXPECT_EQ(limiter.NextAllowedNs(42), kStart + kSecond);
  clock.AdvanceTo(kStart + kSecond - 1);
  EXPECT_FALSE(limiter.TryAcquire(42));
  clock.AdvanceTo(kStart + kSecond);
  EXPECT_TRUE(limiter.TryAcquire(42));
}

TEST(RateLimiter, OtherChatsAreNotHeldBackByOne) {
  ports::ManualClock clock(kStart);
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.TryAcquire(1));
  EXPECT_TRUE(limiter.TryAcquire(2));
  EXPECT_EQ(limiter.NextAllowedNs(3), kStart);
}

TEST(RateLimiter, GlobalBucketAllowsABurstThenItsRate) {
  ports::ManualClock clock(kStart);
  RateLimiter limiter(
      clock, {.per_chat_interval_ns = kSecond, .global_per_second = 30, .global_burst = 30});
  for (int chat = 0; chat < 30; ++chat) EXPECT_TRUE(limiter.TryAcquire(chat)) << chat;
  EXPECT_FALSE(limiter.TryAcquire(100));
  // One token comes back every 1/30 s.
  EXPECT_EQ(limiter.NextAllowedNs(100), kStart + (kSecond + 29) / 30);
  clock.AdvanceTo(limiter.NextAllowedNs(100));
  EXPECT_TRUE(limiter.TryAcquire(100));
  EXPECT_FALSE(limiter.TryAcquire(101));
  // After a quiet while the bucket is full again, never more than its size.
  clock.AdvanceTo(kStart + 3600 * kSecond);
  for (int chat = 200; chat < 230; ++chat) EXPECT_TRUE(limiter.TryAcquire(chat)) << chat;
  EXPECT_FALSE(limiter.TryAcquire(300));
}

TEST(RateLimiter, BackoffAfter429HoldsTheChatForRetryAfter) {
  ports::ManualClock clock(kStart);
  RateLimiter limiter(clock);
  limiter.Backoff(42, 35);
  EXPECT_EQ(limiter.NextAllowedNs(42), kStart + 35 * kSecond);
  EXPECT_EQ(limiter.NextAllowedNs(43), kStart);
  clock.AdvanceTo(kStart + 34 * kSecond);
  EXPECT_FALSE(limiter.TryAcquire(42));
  clock.AdvanceTo(kStart + 35 * kSecond);
  EXPECT_TRUE(limiter.TryAcquire(42));
}

TEST(RateLimiter, ShorterBackoffNeverShortensAWait) {
  ports::ManualClock clock(kStart);
  RateLimiter limiter(clock);
  limiter.Backoff(42, 10);
  limiter.Backoff(42, 2);
  EXPECT_EQ(limiter.NextAllowedNs(42), kStart + 10 * kSecond);
}

}  // namespace
}  // namespace kairos::telegram
