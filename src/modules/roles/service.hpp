// Roles: named sets of permission nodes (seed 002). Nobody can create or change a role so that
// it grants anything they do not hold themselves; role_super_admin keeps "*" and cannot be
// deleted; built-in roles keep their seed 001 ids. Every change to what a role grants drops
// the cached permissions of its holders.
//
//   auto role = roles.Create(actor, {.title = "Viewer", .moniker = "viewer", .permissions = {...}});
//   roles.AddPermissions(actor, "viewer", {"company.fetch"});
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "audit/recorder.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "modules/roles/repo.hpp"
#include "modules/users/service.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::roles {

struct RoleInput {
  std::optional<std::string> title;
  std::optional<std::string> moniker;
  std::optional<std::vector<std::string>> permissions;
};

class RoleService {
 public:
  RoleService(store::Database& db, const core::Clock& clock, users::UserService& users,
              const audit::Recorder& recorder);

  // Changes are audited (role_created, role_updated, role_deleted) in their transaction.
  core::Result<Role> Create(const core::Principal& actor, const RoleInput& input,
                            const core::RequestMeta& meta);
  core::Result<Role> Get(const std::string& identifier);
  core::Result<std::vector<Role>> List();
  core::Result<Role> Update(const core::Principal& actor, const std::string& identifier,
                            const RoleInput& input, const core::RequestMeta& meta);
  core::Result<Role> Delete(const core::Principal& actor, const std::string& identifier,
                            const core::RequestMeta& meta);
  core::Result<Role> AddPermissions(const core::Principal& actor, const std::string& identifier,
                                    const std::vector<std::string>& permissions,
                                    const core::RequestMeta& meta);
  core::Result<Role> RemovePermissions(const core::Principal& actor,
                                       const std::string& identifier,
                                       const std::vector<std::string>& permissions,
                                       const core::RequestMeta& meta);
  core::Result<std::vector<RoleHolder>> Holders(const std::string& identifier);

  // Called after a role's nodes change or it is deleted, with the role id and its holders
  // (the realtime hub sends rolePermissionsChanged).
  using ChangeListener =
      std::function<void(const std::string& role_id, const std::vector<std::string>& holders)>;
  void OnChange(ChangeListener listener);

 private:
  // Applies `next` as the role's new node list inside one transaction, after the checks.
  core::Result<Role> Replace(const core::Principal& actor, const std::string& identifier,
                             const std::function<std::vector<std::string>(const Role&)>& next,
                             const RoleInput* rename, const core::RequestMeta& meta);
  void Changed(const std::string& role_id, const std::vector<std::string>& holders);

  store::Database& db_;
  const core::Clock& clock_;
  users::UserService& users_;
  const audit::Recorder& recorder_;
  std::mutex listeners_mutex_;
  std::vector<ChangeListener> listeners_;
};

// Input rules shared with the routes (exposed for tests).
core::Status ValidateMoniker(std::string_view moniker);
core::Status ValidateGrants(const std::vector<std::string>& grants, const char* field);

}  // namespace gatehouse::modules::roles
