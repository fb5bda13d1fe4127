#include "audit/user_agent.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace gatehouse::audit {
namespace {

constexpr const char* kRegexes = "/usr/share/uap-core/regexes.yaml";
constexpr const char* kUaFixtures = "/usr/share/uap-core/tests/test_ua.yaml";
constexpr const char* kOsFixtures = "/usr/share/uap-core/tests/test_os.yaml";

// Loading compiles ~1,160 regexes (~0.2 s): once for the whole suite.
std::shared_ptr<UserAgentParser> SharedParser() {
  static const std::shared_ptr<UserAgentParser> parser = [] {
    auto loaded = UserAgentParser::Load(kRegexes);
    if (!loaded) {
      ADD_FAILURE() << "cannot load " << kRegexes << ": " << loaded.error().internal_message;
      return std::shared_ptr<UserAgentParser>();
    }
    return *std::move(loaded);
  }();
  return parser;
}

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    (name + "." + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

struct Scenario {
  const char* name;
  const char* user_agent;
  UserAgentInfo expected;
};

TEST(UserAgentParser, LoadsEveryUapCoreRegex) {
  auto parser = SharedParser();
  ASSERT_NE(parser, nullptr);
  // uap-core 0.16 ships 1,162 regexes and RE2 compiles all of them.
  EXPECT_GE(parser->regex_count(), 1100u);
}

TEST(UserAgentParser, MissingFileIsNotFound) {
  auto parser = UserAgentParser::Load("/nonexistent/regexes.yaml");
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.error().code, core::ErrorCode::kNotFound);
}

TEST(UserAgentParser, MalformedFileIsInternal) {
  const std::string path = WriteTempFile("ua_malformed", "user_agent_parsers: [unclosed\n");
  auto parser = UserAgentParser::Load(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.error().code, core::ErrorCode::kInternal);
}

TEST(UserAgentParser, SkipsRegexesRe2CannotCompile) {
  // Lookahead and backreferences are PCRE-only; the loader must drop them, not fail.
  const std::string path = WriteTempFile("ua_partial", R"(user_agent_parsers:
  - regex: 'Foo(?=bar)'
  - regex: '(Foo)\1'
  - regex: '(Foo)/(\d+)'
    family_replacement: 'Foo Browser'
os_parsers:
  - regex: '(FooOS) (\d+)'
device_parsers:
  - regex: '(FOOPHONE)'
    regex_flag: 'i'
    device_replacement: 'Foo $1'
)");
  auto parser = UserAgentParser::Load(path, 0);
  std::filesystem::remove(path);
  ASSERT_TRUE(parser.ok()) << parser.error().internal_message;
  EXPECT_EQ((*parser)->regex_count(), 3u);

  const UserAgentInfo info = (*parser)->Parse("Foo/7 (FooOS 2; foophone)");
  EXPECT_EQ(info.browser_name, "Foo Browser");
  EXPECT_EQ(info.browser_version, "7");
  EXPECT_EQ(info.os_name, "FooOS");
  EXPECT_EQ(info.os_version, "2");
  EXPECT_EQ(info.device_family, "Foo foophone");  // case-insensitive match, $1 as written
}

TEST(UserAgentParser, ParsesRealBrowsers) {
  auto parser = SharedParser();
  ASSERT_NE(parser, nullptr);
  const std::vector<Scenario> scenarios = {
      {"chrome on windows 10",
       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.6099.109 Safari/537.36",
       {"Chrome", "120.0.6099", "Windows", "10", "Other", "desktop"}},
      {"firefox on linux",
       "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
       {"Firefox", "121.0", "Linux", "", "Other", "desktop"}},
      {"safari on iphone",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
       "like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
       {"Mobile Safari", "17.1.2", "iOS", "17.1.2", "iPhone", "mobile"}},
      {"safari on ipad",
       "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Version/16.6 Mobile/15E148 Safari/604.1",
       {"Mobile Safari", "16.6", "iOS", "16.6", "iPad", "tablet"}},
      {"chrome on android phone",
       "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.6099.144 Mobile Safari/537.36",
       {"Chrome Mobile", "120.0.6099", "Android", "13", "Pixel 7", "mobile"}},
      {"chrome on android tablet (no Mobile token)",
       "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.6099.144 Safari/537.36",
       {"Chrome", "120.0.6099", "Android", "13", "SM-X700", "tablet"}},
      {"safari on mac",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
       "Gecko) Version/17.1 Safari/605.1.15",
       {"Safari", "17.1", "Mac OS X", "10.15.7", "Mac", "desktop"}},
      {"googlebot",
       "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
       {"Googlebot", "2.1", "Other", "", "Spider", "bot"}},
      {"googlebot smartphone",
       "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
       "like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
       "+http://www.google.com/bot.html)",
       {"Googlebot", "2.1", "Android", "6.0.1", "Spider", "bot"}},
      {"curl", "curl/8.4.0", {"curl", "8.4.0", "Other", "", "Other", "other"}},
      {"empty", "", {"Other", "", "Other", "", "Other", "other"}},
      {"blank", "   ", {"Other", "", "Other", "", "Other", "other"}},
  };
  for (const Scenario& scenario : scenarios) {
    SCOPED_TRACE(scenario.name);
    EXPECT_EQ(parser->Parse(scenario.user_agent), scenario.expected);
  }
}

TEST(UserAgentParser, GarbageIsBoundedAndNeverThrows) {
  auto parser = SharedParser();
  ASSERT_NE(parser, nullptr);
  std::mt19937 random(42);
  std::string garbage(10 * 1024, '\0');
  for (char& c : garbage) c = static_cast<char>(random() & 0xFF);  // includes NULs and bad UTF-8
  // Strings shaped like uap-core's own ReDoS probes; RE2 keeps them linear anyway.
  const std::vector<std::string> inputs = {
      garbage,
      "Mozilla" + Repeat("Mobile", 2000) + "!",
      "Windows Phone " + std::string(10000, ' ') + "IEMobile/",
      "; " + std::string(10000, ' ') + "\xe2\x97\x8e",
  };
  // Only the first kMaxUserAgentBytes are examined (next test); how fast that is, is measured
  // by bench/user_agent_bench, not asserted here.
  for (const std::string& input : inputs) {
    const UserAgentInfo info = parser->Parse(input);
    EXPECT_FALSE(info.browser_name.empty());
    EXPECT_FALSE(info.device_type.empty());
  }
}

TEST(UserAgentParser, TruncatesLongStringsBeforeParsing) {
  auto parser = SharedParser();
  ASSERT_NE(parser, nullptr);
  const std::string chrome =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.6099.109 Safari/537.36 ";
  const std::string padded = chrome + std::string(UserAgentParser::kMaxUserAgentBytes, 'x');
  // Same prefix, different tails past the limit: one parse, one cache entry.
  EXPECT_EQ(parser->Parse(padded), parser->Parse(padded + "Firefox/121.0"));
  EXPECT_EQ(parser->Parse(padded).browser_name, "Chrome");
}

TEST(UserAgentParser, CacheHitReturnsSameResult) {
  auto loaded = UserAgentParser::Load(kRegexes, 100);
  ASSERT_TRUE(loaded.ok());
  auto& parser = *loaded;
  const std::string ua =
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
  const UserAgentInfo first = parser->Parse(ua);
  const UserAgentInfo second = parser->Parse(ua);
  EXPECT_EQ(first, second);
  const auto stats = parser->cache_stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(UserAgentParser, CacheEvictsLeastRecentlyUsed) {
  auto loaded = UserAgentParser::Load(kRegexes, 1);
  ASSERT_TRUE(loaded.ok());
  auto& parser = *loaded;
  parser->Parse("curl/8.4.0");
  parser->Parse("Wget/1.21.3");  // evicts curl
  parser->Parse("curl/8.4.0");   // miss again
  const auto stats = parser->cache_stats();
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(UserAgentParser, CacheIsBounded) {
  auto loaded = UserAgentParser::Load(kRegexes, 64);
  ASSERT_TRUE(loaded.ok());
  for (int i = 0; i < 500; ++i) (*loaded)->Parse("curl/8." + std::to_string(i));
  EXPECT_LE((*loaded)->cache_stats().entries, 64u);
}

TEST(UserAgentParser, ConcurrentParseFromEightThreads) {
  auto loaded = UserAgentParser::Load(kRegexes, 16);  // small: forces concurrent evictions
  ASSERT_TRUE(loaded.ok());
  auto& parser = *loaded;
  const std::vector<std::string> uas = {
      "curl/8.4.0",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
      "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/16.6 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  };
  std::vector<UserAgentInfo> expected;
  for (const auto& ua : uas) expected.push_back(parser->Parse(ua));

  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        const std::size_t k = (i + t) % uas.size();
        // Unique strings churn the LRU while the shared ones are being read.
        if (i % 4 == 0) parser->Parse("curl/7." + std::to_string(t * 1000 + i));
        if (!(parser->Parse(uas[k]) == expected[k])) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(parser->cache_stats().entries, 16u);
}

// Runs the first `limit` cases of a uap-core fixture file and returns the share that agrees.
template <typename Check>
double Agreement(const char* fixtures, int limit, Check check) {
  const YAML::Node cases = YAML::LoadFile(fixtures)["test_cases"];
  int total = 0;
  int agreed = 0;
  for (const YAML::Node& item : cases) {
    if (total == limit) break;
    ++total;
    const std::string ua = item["user_agent_string"].as<std::string>();
    std::string why;
    if (check(item, ua, why)) {
      ++agreed;
    } else {
      std::printf("  mismatch: %s\n    UA: %s\n", why.c_str(), ua.c_str());
    }
  }
  std::printf("  %s: %d/%d agree\n", fixtures, agreed, total);
  return total == 0 ? 0.0 : static_cast<double>(agreed) / total;
}

std::string Str(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string();
}

std::string Version(const YAML::Node& item, std::initializer_list<const char*> keys) {
  std::string out;
  for (const char* key : keys) {
    const std::string part = Str(item[key]);
    if (part.empty()) break;
    out += (out.empty() ? "" : ".") + part;
  }
  return out;
}

TEST(UserAgentParser, AgreesWithUapCoreBrowserFixtures) {
  auto parser = SharedParser();
  ASSERT_NE(parser, nullptr);
  const double share = Agreement(kUaFixtures, 200, [&](const YAML::Node& item,
                                                       const std::string& ua, std::string& why) {
    const UserAgentInfo info = parser->Parse(ua);
    const std::string family = Str(item["family"]);
    const std::string version = Version(item, {"major", "minor", "patch"});
    why = "family '" + info.browser_name + "' want '" + family + "', version '" +
          info.browser_version + "' want '" + version + "'";
    return info.browser_name == family && info.browser_version == version;
  });
  EXPECT_GE(share, 0.98);
}

TEST(UserAgentParser, AgreesWithUapCoreOsFixtures) {
  auto parser = SharedParser();
  ASSERT_NE(parser, nullptr);
  const double share = Agreement(kOsFixtures, 200, [&](const YAML::Node& item,
                                                       const std::string& ua, std::string& why) {
    const UserAgentInfo info = parser->Parse(ua);
    const std::string family = Str(item["family"]);
    const std::string version = Version(item, {"major", "minor", "patch", "patch_minor"});
    why = "os '" + info.os_name + "' want '" + family + "', version '" + info.os_version +
          "' want '" + version + "'";
    return info.os_name == family && info.os_version == version;
  });
  EXPECT_GE(share, 0.98);
}

}  // namespace
}  // namespace gatehouse::audit
