#include "http/deferred.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "http/envelope.hpp"

namespace gatehouse::http {
namespace {

TEST(Deferred, LaterCarriesTheSharedState) {
  auto pending = Deferred::Make();
  Response placeholder = pending->Later();
  EXPECT_EQ(placeholder.deferred, pending);
  EXPECT_FALSE(pending->completed());
}

TEST(Deferred, CompletionFromAnotherThreadWakesTheWaiter) {
  auto pending = Deferred::Make();
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  std::thread::id ran_on;
  pending->OnComplete([&] {
    std::lock_guard lock(mutex);
    ready = true;
    ran_on = std::this_thread::get_id();
    cv.notify_one();
  });
  std::thread::id completer;
  std::thread other([&] {
    completer = std::this_thread::get_id();
    EXPECT_TRUE(pending->Complete(Ok("later", "Done", 201)));
  });
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return ready; });
  }
  other.join();
  EXPECT_EQ(ran_on, completer);
  auto outcome = pending->Take();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, 201);
  EXPECT_NE(outcome->body.find("later"), std::string::npos);
}

TEST(Deferred, WaiterAddedAfterCompletionRunsAtOnce) {
  auto pending = Deferred::Make();
  EXPECT_TRUE(pending->Complete(core::NotFound("gone")));
  bool ran = false;
  pending->OnComplete([&] { ran = true; });
  EXPECT_TRUE(ran);
  auto outcome = pending->Take();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, core::ErrorCode::kNotFound);
}

TEST(Deferred, OnlyTheFirstCompletionCounts) {
  auto pending = Deferred::Make();
  int woken = 0;
  pending->OnComplete([&] { ++woken; });
  EXPECT_TRUE(pending->Complete(Ok("first", "First")));
  EXPECT_FALSE(pending->Complete(Ok("second", "Second")));
  EXPECT_FALSE(pending->Complete(core::Unavailable("late")));
  EXPECT_EQ(woken, 1);
  auto outcome = pending->Take();
  ASSERT_TRUE(outcome);
  EXPECT_NE(outcome->body.find("first"), std::string::npos);
  // Taken: a completion arriving now (after a timeout answered) is still ignored.
  EXPECT_FALSE(pending->Complete(Ok("third", "Third")));
  EXPECT_FALSE(pending->Take());
}

TEST(Deferred, RacingCompletionsHaveExactlyOneWinner) {
  auto pending = Deferred::Make();
  std::atomic<int> woken{0};
  pending->OnComplete([&] { ++woken; });
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (pending->Complete(Ok(i, "Racer"))) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(woken.load(), 1);
  EXPECT_TRUE(pending->Take());
}

}  // namespace
}  // namespace gatehouse::http
