#include "modules/roles/service.hpp"

#include <algorithm>
#include <set>

#include <boost/json/array.hpp>

#include "audit/event_types.hpp"
#include "authz/matcher.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace gatehouse::modules::roles {
namespace {

constexpr const char* kSuperAdmin = "role_super_admin";

core::Error RoleNotFound(const std::string& identifier) {
  return core::NotFound("Role with identifier '" + identifier + "' was not found.",
                        "RoleNotFound");
}

// Every grant added or taken away must be one the actor could hand out.
core::Status CheckNoEscalation(const core::Principal& actor, const std::set<std::string>& before,
                               const std::set<std::string>& after) {
  for (const auto& grant : after) {
    if (!before.contains(grant) && !actor.CanGrant(grant)) {
      return core::PermissionDenied("You cannot grant permissions you do not hold: " + grant);
    }
  }
  for (const auto& grant : before) {
    if (!after.contains(grant) && !actor.CanGrant(grant)) {
      return core::PermissionDenied("You cannot remove permissions you do not hold: " + grant);
    }
  }
  return {};
}


std::vector<std::string> HolderIds(const std::vector<RoleHolder>& holders) {
  std::vector<std::string> ids;
  ids.reserve(holders.size());
  for (const auto& h : holders) ids.push_back(h.id);
  return ids;
}

}  // namespace

core::Status ValidateMoniker(std::string_view moniker) {
  const bool ok = moniker.size() >= 2 && moniker.size() <= 50 &&
                  std::all_of(moniker.begin(), moniker.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                  });
  if (!ok) return core::Validation({{{"moniker"}, "Must be 2 to 50 characters of a-z, 0-9 or _"}});
  return {};
}

core::Status ValidateGrants(const std::vector<std::string>& grants, const char* field) {
  std::vector<core::FieldError> problems;
  for (std::size_t i = 0; i < grants.size(); ++i) {
    if (!authz::IsValidGrant(grants[i])) {
      problems.push_back({{field, std::to_string(i)}, "Invalid permission node '" + grants[i] + "'"});
    }
  }
  if (!problems.empty()) return core::Validation(std::move(problems));
  return {};
}

RoleService::RoleService(store::Database& db, const core::Clock& clock, users::UserService& users,
                         const audit::Recorder& recorder)
    : db_(db), clock_(clock), users_(users), recorder_(recorder) {}

core::Result<Role> RoleService::Create(const core::Principal& actor, const RoleInput& input,
                                       const core::RequestMeta& meta) {
  if (auto s = ValidateMoniker(*input.moniker); !s) return s.error();
  const std::vector<std::string> grants = input.permissions.value_or(std::vector<std::string>{});
  if (auto s = ValidateGrants(grants, "permissions"); !s) return s.error();
  std::set<std::string> after(grants.begin(), grants.end());
  if (auto s = CheckNoEscalation(actor, {}, after); !s) return s.error();

  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  Role role;
  role.id = core::NewUuidV7();
  role.title = *input.title;
  role.moniker = *input.moniker;
  role.permissions.assign(after.begin(), after.end());
  role.created_at = now;
  role.updated_at = now;
  auto created = db_.Write([&](soci::session& s) -> core::Result<Role> {
    if (repo::FindRoleByMoniker(s, role.moniker)) {
      return core::AlreadyExists("A role with moniker '" + role.moniker + "' already exists.",
                                 "RoleAlreadyExists");
    }
    repo::InsertRole(s, role);
    recorder_.Record(s, meta, {.event_type = audit::types::kRoleCreated,
                               .user_id = actor.user_id,
                               .resource_type = "role",
                               .resource_id = role.id,
                               .metadata = {{"moniker", role.moniker},
                                            {"permissions", core::JsonStrings(role.permissions)}}});
    return role;
  });
  if (!created && created.error().code == core::ErrorCode::kAlreadyExists) {
    return core::AlreadyExists("A role with moniker '" + role.moniker + "' already exists.",
                               "RoleAlreadyExists");
  }
  return created;
}

core::Result<Role> RoleService::Get(const std::string& identifier) {
  auto role = db_.Read([&](soci::session& s) -> core::Result<std::optional<Role>> {
    return repo::FindRole(s, identifier);
  });
  if (!role) return role.error();
  if (!role->has_value()) return RoleNotFound(identifier);
  return std::move(**role);
}

core::Result<std::vector<Role>> RoleService::List() {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<Role>> {
    return repo::ListRoles(s);
  });
}

core::Result<Role> RoleService::Replace(
    const core::Principal& actor, const std::string& identifier,
    const std::function<std::vector<std::string>(const Role&)>& next, const RoleInput* rename,
    const core::RequestMeta& meta) {
  std::vector<std::string> holders;
  bool grants_changed = false;
  auto updated = db_.Write([&](soci::session& s) -> core::Result<Role> {
    auto found = repo::FindRole(s, identifier);
    if (!found) return RoleNotFound(identifier);
    Role role = std::move(*found);
    // The role that holds everything may only be touched by someone who holds everything.
    if (role.id == kSuperAdmin && !actor.CanGrant("*")) {
      return core::PermissionDenied("Only a holder of '*' can change the super admin role.");
    }
    const std::set<std::string> before(role.permissions.begin(), role.permissions.end());
    const std::vector<std::string> wanted = next(role);
    const std::set<std::string> after(wanted.begin(), wanted.end());
    if (role.id == kSuperAdmin && !after.contains("*")) {
      return core::FailedPrecondition("The super admin role must keep '*'.", "BuiltInRole");
    }
    if (auto s2 = CheckNoEscalation(actor, before, after); !s2) return s2.error();
    if (rename != nullptr) {
      if (rename->title) role.title = *rename->title;
      if (rename->moniker && *rename->moniker != role.moniker) {
        if (repo::FindRoleByMoniker(s, *rename->moniker)) {
          return core::AlreadyExists("A role with moniker '" + *rename->moniker +
                                         "' already exists.",
                                     "RoleAlreadyExists");
        }
        role.moniker = *rename->moniker;
      }
    }
    grants_changed = before != after;
    role.permissions.assign(after.begin(), after.end());
    role.updated_at = core::ToUnixMillis(clock_.Now());
    repo::UpdateRole(s, role);
    if (grants_changed) holders = HolderIds(repo::HoldersOf(s, role.id));
    boost::json::array added, removed;
    for (const auto& g : after) {
      if (!before.contains(g)) added.emplace_back(g);
    }
    for (const auto& g : before) {
      if (!after.contains(g)) removed.emplace_back(g);
    }
    recorder_.Record(s, meta, {.event_type = audit::types::kRoleUpdated,
                               .user_id = actor.user_id,
                               .resource_type = "role",
                               .resource_id = role.id,
                               .metadata = {{"moniker", role.moniker},
                                            {"added", std::move(added)},
                                            {"removed", std::move(removed)},
                                            {"holders", static_cast<std::int64_t>(holders.size())}}});
    return role;
  });
  if (updated) {
    // Monikers appear in cached user objects too, so any change drops the caches.
    users_.InvalidateAll();
    if (grants_changed) Changed(updated->id, holders);
  }
  return updated;
}

core::Result<Role> RoleService::Update(const core::Principal& actor, const std::string& identifier,
                                       const RoleInput& input, const core::RequestMeta& meta) {
  if (input.moniker) {
    if (auto s = ValidateMoniker(*input.moniker); !s) return s.error();
  }
  if (input.permissions) {
    if (auto s = ValidateGrants(*input.permissions, "permissions"); !s) return s.error();
  }
  return Replace(
      actor, identifier,
      [&](const Role& role) { return input.permissions.value_or(role.permissions); }, &input,
      meta);
}

core::Result<Role> RoleService::AddPermissions(const core::Principal& actor,
                                               const std::string& identifier,
                                               const std::vector<std::string>& permissions,
                                               const core::RequestMeta& meta) {
  if (auto s = ValidateGrants(permissions, "permissions"); !s) return s.error();
  return Replace(
      actor, identifier,
      [&](const Role& role) {
        std::vector<std::string> merged = role.permissions;
        merged.insert(merged.end(), permissions.begin(), permissions.end());
        return merged;
      },
      nullptr, meta);
}

core::Result<Role> RoleService::RemovePermissions(const core::Principal& actor,
                                                  const std::string& identifier,
                                                  const std::vector<std::string>& permissions,
                                                  const core::RequestMeta& meta) {
  if (auto s = ValidateGrants(permissions, "permissions"); !s) return s.error();
  return Replace(
      actor, identifier,
      [&](const Role& role) {
        std::vector<std::string> kept;
        for (const auto& grant : role.permissions) {
          if (std::find(permissions.begin(), permissions.end(), grant) == permissions.end()) {
            kept.push_back(grant);
          }
        }
        return kept;
      },
      nullptr, meta);
}

core::Result<Role> RoleService::Delete(const core::Principal& actor,
                                       const std::string& identifier,
                                       const core::RequestMeta& meta) {
  std::vector<std::string> holders;
  auto deleted = db_.Write([&](soci::session& s) -> core::Result<Role> {
    auto found = repo::FindRole(s, identifier);
    if (!found) return RoleNotFound(identifier);
    if (found->built_in) {
      return core::FailedPrecondition("Built-in roles cannot be deleted.", "BuiltInRole");
    }
    const std::set<std::string> before(found->permissions.begin(), found->permissions.end());
    if (auto s2 = CheckNoEscalation(actor, before, {}); !s2) return s2.error();
    holders = HolderIds(repo::HoldersOf(s, found->id));
    repo::DeleteRole(s, found->id);
    recorder_.Record(s, meta, {.event_type = audit::types::kRoleDeleted,
                               .user_id = actor.user_id,
                               .resource_type = "role",
                               .resource_id = found->id,
                               .metadata = {{"moniker", found->moniker},
                                            {"holders", static_cast<std::int64_t>(holders.size())}}});
    return std::move(*found);
  });
  if (deleted) {
    users_.InvalidateAll();
    Changed(deleted->id, holders);
  }
  return deleted;
}

core::Result<std::vector<RoleHolder>> RoleService::Holders(const std::string& identifier) {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<RoleHolder>> {
    auto role = repo::FindRole(s, identifier);
    if (!role) return RoleNotFound(identifier);
    return repo::HoldersOf(s, role->id);
  });
}

void RoleService::OnChange(ChangeListener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.push_back(std::move(listener));
}

void RoleService::Changed(const std::string& role_id, const std::vector<std::string>& holders) {
  std::vector<ChangeListener> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(role_id, holders);
}

}  // namespace gatehouse::modules::roles
