// Micro-benchmarks for audit::UserAgentParser: what loading the uap-core regexes costs at start-up,
// what a first sighting of a user agent costs (all regex lists, no cache) and what every later
// request costs (an LRU hit). The gap between the last two is why Parse() caches.
//
//   ninja -C build -j2 user_agent_bench
//   build/bench/user_agent_bench --benchmark_filter=Load
//   build/bench/user_agent_bench --benchmark_filter=Parse   # items_per_second = parses/s
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "audit/user_agent.hpp"

namespace {

using gatehouse::audit::UserAgentParser;

// A mix a login endpoint sees: desktop and mobile browsers, a crawler, a CLI client.
const std::vector<std::string>& RealAgents() {
  static const std::vector<std::string> agents = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.6099.109 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.1 Safari/605.1.15",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
      "like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/16.6 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.6099.144 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.6099.144 Safari/537.36",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "curl/8.4.0",
  };
  return agents;
}

std::shared_ptr<UserAgentParser> MakeParser(std::size_t cache_entries) {
  auto parser = UserAgentParser::Load(std::string(UserAgentParser::kDefaultRegexesPath),
                                      cache_entries);
  return parser ? *std::move(parser) : nullptr;
}

void BM_LoadRegexes(benchmark::State& state) {
  for (auto _ : state) {
    auto parser = MakeParser(0);
    if (!parser) state.SkipWithError("uap-core regexes not installed");
    benchmark::DoNotOptimize(parser);
  }
}
BENCHMARK(BM_LoadRegexes)->Unit(benchmark::kMillisecond)->Iterations(5);

// Every call runs the three regex lists: the cost of a user agent seen for the first time.
void BM_ParseUncached(benchmark::State& state) {
  static const auto parser = MakeParser(0);
  if (!parser) return state.SkipWithError("uap-core regexes not installed");
  const auto& agents = RealAgents();
  std::size_t i = 0;
  for (auto _ : state) {
    auto info = parser->Parse(agents[i++ % agents.size()]);
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseUncached)->Unit(benchmark::kMicrosecond);

// Worst case: nothing matches, so every regex of every list runs over the full 512 bytes.
void BM_ParseUncachedNoMatch(benchmark::State& state) {
  static const auto parser = MakeParser(0);
  if (!parser) return state.SkipWithError("uap-core regexes not installed");
  const std::string junk(UserAgentParser::kMaxUserAgentBytes, 'q');
  for (auto _ : state) {
    auto info = parser->Parse(junk);
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseUncachedNoMatch)->Unit(benchmark::kMicrosecond);

// Warm cache, shared by all threads: the steady-state cost per request.
void BM_ParseCached(benchmark::State& state) {
  static const auto parser = [] {
    auto p = MakeParser(UserAgentParser::kDefaultCacheEntries);
    if (p) {
      for (const auto& ua : RealAgents()) p->Parse(ua);
    }
    return p;
  }();
  if (!parser) return state.SkipWithError("uap-core regexes not installed");
  const auto& agents = RealAgents();
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    auto info = parser->Parse(agents[i++ % agents.size()]);
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCached)->Unit(benchmark::kNanosecond)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
