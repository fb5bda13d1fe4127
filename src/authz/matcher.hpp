// Permission nodes and the matcher: exact nodes, "*", prefix wildcards ("company.*") and
// negated grants ("-credential.delete") that override positive ones.
//
//   auto set = GrantSet::Compile({"company.*", "-company.delete"});
//   set.Grants("company.fetch.address");   // true
//   set.Grants("company.delete");          // false
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/principal.hpp"

namespace gatehouse::authz {

// A grant as stored on a role, user or key: "*", "a.b", "a.b.*", optionally with a leading
// "-". Segments are lower-case [a-z0-9_]+. Anything else ("ROOT", "*.", "a..b") is invalid.
bool IsValidGrant(std::string_view grant);
// A node a route checks: "a.b" — no wildcard, no negation.
bool IsValidNode(std::string_view node);

// True when holding `held` (a positive grant) includes everything `wanted` would grant:
// "*" covers all; "a.*" covers "a.b" and "a.b.*"; a node covers itself.
bool Covers(std::string_view held, std::string_view wanted);

class GrantSet final : public core::PermissionSet {
 public:
  GrantSet() = default;
  // Invalid grants are ignored here; they are rejected with 400 where they are written.
  static GrantSet Compile(const std::vector<std::string>& grants);

  bool Grants(std::string_view node) const override;
  bool CoversGrant(std::string_view grant) const override;
  bool HasWildcardAll() const { return all_; }

 private:
  struct Rules {
    bool all = false;
    std::unordered_set<std::string> exact;
    std::unordered_set<std::string> prefixes;  // "company." for "company.*"
    bool Match(std::string_view node) const;
  };
  bool all_ = false;
  Rules allow_;
  Rules deny_;
};

}  // namespace gatehouse::authz
