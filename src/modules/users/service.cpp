#include "modules/users/service.hpp"

#include <algorithm>
#include <set>

#include <boost/json/array.hpp>

#include "audit/event_types.hpp"
#include "authz/nodes.hpp"
#include "core/ids.hpp"
#include "modules/users/repo.hpp"

namespace gatehouse::modules::users {
namespace {

core::Error UserNotFound(const std::string& identifier) {
  return core::NotFound("User with identifier '" + identifier + "' was not found.",
                        "UserNotFound");
}

core::Error LastSuperAdmin() {
  return core::FailedPrecondition("The last super admin cannot be removed, banned or deleted.",
                                  "LastSuperAdmin");
}

// Managing another user (roles, nodes, ban, delete) needs every power they have: an admin
// cannot demote, ban or fence in someone who holds more than they do.
core::Status CheckOutranks(const core::Principal& actor, const User& target) {
  if (actor.kind == core::Principal::Kind::kRoot) return {};
  const auto profile = BuildAccessProfile(target);
  for (const auto& grant : profile->effective) {
    if (!grant.starts_with("-") && !actor.CanGrant(grant)) {
      return core::PermissionDenied(
          "You cannot manage a user who holds permissions you do not hold.");
    }
  }
  return {};
}

// Names of the profile fields an update touches (never their values).
boost::json::array ChangedFields(const UserUpdate& update) {
  boost::json::array fields;
  if (update.name) fields.emplace_back("name");
  if (update.image) fields.emplace_back("image");
  return fields;
}

bool HasRole(const User& user, std::string_view role_id) {
  return std::any_of(user.roles.begin(), user.roles.end(),
                     [&](const RoleRef& r) { return r.id == role_id; });
}

}  // namespace

std::shared_ptr<const AccessProfile> BuildAccessProfile(const User& user) {
  auto profile = std::make_shared<AccessProfile>();
  profile->status = user.status;
  std::set<std::string> effective(user.permissions.begin(), user.permissions.end());
  for (const auto& role : user.roles) {
    profile->role_ids.push_back(role.id);
    profile->role_titles.push_back(role.title);
    effective.insert(role.permissions.begin(), role.permissions.end());
  }
  profile->effective.assign(effective.begin(), effective.end());
  auto grants = std::make_shared<authz::GrantSet>(authz::GrantSet::Compile(profile->effective));
  profile->is_super_admin = grants->HasWildcardAll();
  profile->grants = std::move(grants);
  return profile;
}

UserService::UserService(store::Database& db, const core::Clock& clock,
                         sessions::SessionService& sessions, events::Bus& bus,
                         const audit::Recorder& recorder)
    : db_(db), clock_(clock), sessions_(sessions), bus_(bus), recorder_(recorder) {
  bus_.Subscribe("user.changed", [this](const events::Event& event) {
    const auto* id = event.data.if_contains("id");
    DropCached(id != nullptr && id->is_string() ? std::string(id->as_string()) : std::string());
  });
  bus_.OnResync([this] { DropCached(""); });
}

core::Result<User> UserService::Resolve(soci::session& s, const std::string& identifier) {
  std::optional<User> user;
  if (core::IsUuid(identifier)) user = repo::FindUserById(s, identifier);
  if (!user) {
    const std::string normalized = NormalizeIdentifier(identifier);
    user = identifier.find('@') != std::string::npos ? repo::FindUserByEmail(s, normalized)
                                                     : repo::FindUserByLogin(s, normalized);
  }
  if (!user || user->status == UserStatus::kDeleted) return UserNotFound(identifier);
  return std::move(*user);
}

core::Result<User> UserService::Get(const std::string& id) {
  auto cached = Load(id);
  if (!cached) return cached.error();
  if (cached->user->status == UserStatus::kDeleted) return UserNotFound(id);
  return *cached->user;
}

core::Result<User> UserService::FindByIdentifier(const std::string& identifier) {
  return db_.Read([&](soci::session& s) { return Resolve(s, identifier); });
}

core::Result<std::optional<User>> UserService::FindForLogin(const std::string& identifier) {
  const std::string normalized = NormalizeIdentifier(identifier);
  return db_.Read([&](soci::session& s) -> core::Result<std::optional<User>> {
    if (normalized.find('@') != std::string::npos) return repo::FindUserByEmail(s, normalized);
    return repo::FindUserByLogin(s, normalized);
  });
}

core::Result<UserPage> UserService::List(const std::string& search, int page, int per_page) {
  return db_.Read([&](soci::session& s) -> core::Result<UserPage> {
    UserPage out;
    out.total = repo::CountUsers(s, search);
    out.users = repo::ListUsers(s, search, per_page, (page - 1) * per_page);
    return out;
  });
}

core::Result<std::vector<PlatformAccount>> UserService::Accounts(const std::string& user_id) {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<PlatformAccount>> {
    return repo::AccountsOfUser(s, user_id);
  });
}

core::Result<User> UserService::CreateIn(soci::session& tx, NewUser input) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  User user;
  user.id = core::NewUuidV7();
  user.email = NormalizeIdentifier(input.email);
  if (input.login) user.login = NormalizeIdentifier(*input.login);
  user.name = input.name;
  user.password_hash = input.password_hash;
  user.created_at = now;
  user.updated_at = now;

  // Checked first so the client gets a precise error; the UNIQUE constraints still decide races.
  if (repo::FindUserByEmail(tx, user.email)) {
    return core::AlreadyExists("A user with this email already exists.", "UserAlreadyExists");
  }
  if (user.login && repo::FindUserByLogin(tx, *user.login)) {
    return core::AlreadyExists("A user with this login already exists.", "UserAlreadyExists");
  }
  repo::InsertUser(tx, user);
  PlatformAccount account;
  account.id = core::NewUuidV7();
  account.user_id = user.id;
  account.platform_slug = "email";
  account.platform_id = user.email;
  account.username = user.login.value_or(user.email);
  account.email = user.email;
  account.is_primary = true;
  account.created_at = now;
  repo::InsertAccount(tx, account);
  repo::ReplaceUserRoles(tx, user.id, input.role_ids, now);
  user.roles = repo::RolesOfUser(tx, user.id);
  return user;
}

core::Result<User> UserService::UpdateSelf(const std::string& id, const UserUpdate& update,
                                           const core::RequestMeta& meta) {
  auto updated = db_.Write([&](soci::session& s) -> core::Result<User> {
    auto user = repo::FindUserById(s, id);
    if (!user || user->status == UserStatus::kDeleted) return UserNotFound(id);
    if (update.name) user->name = *update.name;
    if (update.image) user->image = *update.image;
    user->updated_at = core::ToUnixMillis(clock_.Now());
    repo::UpdateProfile(s, *user);
    recorder_.Record(s, meta,
                     {.event_type = audit::types::kUserUpdated,
                      .user_id = id,
                      .resource_type = "user",
                      .resource_id = id,
                      .metadata = {{"fields", ChangedFields(update)}}});
    return std::move(*user);
  });
  if (updated) Invalidate(id);
  return updated;
}

core::Result<User> UserService::Update(const core::Principal& actor,
                                       const std::string& identifier, const UserUpdate& update,
                                       const core::RequestMeta& meta) {
  namespace n = authz::nodes;
  if (update.roles && !actor.Can(n::kUserRolesOther)) {
    return core::PermissionDenied("You do not have permission to modify roles on another user.");
  }
  if (update.permissions && !actor.Can(n::kUserPermissionsOther)) {
    return core::PermissionDenied(
        "You do not have permission to modify permissions on another user.");
  }
  if (update.status && !actor.Can(n::kUserBanOther)) {
    return core::PermissionDenied("You do not have permission to ban another user.");
  }

  bool roles_changed = false, permissions_changed = false;
  std::vector<std::string> revoked_sessions;
  auto updated = db_.Write([&](soci::session& s) -> core::Result<User> {
    auto found = Resolve(s, identifier);
    if (!found) return found;
    User user = std::move(*found);
    if (update.roles || update.permissions || update.status) {
      if (auto s2 = CheckOutranks(actor, user); !s2) return s2.error();
      repo::LockRole(s, kSuperAdminRole);
    }
    const std::int64_t now = core::ToUnixMillis(clock_.Now());
    const bool was_super_admin = HasRole(user, kSuperAdminRole);

    if (update.roles) {
      std::vector<core::FieldError> problems;
      std::vector<RoleRef> wanted;
      for (std::size_t i = 0; i < update.roles->size(); ++i) {
        auto role = repo::FindRole(s, (*update.roles)[i]);
        if (!role) {
          problems.push_back({{"roles", std::to_string(i)},
                              "Unknown role '" + (*update.roles)[i] + "'"});
        } else if (std::none_of(wanted.begin(), wanted.end(),
                                [&](const RoleRef& r) { return r.id == role->id; })) {
          wanted.push_back(std::move(*role));
        }
      }
      if (!problems.empty()) return core::Validation(std::move(problems));
      // Every role added or taken away must be one the actor could hold out in full.
      auto changed = [&](const RoleRef& role) {
        for (const auto& grant : role.permissions) {
          if (!actor.CanGrant(grant)) return false;
        }
        return true;
      };
      for (const auto& role : wanted) {
        if (!HasRole(user, role.id) && !changed(role)) {
          return core::PermissionDenied("You cannot assign a role with permissions you do not hold.");
        }
      }
      for (const auto& role : user.roles) {
        const bool kept = std::any_of(wanted.begin(), wanted.end(),
                                      [&](const RoleRef& r) { return r.id == role.id; });
        if (!kept && !changed(role)) {
          return core::PermissionDenied("You cannot remove a role with permissions you do not hold.");
        }
      }
      const bool keeps_super_admin = std::any_of(
          wanted.begin(), wanted.end(), [](const RoleRef& r) { return r.id == kSuperAdminRole; });
      if (was_super_admin && !keeps_super_admin &&
          repo::CountActiveHolders(s, kSuperAdminRole) <= 1) {
        return LastSuperAdmin();
      }
      std::vector<std::string> ids;
      for (const auto& role : wanted) ids.push_back(role.id);
      repo::ReplaceUserRoles(s, user.id, ids, now);
      for (const auto& role : wanted) {
        if (!HasRole(user, role.id)) {
          recorder_.Record(s, meta, {.event_type = audit::types::kRoleAssigned,
                                     .user_id = user.id,
                                     .resource_type = "role",
                                     .resource_id = role.id,
                                     .metadata = {{"moniker", role.moniker}}});
        }
      }
      for (const auto& role : user.roles) {
        if (std::none_of(wanted.begin(), wanted.end(),
                         [&](const RoleRef& r) { return r.id == role.id; })) {
          recorder_.Record(s, meta, {.event_type = audit::types::kRoleRemoved,
                                     .user_id = user.id,
                                     .resource_type = "role",
                                     .resource_id = role.id,
                                     .metadata = {{"moniker", role.moniker}}});
        }
      }
      user.roles = std::move(wanted);
      roles_changed = true;
    }

    if (update.permissions) {
      std::vector<core::FieldError> problems;
      for (std::size_t i = 0; i < update.permissions->size(); ++i) {
        if (!authz::IsValidGrant((*update.permissions)[i])) {
          problems.push_back({{"permissions", std::to_string(i)}, "Invalid permission node"});
        }
      }
      if (!problems.empty()) return core::Validation(std::move(problems));
      std::set<std::string> before(user.permissions.begin(), user.permissions.end());
      std::set<std::string> after(update.permissions->begin(), update.permissions->end());
      for (const auto& grant : after) {
        if (!before.contains(grant) && !actor.CanGrant(grant)) {
          return core::PermissionDenied("You cannot grant permissions you do not hold.");
        }
      }
      for (const auto& grant : before) {
        if (!after.contains(grant) && !actor.CanGrant(grant)) {
          return core::PermissionDenied("You cannot remove permissions you do not hold.");
        }
      }
      user.permissions.assign(after.begin(), after.end());
      repo::UpdatePermissions(s, user.id, user.permissions, now);
      permissions_changed = true;
      boost::json::array added, removed;
      for (const auto& g : after) {
        if (!before.contains(g)) added.emplace_back(g);
      }
      for (const auto& g : before) {
        if (!after.contains(g)) removed.emplace_back(g);
      }
      if (!added.empty() || !removed.empty()) {
        recorder_.Record(s, meta, {.event_type = audit::types::kPermissionsChanged,
                                   .user_id = user.id,
                                   .resource_type = "user",
                                   .resource_id = user.id,
                                   .metadata = {{"added", std::move(added)},
                                                {"removed", std::move(removed)}}});
      }
    }

    if (update.status && *update.status != user.status) {
      if (*update.status == UserStatus::kBanned && was_super_admin &&
          repo::CountActiveHolders(s, kSuperAdminRole) <= 1) {
        return LastSuperAdmin();
      }
      user.status = *update.status;
      repo::UpdateStatus(s, user.id, user.status, now);
      if (user.status == UserStatus::kBanned) {
        revoked_sessions = sessions_.RevokeAllForUserIn(s, user.id, std::nullopt, "user_banned");
      }
      recorder_.Record(
          s, meta,
          {.event_type = user.status == UserStatus::kBanned ? audit::types::kUserBanned
                                                             : audit::types::kUserUnbanned,
           .user_id = user.id,
           .resource_type = "user",
           .resource_id = user.id,
           .metadata = {{"revokedSessions", static_cast<std::int64_t>(revoked_sessions.size())}}});
    }

    if (update.name || update.image) {
      if (update.name) user.name = *update.name;
      if (update.image) user.image = *update.image;
      user.updated_at = now;
      repo::UpdateProfile(s, user);
      recorder_.Record(s, meta, {.event_type = audit::types::kUserUpdated,
                                 .user_id = user.id,
                                 .resource_type = "user",
                                 .resource_id = user.id,
                                 .metadata = {{"fields", ChangedFields(update)}}});
    }
    user.updated_at = now;
    return user;
  });
  if (!updated) return updated;
  Invalidate(updated->id);
  // Listeners first: a banned account's sockets are told why before its sessions end.
  Notify(updated->id, roles_changed, permissions_changed, updated->status);
  sessions_.PublishRevoked(revoked_sessions);
  return updated;
}

core::Result<User> UserService::Delete(const core::Principal& actor,
                                       const std::string& identifier,
                                       const core::RequestMeta& meta) {
  std::vector<std::string> revoked_sessions;
  auto deleted = db_.Write([&](soci::session& s) -> core::Result<User> {
    auto found = Resolve(s, identifier);
    if (!found) return found;
    User user = std::move(*found);
    if (user.id == actor.user_id) {
      return core::FailedPrecondition("You cannot delete your own account here.",
                                      "CannotDeleteSelf");
    }
    if (auto s2 = CheckOutranks(actor, user); !s2) return s2.error();
    repo::LockRole(s, kSuperAdminRole);
    if (HasRole(user, kSuperAdminRole) && repo::CountActiveHolders(s, kSuperAdminRole) <= 1) {
      return LastSuperAdmin();
    }
    const std::int64_t now = core::ToUnixMillis(clock_.Now());
    repo::UpdateStatus(s, user.id, UserStatus::kDeleted, now);
    revoked_sessions = sessions_.RevokeAllForUserIn(s, user.id, std::nullopt, "user_deleted");
    recorder_.Record(s, meta, {.event_type = audit::types::kUserDeleted,
                               .user_id = user.id,
                               .resource_type = "user",
                               .resource_id = user.id});
    return user;
  });
  if (!deleted) return deleted;
  Invalidate(deleted->id);
  Notify(deleted->id, false, false, UserStatus::kDeleted);
  sessions_.PublishRevoked(revoked_sessions);
  return deleted;
}

core::Status UserService::SetPasswordIn(soci::session& tx, const std::string& id,
                                        const std::string& hash) {
  repo::UpdatePassword(tx, id, hash, core::ToUnixMillis(clock_.Now()));
  return {};
}

void UserService::TouchLastLoginIn(soci::session& tx, const std::string& id) {
  repo::TouchLastLogin(tx, id, core::ToUnixMillis(clock_.Now()));
}

core::Result<std::shared_ptr<const AccessProfile>> UserService::Access(
    const std::string& user_id) {
  auto cached = Load(user_id);
  if (!cached) return cached.error();
  return cached->profile;
}

core::Result<UserService::Cached> UserService::Load(const std::string& user_id) {
  std::uint64_t generation;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(user_id); it != cache_.end()) return it->second;
    generation = generation_;
  }
  auto user = db_.Read([&](soci::session& s) -> core::Result<std::optional<User>> {
    return repo::FindUserById(s, user_id);
  });
  if (!user) return user.error();
  if (!user->has_value()) return UserNotFound(user_id);
  Cached entry{std::make_shared<const User>(std::move(**user)), nullptr};
  entry.profile = BuildAccessProfile(*entry.user);
  std::lock_guard lock(cache_mutex_);
  // An invalidation while we were reading means the row may already be stale: serve it to
  // this request only, do not cache it.
  if (generation != generation_) return entry;
  if (cache_.size() > 100000) cache_.clear();  // bounded; misses only cost one query
  cache_[user_id] = entry;
  return entry;
}

void UserService::Invalidate(const std::string& user_id) {
  bus_.Publish("user.changed", {{"id", user_id}});
}

void UserService::InvalidateAll() { bus_.Publish("user.changed", {}); }

void UserService::DropCached(const std::string& user_id) {
  std::lock_guard lock(cache_mutex_);
  ++generation_;
  if (user_id.empty()) {
    cache_.clear();
  } else {
    cache_.erase(user_id);
  }
}

void UserService::OnChange(ChangeListener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.push_back(std::move(listener));
}

void UserService::Notify(const std::string& user_id, bool roles, bool permissions,
                         UserStatus status) {
  std::vector<ChangeListener> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(user_id, roles, permissions, status);
}

}  // namespace gatehouse::modules::users
