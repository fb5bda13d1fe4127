#include "authz/matcher.hpp"

namespace gatehouse::authz {
namespace {

bool IsSegmentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// "a.b.c": non-empty segments of [a-z0-9_], separated by single dots.
bool IsDottedPath(std::string_view text) {
  if (text.empty() || text.size() > 200) return false;
  bool segment_started = false;
  for (char c : text) {
    if (c == '.') {
      if (!segment_started) return false;
      segment_started = false;
    } else if (IsSegmentChar(c)) {
      segment_started = true;
    } else {
      return false;
    }
  }
  return segment_started;
}

}  // namespace

bool IsValidNode(std::string_view node) { return IsDottedPath(node); }

bool IsValidGrant(std::string_view grant) {
  if (!grant.empty() && grant.front() == '-') grant.remove_prefix(1);
  if (grant == "*") return true;
  if (grant.ends_with(".*")) grant.remove_suffix(2);
  return IsDottedPath(grant);
}

bool Covers(std::string_view held, std::string_view wanted) {
  if (held == "*") return true;
  if (held == wanted) return true;
  if (held.ends_with(".*")) {
    const std::string_view prefix = held.substr(0, held.size() - 1);  // keeps the dot
    return wanted.starts_with(prefix) && wanted.size() > prefix.size();
  }
  return false;
}

bool GrantSet::Rules::Match(std::string_view node) const {
  if (all) return true;
  if (!exact.empty() && exact.contains(std::string(node))) return true;
  if (prefixes.empty()) return false;
  // Try each dotted prefix of the node: "a.b.c" -> "a.", "a.b.".
  for (std::size_t dot = node.find('.'); dot != std::string_view::npos;
       dot = node.find('.', dot + 1)) {
    if (prefixes.contains(std::string(node.substr(0, dot + 1)))) return true;
  }
  return false;
}

GrantSet GrantSet::Compile(const std::vector<std::string>& grants) {
  GrantSet set;
  for (const auto& raw : grants) {
    if (!IsValidGrant(raw)) continue;
    std::string_view grant = raw;
    Rules& rules = grant.front() == '-' ? set.deny_ : set.allow_;
    if (grant.front() == '-') grant.remove_prefix(1);
    if (grant == "*") {
      rules.all = true;
    } else if (grant.ends_with(".*")) {
      rules.prefixes.emplace(grant.substr(0, grant.size() - 1));
    } else {
      rules.exact.emplace(grant);
    }
  }
  set.all_ = set.allow_.all;
  return set;
}

bool GrantSet::CoversGrant(std::string_view grant) const {
  if (!IsValidGrant(grant)) return false;
  // A negation takes "x" away from its holders when added and gives it back when removed;
  // either way, only someone holding all of "x" may decide it.
  if (grant.front() == '-') grant.remove_prefix(1);
  if (grant == "*") return allow_.all && deny_.exact.empty() && deny_.prefixes.empty() &&
                           !deny_.all;
  if (grant.ends_with(".*")) {
    const std::string_view prefix = grant.substr(0, grant.size() - 1);  // "a.b."
    if (deny_.all) return false;
    // A denial anywhere under the prefix means the holder does not have all of it.
    for (const auto& denied : deny_.exact) {
      if (denied.starts_with(prefix)) return false;
    }
    for (const auto& denied : deny_.prefixes) {
      if (denied.starts_with(prefix) || prefix.starts_with(denied)) return false;
    }
    if (allow_.all) return true;
    for (std::size_t dot = prefix.find('.'); dot != std::string_view::npos;
         dot = prefix.find('.', dot + 1)) {
      if (allow_.prefixes.contains(std::string(prefix.substr(0, dot + 1)))) return true;
    }
    return false;
  }
  return Grants(grant);
}

bool GrantSet::Grants(std::string_view node) const {
  if (deny_.Match(node)) return false;
  return allow_.Match(node);
}

}  // namespace gatehouse::authz
