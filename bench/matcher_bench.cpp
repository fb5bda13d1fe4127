// Permission matcher throughput: checks per second for a user holding 200 grants (exact nodes,
// prefix wildcards and a few negations), against nodes that hit and miss.
//
//   ./build-release/bench/matcher_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "authz/matcher.hpp"

namespace {

using gatehouse::authz::GrantSet;

std::vector<std::string> TwoHundredGrants() {
  std::vector<std::string> grants;
  for (int i = 0; i < 150; ++i) grants.push_back("resource" + std::to_string(i) + ".fetch");
  for (int i = 0; i < 40; ++i) grants.push_back("area" + std::to_string(i) + ".*");
  for (int i = 0; i < 10; ++i) grants.push_back("-area" + std::to_string(i) + ".secret");
  return grants;
}

void BM_CheckExactHit(benchmark::State& state) {
  const auto set = GrantSet::Compile(TwoHundredGrants());
  for (auto _ : state) benchmark::DoNotOptimize(set.Grants("resource77.fetch"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckExactHit);

void BM_CheckWildcardHit(benchmark::State& state) {
  const auto set = GrantSet::Compile(TwoHundredGrants());
  for (auto _ : state) benchmark::DoNotOptimize(set.Grants("area33.items.read"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckWildcardHit);

void BM_CheckNegatedDeny(benchmark::State& state) {
  const auto set = GrantSet::Compile(TwoHundredGrants());
  for (auto _ : state) benchmark::DoNotOptimize(set.Grants("area3.secret"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckNegatedDeny);

void BM_CheckMiss(benchmark::State& state) {
  const auto set = GrantSet::Compile(TwoHundredGrants());
  for (auto _ : state) benchmark::DoNotOptimize(set.Grants("credential.secure_values.read"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckMiss);

void BM_Compile200(benchmark::State& state) {
  const auto grants = TwoHundredGrants();
  for (auto _ : state) benchmark::DoNotOptimize(GrantSet::Compile(grants));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Compile200);

}  // namespace

BENCHMARK_MAIN();
