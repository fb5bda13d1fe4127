// SQL for roles. Functions take the caller's soci::session so a service can check and change
// in one transaction; SOCI exceptions become core::Error in store::Database.
//
//   auto role = repo::FindRole(s, "admin");        // by id or moniker
//   repo::UpdateRole(s, role);
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gatehouse::modules::roles {

struct Role {
  std::string id;
  std::string title;
  std::string moniker;
  std::vector<std::string> permissions;
  bool built_in = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// A holder of a role, as GET /v1/role/:identifier/users lists them.
struct RoleHolder {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> login;
  std::vector<std::string> role_ids;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

namespace repo {

std::optional<Role> FindRole(soci::session& s, const std::string& id_or_moniker);
std::optional<Role> FindRoleByMoniker(soci::session& s, const std::string& moniker);
std::vector<Role> ListRoles(soci::session& s);
void InsertRole(soci::session& s, const Role& role);
void UpdateRole(soci::session& s, const Role& role);
void DeleteRole(soci::session& s, const std::string& id);
std::vector<RoleHolder> HoldersOf(soci::session& s, const std::string& role_id);

}  // namespace repo
}  // namespace gatehouse::modules::roles
