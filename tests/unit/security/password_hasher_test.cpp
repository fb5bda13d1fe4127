#include "security/password_hasher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "result_matchers.hpp"

namespace gatehouse::security {
namespace {

using core::ErrorCode;
using testing::HasError;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// libsodium's minimums (t = 1, m = 8 KiB): microseconds per hash, so tests stay fast.
constexpr PasswordParams kTiny{.ops_limit = 1, .mem_limit = 8 * 1024};

TEST(PasswordHasher, HashesWithArgon2idAndVerifiesTheSamePassword) {
  PasswordHasher hasher(kTiny, 2);
  auto encoded = hasher.Hash("correct horse battery staple");
  ASSERT_THAT(encoded, IsOk());
  EXPECT_THAT(*encoded, StartsWith("$argon2id$v=19$m=8,t=1,p=1$"));
  EXPECT_THAT(hasher.Verify("correct horse battery staple", *encoded), IsOk());
  EXPECT_TRUE(*hasher.Verify("correct horse battery staple", *encoded));
}

TEST(PasswordHasher, RejectsWrongPassword) {
  PasswordHasher hasher(kTiny, 2);
  auto encoded = hasher.Hash("correct horse battery staple");
  ASSERT_THAT(encoded, IsOk());
  auto result = hasher.Verify("correct horse battery stapler", *encoded);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(*result);
  EXPECT_FALSE(*hasher.Verify("", *encoded));
  EXPECT_FALSE(*hasher.Verify("Correct horse battery staple", *encoded));
}

TEST(PasswordHasher, UsesAFreshSaltEveryTime) {
  PasswordHasher hasher(kTiny, 2);
  auto a = hasher.Hash("same password");
  auto b = hasher.Hash("same password");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(*hasher.Verify("same password", *b));
}

TEST(PasswordHasher, HashesTheFullByteStringWithoutTruncation) {
  PasswordHasher hasher(kTiny, 2);
  const std::string long_password(1000, 'x');
  auto encoded = hasher.Hash(long_password);
  ASSERT_THAT(encoded, IsOk());
  EXPECT_TRUE(*hasher.Verify(long_password, *encoded));
  EXPECT_FALSE(*hasher.Verify(long_password + "y", *encoded));
  EXPECT_FALSE(*hasher.Verify(long_password.substr(0, 999), *encoded));
  using namespace std::string_literals;
  auto with_nul = hasher.Hash("abc\0def"s);
  ASSERT_THAT(with_nul, IsOk());
  EXPECT_FALSE(*hasher.Verify("abc", *with_nul));
  EXPECT_TRUE(*hasher.Verify("abc\0def"s, *with_nul));
}

TEST(PasswordHasher, DefaultsToOwaspParameters) {
  EXPECT_EQ(PasswordParams{}.ops_limit, 2u);
  EXPECT_EQ(PasswordParams{}.mem_limit, 19u * 1024 * 1024);
  PasswordHasher hasher(PasswordParams{}, 1);
  auto encoded = hasher.Hash("owasp parameters");
  ASSERT_THAT(encoded, IsOk());
  EXPECT_THAT(*encoded, StartsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_TRUE(*hasher.Verify("owasp parameters", *encoded));
}

TEST(PasswordHasher, VerifiesHashesMadeWithOtherParameters) {
  PasswordHasher old_hasher(kTiny, 1);
  PasswordHasher new_hasher({.ops_limit = 2, .mem_limit = 16 * 1024}, 1);
  auto encoded = old_hasher.Hash("migrating user");
  ASSERT_THAT(encoded, IsOk());
  EXPECT_TRUE(*new_hasher.Verify("migrating user", *encoded));
}

TEST(PasswordHasher, NeedsRehashWhenParametersChanged) {
  PasswordHasher old_hasher(kTiny, 1);
  PasswordHasher new_hasher({.ops_limit = 2, .mem_limit = 16 * 1024}, 1);
  auto encoded = old_hasher.Hash("pw");
  ASSERT_THAT(encoded, IsOk());
  EXPECT_FALSE(old_hasher.NeedsRehash(*encoded));
  EXPECT_TRUE(new_hasher.NeedsRehash(*encoded));
  EXPECT_TRUE(new_hasher.NeedsRehash("not a hash"));
  EXPECT_TRUE(new_hasher.NeedsRehash(""));
}

TEST(PasswordHasher, ReportsMalformedStoredHashAsInternal) {
  PasswordHasher hasher(kTiny, 1);
  EXPECT_THAT(hasher.Verify("pw", ""), HasError(ErrorCode::kInternal));
  EXPECT_THAT(hasher.Verify("pw", "$2b$12$abcdefghijklmnopqrstuv"), HasError(ErrorCode::kInternal));
  EXPECT_THAT(hasher.Verify("pw", "$argon2id$v=19$m=8,t=1,p=1$garbage"),
              HasError(ErrorCode::kInternal));
  EXPECT_THAT(hasher.Verify("pw", std::string(200, 'a')), HasError(ErrorCode::kInternal));
}

TEST(PasswordHasher, DummyVerifySucceedsForAnyPassword) {
  PasswordHasher hasher(kTiny, 1);
  EXPECT_THAT(hasher.DummyVerify("whatever"), IsOk());
  EXPECT_THAT(hasher.DummyVerify(""), IsOk());
}

TEST(PasswordHasher, DummyVerifyRunsTheSameCostAsARealVerify) {
  // The cost of an argon2id verify is fixed by the parameters in the encoded hash, so equal
  // parameters mean equal work (no timing: that is the benchmarks' job).
  PasswordHasher hasher({.ops_limit = 3, .mem_limit = 1024 * 1024}, 1);
  auto encoded = hasher.Hash("known user's password");
  ASSERT_THAT(encoded, IsOk());
  auto params_of = [](const std::string& phc) {  // "$argon2id$v=19$m=1024,t=3,p=1$salt$hash"
    return phc.substr(0, phc.find('$', phc.find("$m=") + 1));
  };
  EXPECT_EQ(params_of(hasher.dummy_hash()), params_of(*encoded));
  EXPECT_EQ(params_of(*encoded), "$argon2id$v=19$m=1024,t=3,p=1");
  EXPECT_FALSE(hasher.NeedsRehash(hasher.dummy_hash()));
  EXPECT_NE(hasher.dummy_hash(), *encoded);
}

TEST(PasswordHasher, ReturnsUnavailableWhenAllSlotsStayBusy) {
  auto limiter = std::make_shared<ConcurrencyLimiter>(1, 20ms);
  PasswordHasher hasher(kTiny, limiter);
  auto encoded = hasher.Hash("pw");
  ASSERT_THAT(encoded, IsOk());

  auto held = limiter->TryAcquire();  // another request is hashing
  ASSERT_TRUE(held.has_value());
  const auto start = std::chrono::steady_clock::now();
  auto hashed = hasher.Hash("pw");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);  // it did wait, then gave up
  EXPECT_THAT(hashed, HasError(ErrorCode::kUnavailable));
  EXPECT_EQ(hashed.error().public_message, "Service temporarily unavailable");
  EXPECT_THAT(hasher.Verify("pw", *encoded), HasError(ErrorCode::kUnavailable));
  EXPECT_THAT(hasher.DummyVerify("pw"), HasError(ErrorCode::kUnavailable));

  held.reset();  // the other request finished
  EXPECT_THAT(hasher.Hash("pw"), IsOk());
  EXPECT_EQ(limiter->InUse(), 0u);
}

TEST(PasswordHasher, WaitsForASlotThatFreesUpWithinTheLimit) {
  auto limiter = std::make_shared<ConcurrencyLimiter>(1, 5s);
  PasswordHasher hasher(kTiny, limiter);
  auto held = limiter->TryAcquire();
  ASSERT_TRUE(held.has_value());
  std::thread releaser([&] {
    while (limiter->Waiting() == 0) std::this_thread::sleep_for(1ms);
    held.reset();
  });
  EXPECT_THAT(hasher.Hash("pw"), IsOk());
  releaser.join();
}

TEST(PasswordHasher, NeverRunsMoreThanMaxConcurrentHashes) {
  auto limiter = std::make_shared<ConcurrencyLimiter>(2, 10s);
  // A few milliseconds per hash, so the watcher sees the slots in use.
  PasswordHasher hasher({.ops_limit = 3, .mem_limit = 1024 * 1024}, limiter);
  std::atomic<unsigned> peak{0};
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      unsigned now = limiter->InUse();
      unsigned seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 6; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 5; ++i) EXPECT_THAT(hasher.Hash("pw"), IsOk());
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  watcher.join();
  EXPECT_LE(peak.load(), 2u);
  EXPECT_GE(peak.load(), 1u);
}

TEST(PasswordHasher, OwnConstructorBuildsItsLimiter) {
  PasswordHasher hasher(kTiny, 3, 50ms);
  EXPECT_EQ(hasher.limiter().capacity(), 3u);
  EXPECT_EQ(hasher.limiter().max_wait(), 50ms);
  PasswordHasher per_core(kTiny, 0);
  EXPECT_GE(per_core.limiter().capacity(), 1u);
}

TEST(PasswordHasher, RejectsParametersBelowLibsodiumMinimum) {
  EXPECT_THAT(PasswordHasher::CheckParams({.ops_limit = 0, .mem_limit = 8 * 1024}),
              HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(PasswordHasher::CheckParams({.ops_limit = 1, .mem_limit = 1024}),
              HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(PasswordHasher::CheckParams(PasswordParams{}), IsOk());
  EXPECT_THROW(PasswordHasher({.ops_limit = 0, .mem_limit = 8 * 1024}, 1), std::invalid_argument);
}

TEST(ConcurrencyLimiter, TryAcquireFailsAtCapacityAndPermitsRelease) {
  ConcurrencyLimiter limiter(2, 0ms);
  auto a = limiter.TryAcquire();
  auto b = limiter.TryAcquire();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.Acquire());  // zero wait
  EXPECT_EQ(limiter.InUse(), 2u);
  ConcurrencyLimiter::Permit moved = std::move(*a);
  a.reset();
  EXPECT_EQ(limiter.InUse(), 2u);  // a moved-from permit releases nothing
  { ConcurrencyLimiter::Permit gone = std::move(moved); }
  EXPECT_EQ(limiter.InUse(), 1u);
  EXPECT_TRUE(limiter.TryAcquire());
}

// ValidatePassword: length in code points, 8..128, valid UTF-8.

TEST(ValidatePassword, RejectsSevenCharacters) {
  auto status = ValidatePassword("abcdefg");
  ASSERT_THAT(status, HasError(ErrorCode::kInvalidArgument));
  ASSERT_EQ(status.error().details.size(), 1u);
  EXPECT_EQ(status.error().details[0].path, std::vector<std::string>{"password"});
  EXPECT_THAT(status.error().details[0].message, HasSubstr("at least 8"));
}

TEST(ValidatePassword, AcceptsEightTo128Characters) {
  EXPECT_THAT(ValidatePassword("abcdefgh"), IsOk());
  EXPECT_THAT(ValidatePassword(std::string(128, 'a')), IsOk());
}

TEST(ValidatePassword, Rejects129Characters) {
  auto status = ValidatePassword(std::string(129, 'a'));
  ASSERT_THAT(status, HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(status.error().details[0].message, HasSubstr("at most 128"));
}

TEST(ValidatePassword, CountsCodePointsNotBytes) {
  const std::string emoji = "\xF0\x9F\x94\x91";  // U+1F511, 4 bytes
  std::string eight, seven, max, over;
  for (int i = 0; i < 8; ++i) eight += emoji;
  for (int i = 0; i < 7; ++i) seven += emoji;  // 28 bytes, but 7 characters
  for (int i = 0; i < 128; ++i) max += emoji;  // 512 bytes
  over = max + "a";
  EXPECT_THAT(ValidatePassword(eight), IsOk());
  EXPECT_THAT(ValidatePassword(seven), HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidatePassword(max), IsOk());
  EXPECT_THAT(ValidatePassword(over), HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidatePassword("pässwörd"), IsOk());  // 8 characters, 10 bytes
}

TEST(ValidatePassword, RejectsInvalidUtf8) {
  auto status = ValidatePassword("abcdefgh\xff");
  ASSERT_THAT(status, HasError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(status.error().details[0].message, HasSubstr("UTF-8"));
  EXPECT_THAT(ValidatePassword("abcdefg\xC3"), HasError(ErrorCode::kInvalidArgument));  // cut
  EXPECT_THAT(ValidatePassword("abcdefg\xC0\xAF"),
              HasError(ErrorCode::kInvalidArgument));  // overlong
  EXPECT_THAT(ValidatePassword("abcdefg\xED\xA0\x80"),
              HasError(ErrorCode::kInvalidArgument));  // surrogate
}

TEST(ValidatePassword, NamesTheGivenField) {
  auto status = ValidatePassword("short", "newPassword");
  ASSERT_THAT(status, HasError(ErrorCode::kInvalidArgument));
  EXPECT_EQ(status.error().details[0].path, std::vector<std::string>{"newPassword"});
}

}  // namespace
}  // namespace gatehouse::security
