#include "modules/apikeys/scopes.hpp"

#include <algorithm>
#include <set>

namespace gatehouse::modules::apikeys {
namespace {

// "write" is "read" plus the grants after kReadCount: one list, so the presets cannot drift.
// Reading what a caller owns or may see, without changing anything:
constexpr const char* kReadThenWrite[] = {
    "user.read",
    "user.search",
    "session.read",
    "role.read",
    "apikey.read",
    "audit.read",
    "company.fetch",
    "company.fetch.many",
    "credential.fetch",
    "credential.fetch.many",
    "credential_type.fetch",
    "credential_type.fetch.many",
    // ...and creating, changing and deleting the caller's own things and ordinary records:
    "user.write",
    "session.revoke",
    "apikey.create",
    "apikey.revoke",
    "company.create",
    "company.update",
    "company.delete",
    "credential.create",
    "credential.update",
    "credential.delete",
    "credential_type.create",
    "credential_type.update",
    "credential_type.delete",
};
constexpr std::size_t kReadCount = 12;

// The built-in Admin role's grants (migration 0002's role_admin).
constexpr const char* kAdmin[] = {
    "user.*",   "session.*", "role.read",    "role.list",         "audit.*",
    "apikey.*", "company.*", "credential.*", "credential_type.*",
};

}  // namespace

bool IsPreset(std::string_view scope) {
  return scope == kPresetRead || scope == kPresetWrite || scope == kPresetAdmin;
}

std::span<const char* const> PresetGrants(std::string_view preset) {
  if (preset == kPresetRead) return std::span<const char* const>(kReadThenWrite, kReadCount);
  if (preset == kPresetWrite) return kReadThenWrite;
  if (preset == kPresetAdmin) return kAdmin;
  return {};
}

std::vector<std::string> ExpandScopes(const std::vector<std::string>& scopes) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  auto add = [&](std::string_view grant) {
    if (seen.emplace(grant).second) out.emplace_back(grant);
  };
  for (const auto& scope : scopes) {
    if (IsPreset(scope)) {
      for (const char* grant : PresetGrants(scope)) add(grant);
    } else {
      add(scope);
    }
  }
  return out;
}

core::Status ValidateScopes(const std::vector<std::string>& scopes, const char* field,
                            std::size_t max) {
  if (scopes.empty()) return core::Validation({{{field}, "Must not be empty"}});
  if (scopes.size() > max) {
    return core::Validation({{{field}, "At most " + std::to_string(max) + " scopes"}});
  }
  std::vector<core::FieldError> problems;
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    if (!IsPreset(scopes[i]) && !authz::IsValidGrant(scopes[i])) {
      problems.push_back(
          {{field, std::to_string(i)},
           "Invalid scope '" + scopes[i] + "': a permission node or one of read, write, admin"});
    }
  }
  if (!problems.empty()) return core::Validation(std::move(problems));
  return {};
}

core::Status CheckScopesAllowed(const core::Principal& actor, const std::string& owner_id,
                                const core::PermissionSet* owner_grants,
                                const std::vector<std::string>& scopes) {
  const bool owner_as_self =
      actor.kind == core::Principal::Kind::kUser && actor.user_id == owner_id;
  for (const auto& scope : scopes) {
    if (IsPreset(scope)) {
      if (owner_as_self) continue;
      for (const char* grant : PresetGrants(scope)) {
        if (!actor.CanGrant(grant)) {
          return core::PermissionDenied("You cannot grant permissions you do not hold: " +
                                        std::string(grant) + " (in preset " + scope + ")");
        }
      }
      continue;
    }
    if (owner_grants != nullptr && !owner_grants->CoversGrant(scope)) {
      return core::PermissionDenied("The key's owner does not hold this permission: " + scope);
    }
    if (!actor.CanGrant(scope)) {
      return core::PermissionDenied("You cannot grant permissions you do not hold: " + scope);
    }
  }
  return {};
}

}  // namespace gatehouse::modules::apikeys
