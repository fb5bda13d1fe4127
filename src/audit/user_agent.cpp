#include "audit/user_agent.hpp"

#include <re2/re2.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <fstream>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace gatehouse::audit {
namespace {

// $0..$9: uap-core replacements only ever address $1..$9.
constexpr int kMaxGroups = 10;
constexpr std::string_view kOther = "Other";

// One regex of one list and its optional replacement templates. Which template feeds which
// field, and which capture group a field falls back to, depends on the list (see below).
struct Rule {
  std::unique_ptr<RE2> regex;
  int groups = 1;  // capture groups to extract, including $0, capped at kMaxGroups
  std::array<std::optional<std::string>, 5> replacements;
};

using Groups = std::array<re2::StringPiece, kMaxGroups>;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Expands $1..$9 in a replacement; a group that did not take part in the match expands to
// nothing (as the uap reference implementation does), and the result is trimmed because
// templates such as '$1 $2' leave stray spaces when $2 is empty.
std::string Expand(std::string_view pattern, const Groups& groups, int group_count) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '$' && i + 1 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      const int index = pattern[i + 1] - '0';
      if (index < group_count && groups[index].data() != nullptr) {
        out.append(groups[index].data(), groups[index].size());
      }
      ++i;
    } else {
      out.push_back(c);
    }
  }
  return std::string(Trim(out));
}

// A field is its replacement (expanded) when the rule has one, else capture group
// `default_group` (0 = no default).
std::string Field(const Rule& rule, const Groups& groups, int field, int default_group) {
  if (rule.replacements[field]) return Expand(*rule.replacements[field], groups, rule.groups);
  if (default_group <= 0 || default_group >= rule.groups) return {};
  const re2::StringPiece& group = groups[default_group];
  if (group.data() == nullptr) return {};
  return std::string(Trim(std::string_view(group.data(), group.size())));
}

// First matching rule wins (uap-core's rule); null when none matches.
const Rule* FirstMatch(const std::vector<Rule>& rules, std::string_view text, Groups& groups) {
  const re2::StringPiece input(text.data(), text.size());
  for (const Rule& rule : rules) {
    if (rule.regex->Match(input, 0, input.size(), RE2::UNANCHORED, groups.data(), rule.groups)) {
      return &rule;
    }
  }
  return nullptr;
}

// "120" + "0" + "6099" -> "120.0.6099"; stops at the first missing part so a minor version is
// never shown without its major.
std::string JoinVersion(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) break;
    if (!out.empty()) out.push_back('.');
    out += part;
  }
  return out;
}

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

bool ContainsAny(std::string_view text, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view needle) { return Contains(text, needle); });
}

bool IsOneOf(std::string_view value, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The rules are documented on UserAgentInfo::device_type; keep the two in step.
std::string DeriveDeviceType(std::string_view ua, const UserAgentInfo& info) {
  const std::string& os = info.os_name;
  const std::string& device = info.device_family;

  // uap-core tags crawlers as device "Spider"; a few crawler families only show in the browser
  // family (e.g. when a bot claims an iPhone, the device list may say "iPhone").
  const std::string family = Lower(info.browser_name);
  if (device == "Spider" ||
      ContainsAny(family, {"bot", "crawler", "spider", "slurp", "headless"})) {
    return "bot";
  }

  if (IsOneOf(os, {"GoogleTV", "Roku", "tvOS", "ATV OS X", "Chromecast", "WatchOS", "FireHbbTV",
                   "WebTV", "Web0S"}) ||
      device.starts_with("AFT") ||  // Fire TV models: AFTMM, AFTS, ...
      ContainsAny(ua, {"SmartTV", "SMART-TV", "Smart-TV", "SmartTv", "HbbTV", "GoogleTV",
                       "Android TV", "AndroidTV", "BRAVIA", "CrKey", "PlayStation",
                       "PLAYSTATION", "Nintendo", "Xbox"})) {
    return "other";
  }

  if (device == "iPad" || device == "Generic Tablet" || device.starts_with("Kindle") ||
      IsOneOf(os, {"BlackBerry Tablet OS", "Kindle", "WeTab"}) ||
      ContainsAny(ua, {"PlayBook", "Silk/", "; Tablet;", "Opera Tablet"})) {
    return "tablet";
  }
  // Android browsers put "Mobile" in phone UAs only. Apps (Dalvik, okhttp) never do, so the
  // rule is limited to browser-shaped strings and other Android clients count as phones.
  if (os == "Android" && Contains(ua, "Mozilla/") && !Contains(ua, "Mobile")) return "tablet";

  if (IsOneOf(device, {"iPhone", "iPod", "iPod touch", "Generic Smartphone",
                       "Generic Feature Phone"}) ||
      IsOneOf(os, {"iOS", "Android", "Windows Phone", "Windows Mobile", "Windows CE",
                   "BlackBerry OS", "Symbian OS", "Symbian^3", "Symbian^3 Anna",
                   "Symbian^3 Belle", "Nokia Series 40", "Nokia Series 30 Plus", "Firefox OS",
                   "KaiOS", "Tizen", "Sailfish", "webOS", "Bada", "MeeGo", "Maemo", "Brew MP",
                   "BREW", "VRE", "Ubuntu Touch"})) {
    return "mobile";
  }

  if (os == "Windows" || os.starts_with("Windows ") || os.starts_with("Mac OS") ||
      Contains(os, "Linux") || Contains(os, "BSD") ||
      IsOneOf(os, {"Ubuntu", "Kubuntu", "Xubuntu", "Lubuntu", "Debian", "Fedora", "Red Hat",
                   "Gentoo", "Mandriva", "Mageia", "Slackware", "SUSE", "openSUSE", "CentOS",
                   "Chrome OS", "Solaris", "SerenityOS", "Haiku", "BeOS"})) {
    return "desktop";
  }
  return "other";
}

// Cuts at kMaxUserAgentBytes without splitting a UTF-8 sequence.
std::string_view Truncate(std::string_view ua) {
  if (ua.size() <= UserAgentParser::kMaxUserAgentBytes) return ua;
  std::size_t cut = UserAgentParser::kMaxUserAgentBytes;
  while (cut > 0 && (static_cast<unsigned char>(ua[cut]) & 0xC0) == 0x80) --cut;
  return ua.substr(0, cut);
}

UserAgentInfo UnknownAgent() {
  return UserAgentInfo{.browser_name = std::string(kOther),
                       .browser_version = {},
                       .os_name = std::string(kOther),
                       .os_version = {},
                       .device_family = std::string(kOther),
                       .device_type = "other"};
}

std::optional<std::string> ScalarOrNull(const YAML::Node& entry, const char* key) {
  const YAML::Node value = entry[key];
  if (!value || !value.IsScalar()) return std::nullopt;
  return value.Scalar();
}

struct ListStats {
  std::size_t compiled = 0;
  std::size_t skipped = 0;
};

// Compiles one of the three lists. `replacement_keys` are in field order; a regex RE2 rejects
// (none in uap-core 0.16, but the data set evolves) is skipped rather than failing start-up.
std::vector<Rule> CompileList(const YAML::Node& list,
                              std::initializer_list<const char*> replacement_keys,
                              ListStats& stats) {
  std::vector<Rule> rules;
  if (!list || !list.IsSequence()) return rules;
  rules.reserve(list.size());
  for (const YAML::Node& entry : list) {
    const std::optional<std::string> pattern = ScalarOrNull(entry, "regex");
    if (!pattern) {
      ++stats.skipped;
      continue;
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(ScalarOrNull(entry, "regex_flag").value_or("") != "i");
    auto regex = std::make_unique<RE2>(*pattern, options);
    if (!regex->ok()) {
      spdlog::debug("uap-core: skipping regex RE2 cannot compile ({}): {}", regex->error(),
                    *pattern);
      ++stats.skipped;
      continue;
    }
    Rule rule;
    rule.groups = std::min(regex->NumberOfCapturingGroups() + 1, kMaxGroups);
    rule.regex = std::move(regex);
    std::size_t field = 0;
    for (const char* key : replacement_keys) rule.replacements[field++] = ScalarOrNull(entry, key);
    rules.push_back(std::move(rule));
    ++stats.compiled;
  }
  return rules;
}

}  // namespace

struct UserAgentParser::Rules {
  std::vector<Rule> user_agent;  // fields: family, v1, v2, v3
  std::vector<Rule> os;          // fields: os, v1, v2, v3, v4
  std::vector<Rule> device;      // fields: device, brand, model
  std::size_t count = 0;
};

// Sharded LRU: a lookup locks one of up to 16 shards, so 8 request threads rarely contend.
// Each shard's index holds string_views into the keys its list nodes own (list nodes never
// move), so a hit costs one hash and no allocation for the key.
class UserAgentParser::Cache {
 public:
  explicit Cache(std::size_t capacity)
      : shard_count_(std::min<std::size_t>(kMaxShards, capacity)),
        shards_(std::make_unique<Shard[]>(shard_count_)) {
    for (std::size_t i = 0; i < shard_count_; ++i) {
      shards_[i].capacity = capacity / shard_count_ + (i < capacity % shard_count_ ? 1 : 0);
    }
  }

  std::optional<UserAgentInfo> Find(std::string_view key) {
    Shard& shard = ShardFor(key);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.index.find(key);
    if (it == shard.index.end()) {
      ++shard.misses;
      return std::nullopt;
    }
    ++shard.hits;
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return it->second->value;
  }

  void Insert(std::string_view key, const UserAgentInfo& value) {
    Shard& shard = ShardFor(key);
    std::lock_guard lock(shard.mutex);
    if (shard.index.contains(key)) return;  // another thread parsed the same string meanwhile
    shard.lru.push_front(Entry{std::string(key), value});
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
    if (shard.lru.size() > shard.capacity) {
      shard.index.erase(shard.lru.back().key);
      shard.lru.pop_back();
    }
  }

  CacheStats Stats() const {
    CacheStats stats;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      std::lock_guard lock(shards_[i].mutex);
      stats.hits += shards_[i].hits;
      stats.misses += shards_[i].misses;
      stats.entries += shards_[i].lru.size();
    }
    return stats;
  }

 private:
  static constexpr std::size_t kMaxShards = 16;

  struct Entry {
    std::string key;
    UserAgentInfo value;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // front = most recently used
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;
    std::size_t capacity = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };

  Shard& ShardFor(std::string_view key) {
    // High bits: the shard's own map buckets on the same hash's low bits.
    return shards_[(std::hash<std::string_view>{}(key) >> 32) % shard_count_];
  }

  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

core::Result<std::shared_ptr<UserAgentParser>> UserAgentParser::Load(const std::string& path,
                                                                      std::size_t cache_entries) {
  const auto started = std::chrono::steady_clock::now();
  // Checked up front so a missing file is NotFound, not a parse error.
  std::ifstream probe(path);
  if (!probe) {
    return core::NotFound("User-agent data is not available", "UserAgentDataMissing");
  }
  probe.close();

  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return core::Internal("uap-core regexes file " + path + " is not valid YAML: " + e.what());
  }
  if (!root.IsMap() || !root["user_agent_parsers"]) {
    return core::Internal("uap-core regexes file " + path + " has no user_agent_parsers list");
  }

  auto rules = std::make_unique<Rules>();
  ListStats stats;
  try {
    rules->user_agent = CompileList(root["user_agent_parsers"],
                                    {"family_replacement", "v1_replacement", "v2_replacement",
                                     "v3_replacement"},
                                    stats);
    rules->os = CompileList(root["os_parsers"],
                            {"os_replacement", "os_v1_replacement", "os_v2_replacement",
                             "os_v3_replacement", "os_v4_replacement"},
                            stats);
    rules->device = CompileList(
        root["device_parsers"], {"device_replacement", "brand_replacement", "model_replacement"},
        stats);
  } catch (const YAML::Exception& e) {
    return core::Internal("uap-core regexes file " + path + " is malformed: " + e.what());
  }
  rules->count = stats.compiled;

  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::debug("uap-core: compiled {} regexes from {} in {} ms, skipped {}", stats.compiled,
                path, elapsed.count(), stats.skipped);
  return std::shared_ptr<UserAgentParser>(new UserAgentParser(std::move(rules), cache_entries));
}

UserAgentParser::UserAgentParser(std::unique_ptr<const Rules> rules, std::size_t cache_entries)
    : rules_(std::move(rules)),
      cache_(cache_entries > 0 ? std::make_unique<Cache>(cache_entries) : nullptr) {}

UserAgentParser::~UserAgentParser() = default;

std::size_t UserAgentParser::regex_count() const { return rules_->count; }

UserAgentParser::CacheStats UserAgentParser::cache_stats() const {
  return cache_ ? cache_->Stats() : CacheStats{};
}

UserAgentInfo UserAgentParser::Parse(std::string_view user_agent) const {
  const std::string_view ua = Truncate(user_agent);
  if (Trim(ua).empty()) return UnknownAgent();
  if (!cache_) return ParseUncached(ua);
  if (std::optional<UserAgentInfo> hit = cache_->Find(ua)) return *std::move(hit);
  UserAgentInfo info = ParseUncached(ua);
  cache_->Insert(ua, info);
  return info;
}

UserAgentInfo UserAgentParser::ParseUncached(std::string_view ua) const {
  UserAgentInfo info = UnknownAgent();
  Groups groups;

  if (const Rule* rule = FirstMatch(rules_->user_agent, ua, groups)) {
    std::string family = Field(*rule, groups, 0, 1);
    if (!family.empty()) info.browser_name = std::move(family);
    info.browser_version = JoinVersion(
        {Field(*rule, groups, 1, 2), Field(*rule, groups, 2, 3), Field(*rule, groups, 3, 4)});
  }

  if (const Rule* rule = FirstMatch(rules_->os, ua, groups)) {
    std::string family = Field(*rule, groups, 0, 1);
    if (!family.empty()) info.os_name = std::move(family);
    info.os_version =
        JoinVersion({Field(*rule, groups, 1, 2), Field(*rule, groups, 2, 3),
                     Field(*rule, groups, 3, 4), Field(*rule, groups, 4, 5)});
  }

  // Brand and model are not part of UserAgentInfo; only the family is read.
  if (const Rule* rule = FirstMatch(rules_->device, ua, groups)) {
    std::string family = Field(*rule, groups, 0, 1);
    if (!family.empty()) info.device_family = std::move(family);
  }

  info.device_type = DeriveDeviceType(ua, info);
  return info;
}

}  // namespace gatehouse::audit
