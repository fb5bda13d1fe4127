// Users: accounts, profiles, roles and direct nodes as seen by the rest of the server, and the
// per-user access profile (status + effective grants) that authentication turns into a
// Principal — cached, so a permission check is a lookup, not a query.
//
//   auto user = users.FindByIdentifier("0192...");           // id, login or email
//   auto profile = users.Access(user_id);                     // cached AccessProfile
//   users.Update(actor, id, {.roles = {{"moderator"}}});      // enforces the no-escalation rule
#pragma once

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "authz/matcher.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "audit/recorder.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "events/bus.hpp"
#include "modules/sessions/service.hpp"
#include "modules/users/model.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::users {

inline constexpr const char* kSuperAdminRole = "role_super_admin";
inline constexpr const char* kDefaultRole = "role_user";

// What authentication needs to know about a user on every request.
struct AccessProfile {
  UserStatus status = UserStatus::kDeleted;
  std::shared_ptr<const authz::GrantSet> grants;
  std::vector<std::string> role_ids;
  std::vector<std::string> role_titles;
  std::vector<std::string> effective;  // union of role grants and direct grants, sorted
  bool is_super_admin = false;
};

struct NewUser {
  std::string email;                  // normalised by the service
  std::optional<std::string> login;   // normalised by the service
  std::optional<std::string> name;
  std::string password_hash;
  std::vector<std::string> role_ids = {kDefaultRole};
};

// Fields an administrator may change; absent fields stay as they are.
struct UserUpdate {
  std::optional<std::optional<std::string>> name;   // set to nullopt-inside to clear
  std::optional<std::optional<std::string>> image;
  std::optional<std::vector<std::string>> roles;    // ids or monikers; replaces all
  std::optional<std::vector<std::string>> permissions;  // grants; replaces all
  std::optional<UserStatus> status;                 // active | banned
};

struct UserPage {
  std::vector<User> users;
  std::int64_t total = 0;
};

class UserService {
 public:
  // Subscribes to "user.changed" on `bus`: a change made on any node drops the cached entry.
  UserService(store::Database& db, const core::Clock& clock, sessions::SessionService& sessions,
              events::Bus& bus, const audit::Recorder& recorder);

  core::Result<User> Get(const std::string& id);  // deleted users are NotFound
  core::Result<User> FindByIdentifier(const std::string& identifier);
  // For logins: by normalised email or login; includes non-active users (the caller decides).
  core::Result<std::optional<User>> FindForLogin(const std::string& identifier);
  core::Result<UserPage> List(const std::string& search, int page, int per_page);
  core::Result<std::vector<PlatformAccount>> Accounts(const std::string& user_id);

  // Inside the caller's transaction: inserts the user, their email platform account and roles.
  // AlreadyExists (name "UserAlreadyExists") when the email or login is taken.
  core::Result<User> CreateIn(soci::session& tx, NewUser user);

  // Each change is audited in its own transaction (user_updated, role_assigned, role_removed,
  // permissions_changed, user_banned, user_unbanned, user_deleted).
  core::Result<User> UpdateSelf(const std::string& id, const UserUpdate& update,
                                const core::RequestMeta& meta);
  core::Result<User> Update(const core::Principal& actor, const std::string& identifier,
                            const UserUpdate& update, const core::RequestMeta& meta);
  // Soft delete: status 'deleted', sessions revoked; the row stays for the audit trail.
  core::Result<User> Delete(const core::Principal& actor, const std::string& identifier,
                            const core::RequestMeta& meta);
  core::Status SetPasswordIn(soci::session& tx, const std::string& id, const std::string& hash);
  void TouchLastLoginIn(soci::session& tx, const std::string& id);

  // Cached; NotFound for unknown users.
  core::Result<std::shared_ptr<const AccessProfile>> Access(const std::string& user_id);
  // Drop cached entries here and, through the bus, on every other node.
  void Invalidate(const std::string& user_id);
  void InvalidateAll();

  // Called after a user's roles or direct nodes change (the realtime hub subscribes).
  using ChangeListener = std::function<void(const std::string& user_id, bool roles_changed,
                                            bool permissions_changed, UserStatus status)>;
  void OnChange(ChangeListener listener);

 private:
  core::Result<User> Resolve(soci::session& s, const std::string& identifier);
  void Notify(const std::string& user_id, bool roles, bool permissions, UserStatus status);
  void DropCached(const std::string& user_id);  // "" = everyone

  store::Database& db_;
  const core::Clock& clock_;
  sessions::SessionService& sessions_;
  events::Bus& bus_;
  const audit::Recorder& recorder_;

  std::mutex cache_mutex_;
  struct Cached {
    std::shared_ptr<const User> user;
    std::shared_ptr<const AccessProfile> profile;
  };
  // Filled on first use, dropped on every change this node makes (other nodes: issue 8's bus).
  core::Result<Cached> Load(const std::string& user_id);
  std::unordered_map<std::string, Cached> cache_;
  std::uint64_t generation_ = 0;  // bumped by every invalidation
  std::mutex listeners_mutex_;
  std::vector<ChangeListener> listeners_;
};

// Builds the profile from a user row and their roles (pure; exposed for tests).
std::shared_ptr<const AccessProfile> BuildAccessProfile(const User& user);

}  // namespace gatehouse::modules::users
