#include "security/login_throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace gatehouse::security {
namespace {

class FixedClock final : public core::Clock {
 public:
  core::TimePoint Now() const override { return core::FromUnixMillis(now_ms.load()); }
  std::atomic<std::int64_t> now_ms{1'700'000'000'000};
};

TEST(LoginThrottle, FirstFailuresAreFreeThenDelaysGrow) {
  FixedClock clock;
  LoginThrottle throttle(clock, {.free_failures = 3});
  for (int i = 0; i < 3; ++i) {
    auto ticket = throttle.Begin("alice@example.com", "1.2.3.4");
    ASSERT_TRUE(ticket.ok()) << i;
    throttle.Finish(*ticket, false);
  }
  auto locked = throttle.Begin("alice@example.com", "1.2.3.4");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, core::ErrorCode::kRateLimited);
  EXPECT_GE(locked.error().retry_after_seconds, 1);
  clock.now_ms += 1500;  // the first delay is 1 s
  auto again = throttle.Begin("alice@example.com", "1.2.3.4");
  ASSERT_TRUE(again.ok());
  throttle.Finish(*again, false);
  auto longer = throttle.Begin("alice@example.com", "1.2.3.4");
  ASSERT_FALSE(longer.ok());
  EXPECT_GE(longer.error().retry_after_seconds, 2);
}

TEST(LoginThrottle, SuccessClearsTheAccount) {
  FixedClock clock;
  LoginThrottle throttle(clock, {.free_failures = 2});
  for (int i = 0; i < 2; ++i) throttle.Finish(*throttle.Begin("bob", "ip"), false);
  clock.now_ms += 2000;
  auto ticket = throttle.Begin("bob", "ip");
  ASSERT_TRUE(ticket.ok());
  throttle.Finish(*ticket, true);
  EXPECT_TRUE(throttle.Begin("bob", "ip").ok());
}

TEST(LoginThrottle, ParallelAttemptsCannotExceedTheHourlyCap) {
  FixedClock clock;
  // No delays: only the cap limits. 200 threads race for 100 evaluations.
  LoginThrottle throttle(clock, {.account_failures_per_hour = 100,
                                 .ip_failures_per_hour = 100000,
                                 .free_failures = 1000});
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < 200; ++i) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      auto ticket = throttle.Begin("victim", "ip");
      if (ticket.ok()) {
        ++admitted;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // "verifying"
        throttle.Finish(*ticket, false);
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 100);
  EXPECT_FALSE(throttle.Begin("victim", "ip").ok());
  clock.now_ms += 3600 * 1000 + 1000;  // an hour later the window has moved on
  EXPECT_TRUE(throttle.Begin("victim", "ip").ok());
}

TEST(LoginThrottle, InFlightAttemptsCountTowardsTheDelay) {
  FixedClock clock;
  LoginThrottle throttle(clock, {.free_failures = 2});
  auto a = throttle.Begin("carol", "ip");
  auto b = throttle.Begin("carol", "ip");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(throttle.Begin("carol", "ip").ok());  // two guesses already being evaluated
}

TEST(LoginThrottle, IpLimitSpansAccounts) {
  FixedClock clock;
  LoginThrottle throttle(clock, {.ip_failures_per_hour = 3, .free_failures = 100});
  for (int i = 0; i < 3; ++i) {
    throttle.Finish(*throttle.Begin("user" + std::to_string(i), "9.9.9.9"), false);
  }
  EXPECT_FALSE(throttle.Begin("someone-else", "9.9.9.9").ok());
  EXPECT_TRUE(throttle.Begin("someone-else", "8.8.8.8").ok());
}

}  // namespace
}  // namespace gatehouse::security
