#include "authz/catalog.hpp"

#include "authz/nodes.hpp"

namespace gatehouse::authz {
namespace {

std::vector<Category> Build() {
  namespace n = nodes;
  return {
      {"global",
       "Global Permissions",
       "Global wildcard permissions that grant access to all resources",
       {{n::kAll, "Full access to all resources and actions (administrator role)", {}}}},
      {"user",
       "User Permissions",
       "Permissions for reading and managing user accounts",
       {{n::kUserRead, "Read your own account", {}},
        {n::kUserWrite, "Update your own profile and password", {n::kUserRead}},
        {n::kUserSearch, "Search users by name or login (public fields only)", {}},
        {n::kUserReadOther, "Read other users' accounts, profiles, roles and permissions", {}},
        {n::kUserListOther, "List all users", {n::kUserReadOther}},
        {n::kUserWriteOther, "Update other users' profiles", {n::kUserReadOther}},
        {n::kUserRolesOther, "Change other users' roles", {n::kUserWriteOther}},
        {n::kUserPermissionsOther, "Change other users' direct permission nodes",
         {n::kUserWriteOther}},
        {n::kUserBanOther, "Ban and unban other users", {n::kUserWriteOther}},
        {n::kUserDeleteOther, "Delete other users", {n::kUserReadOther}}}},
      {"session",
       "Session Permissions",
       "Permissions for login sessions",
       {{n::kSessionRead, "List your own sessions", {}},
        {n::kSessionRevoke, "Revoke your own sessions", {n::kSessionRead}},
        {n::kSessionReadOther, "List other users' sessions", {}},
        {n::kSessionRevokeOther, "Revoke other users' sessions", {n::kSessionReadOther}}}},
      {"role",
       "Role Permissions",
       "Permissions for managing roles",
       {{n::kRoleRead, "Read roles and the permission catalog", {}},
        {n::kRoleList, "List all roles", {n::kRoleRead}},
        {n::kRoleCreate, "Create roles (only with nodes you hold)", {n::kRoleRead}},
        {n::kRoleModify, "Change roles and their nodes (only nodes you hold)", {n::kRoleRead}},
        {n::kRoleDelete, "Delete roles", {n::kRoleRead}}}},
  };
}

}  // namespace

const std::vector<Category>& Catalog() {
  static const std::vector<Category> catalog = Build();
  return catalog;
}

const Category* FindCategory(std::string_view key) {
  for (const auto& category : Catalog()) {
    if (category.key == key) return &category;
  }
  return nullptr;
}

const NodeInfo* FindNode(std::string_view node) {
  for (const auto& category : Catalog()) {
    for (const auto& info : category.nodes) {
      if (info.node == node) return &info;
    }
  }
  return nullptr;
}

}  // namespace gatehouse::authz
