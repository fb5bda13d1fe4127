// What an API key may do: its scopes (grants, or seed 003's presets "read", "write", "admin"),
// and the permission set a key-authenticated request gets: the key's scopes intersected with
// its owner's current permissions, so an owner losing a node loses it on every key at once.
//
//   auto grants = ExpandScopes({"read", "company.fetch"});   // preset nodes + the grant
//   auto set = std::make_shared<IntersectionSet>(key_grants, owner_grants);
//   set->Grants("user.read");   // only when both hold it
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authz/matcher.hpp"
#include "core/error.hpp"
#include "core/principal.hpp"

namespace gatehouse::modules::apikeys {

// Seed 003's scope presets. A preset is a filter on its owner's permissions, not a grant of its
// own: a key's effective set is always (expanded scopes) ∩ (owner's permissions). When changing
// a list, also update docs/api.md ("API keys").
inline constexpr std::string_view kPresetRead = "read";
inline constexpr std::string_view kPresetWrite = "write";
inline constexpr std::string_view kPresetAdmin = "admin";

bool IsPreset(std::string_view scope);
// The grants a preset stands for (empty for anything else).
std::span<const char* const> PresetGrants(std::string_view preset);

// Presets replaced by their grants, other scopes kept; order kept, duplicates dropped.
std::vector<std::string> ExpandScopes(const std::vector<std::string>& scopes);

// 400 unless there is at least one scope, at most `max`, each a preset or a valid grant
// (authz::IsValidGrant); paths name the field and index.
core::Status ValidateScopes(const std::vector<std::string>& scopes, const char* field,
                            std::size_t max = 100);

// A key-authenticated caller's permissions: granted only when both sets grant.
class IntersectionSet final : public core::PermissionSet {
 public:
  IntersectionSet(std::shared_ptr<const core::PermissionSet> key,
                  std::shared_ptr<const core::PermissionSet> owner)
      : key_(std::move(key)), owner_(std::move(owner)) {}

  bool Grants(std::string_view node) const override {
    return key_ != nullptr && owner_ != nullptr && key_->Grants(node) && owner_->Grants(node);
  }
  bool CoversGrant(std::string_view grant) const override {
    return key_ != nullptr && owner_ != nullptr && key_->CoversGrant(grant) &&
           owner_->CoversGrant(grant);
  }

 private:
  std::shared_ptr<const core::PermissionSet> key_;
  std::shared_ptr<const core::PermissionSet> owner_;
};

// The no-escalation rule for giving `scopes` to a key owned by `owner_grants`'s holder, decided
// by `actor`. An explicit grant must be held by the owner (a key cannot exceed its owner) and by
// the actor (nobody hands out what they do not hold). A preset needs nothing from the owner (it
// only filters the owner's permissions) but every grant in it from the actor, unless the actor
// is the owner signed in as themselves (whose permissions the filter cannot exceed).
// `owner_grants` null skips the owner half (rotation re-issues scopes the owner was already
// checked for; the intersection applies whatever the owner holds today).
core::Status CheckScopesAllowed(const core::Principal& actor, const std::string& owner_id,
                                const core::PermissionSet* owner_grants,
                                const std::vector<std::string>& scopes);

}  // namespace gatehouse::modules::apikeys
