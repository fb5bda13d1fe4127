// User-agent enrichment for audit events and sessions: turns a raw User-Agent header into
// browser, OS and device names using the maintained uap-core regex set (Debian's uap-core),
// matched with RE2 so that no input can make matching super-linear.
//
//   auto parser = UserAgentParser::Load();                 // once, at start-up (~0.2 s)
//   if (!parser) return parser.error();
//   UserAgentInfo info = (*parser)->Parse(request.Header("User-Agent"));  // cached, thread-safe
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace gatehouse::audit {

struct UserAgentInfo {
  std::string browser_name;     // uap family, e.g. "Chrome", "Firefox"; "Other" when unknown
  std::string browser_version;  // "120.0.6099": major.minor.patch as far as known, or ""
  std::string os_name;          // e.g. "Windows", "Mac OS X", "iOS", "Android", "Linux"; "Other"
  std::string os_version;       // "10", "17.1.2", ...: major.minor.patch.patch_minor, or ""
  std::string device_family;    // uap device family, e.g. "iPhone", "Spider", "Other"
  // Derived by us (uap-core has no such field), first rule that applies wins:
  //   "bot"     device family "Spider", or a browser family naming a crawler ("Googlebot",
  //             "...Crawler", "...Spider", "Slurp", "HeadlessChrome", ...).
  //   "other"   TVs, consoles, watches and set-top boxes (GoogleTV, Roku, PlayStation, Xbox,
  //             WatchOS, tvOS, Chromecast, Fire TV (AFT*), "SmartTV"/"SMART-TV" tokens, ...).
  //   "tablet"  iPad, Kindle/Silk, PlayBook, BlackBerry Tablet OS, a "Tablet" token, and Android
  //             browsers whose UA lacks the "Mobile" token (Google's documented convention).
  //   "mobile"  iPhone/iPod, every other iOS or Android UA (apps, Dalvik), Windows Phone/Mobile,
  //             BlackBerry, Symbian, KaiOS, Firefox OS, Tizen, ... and generic phones.
  //   "desktop" Windows, Mac OS X, Linux and its distributions, Chrome OS, the BSDs, Solaris.
  //   "other"   everything else, including the empty string.
  // iPadOS 13+ Safari sends a Mac OS X desktop UA by default, so it reports "desktop".
  std::string device_type;

  bool operator==(const UserAgentInfo&) const = default;
};

class UserAgentParser {
 public:
  static constexpr std::string_view kDefaultRegexesPath = "/usr/share/uap-core/regexes.yaml";
  static constexpr std::size_t kDefaultCacheEntries = 10000;
  // Longer strings are cut to this many bytes before parsing and caching: bounds both the regex
  // work per call and the memory per cache entry (real browsers send < 300 bytes).
  static constexpr std::size_t kMaxUserAgentBytes = 512;

  struct CacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };

  // Loads and compiles the regexes. NotFound if the file is missing or unreadable, Internal if it
  // is not a uap-core regexes file. Regexes RE2 cannot compile are skipped (counted in the debug
  // log), never fatal. `cache_entries` = 0 disables the cache (benchmarks, tests).
  static core::Result<std::shared_ptr<UserAgentParser>> Load(
      const std::string& path = std::string(kDefaultRegexesPath),
      std::size_t cache_entries = kDefaultCacheEntries);

  ~UserAgentParser();
  UserAgentParser(const UserAgentParser&) = delete;
  UserAgentParser& operator=(const UserAgentParser&) = delete;

  // Never fails: unknown parts are "Other" / "". Cached by the (truncated) string; thread-safe.
  UserAgentInfo Parse(std::string_view user_agent) const;

  // Number of regexes compiled and in use, over all three lists.
  std::size_t regex_count() const;
  CacheStats cache_stats() const;

 private:
  struct Rules;
  class Cache;

  UserAgentParser(std::unique_ptr<const Rules> rules, std::size_t cache_entries);
  UserAgentInfo ParseUncached(std::string_view user_agent) const;

  std::unique_ptr<const Rules> rules_;
  std::unique_ptr<Cache> cache_;  // null when caching is disabled
};

}  // namespace gatehouse::audit
