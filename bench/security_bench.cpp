// Micro-benchmarks for src/security: the raw argon2id hash rate at OWASP parameters (the
// ceiling for logins per second, per core) and access-token issue/verify cost.
//
//   ninja -C build -j2 security_bench
//   build/security_bench --benchmark_filter=Argon2id      # hashes/s = items_per_second
//   build/security_bench --benchmark_filter=Jwt
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "security/password_hasher.hpp"
#include "security/token_service.hpp"

namespace {

using gatehouse::security::AccessClaims;
using gatehouse::security::PasswordHasher;
using gatehouse::security::PasswordParams;
using gatehouse::security::SigningKeyStore;
using gatehouse::security::TokenService;

// One hasher for all threads, with a slot per thread, so the limiter never makes anyone wait:
// this measures argon2id itself. Run with --benchmark_filter and compare Threads(1) to (2).
PasswordHasher& OwaspHasher() {
  static PasswordHasher hasher(PasswordParams{}, /*max_concurrent=*/64);
  return hasher;
}

void BM_Argon2idHashOwasp(benchmark::State& state) {
  PasswordHasher& hasher = OwaspHasher();
  for (auto _ : state) {
    auto encoded = hasher.Hash("correct horse battery staple");
    if (!encoded) state.SkipWithError("hash failed");
    benchmark::DoNotOptimize(encoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Argon2idHashOwasp)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2);

void BM_Argon2idVerifyOwasp(benchmark::State& state) {
  PasswordHasher& hasher = OwaspHasher();
  static const std::string encoded = *hasher.Hash("correct horse battery staple");
  for (auto _ : state) {
    auto ok = hasher.Verify("correct horse battery staple", encoded);
    if (!ok || !*ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Argon2idVerifyOwasp)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1);

struct JwtFixture {
  gatehouse::core::SystemClock clock;
  TokenService tokens{std::make_shared<SigningKeyStore>(SigningKeyStore::Generate()), clock};
  std::string token = *tokens.Issue({.sub = "0192f0c4-7a1e-7b2c-9f3e-4a5b6c7d8e9f",
                                     .sid = "0192f0c4-7a1e-7b2c-9f3e-4a5b6c7d8ea0"});
};

JwtFixture& Jwt() {
  static JwtFixture fixture;
  return fixture;
}

void BM_JwtVerify(benchmark::State& state) {
  JwtFixture& jwt = Jwt();
  for (auto _ : state) {
    auto claims = jwt.tokens.Verify(jwt.token);
    if (!claims) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtVerify)->Unit(benchmark::kMicrosecond)->Threads(1)->Threads(2);

void BM_JwtIssue(benchmark::State& state) {
  JwtFixture& jwt = Jwt();
  AccessClaims claims{.sub = "0192f0c4-7a1e-7b2c-9f3e-4a5b6c7d8e9f",
                      .sid = "0192f0c4-7a1e-7b2c-9f3e-4a5b6c7d8ea0"};
  for (auto _ : state) {
    auto token = jwt.tokens.Issue(claims);
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtIssue)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
