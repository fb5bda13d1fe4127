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
      {"apikey",
       "API Key Permissions",
       "Permissions for API keys (X-API-Key); a key never grants more than its owner holds",
       {{n::kApiKeyRead, "List your own API keys", {}},
        {n::kApiKeyCreate, "Create API keys for yourself, with scopes you hold", {n::kApiKeyRead}},
        {n::kApiKeyRevoke, "Deactivate your own API keys", {n::kApiKeyRead}},
        {n::kApiKeyReadOther, "List and read every user's API keys", {}},
        {n::kApiKeyCreateOther,
         "Create API keys for any user (scopes held by both you and the owner)",
         {n::kApiKeyReadOther}},
        {n::kApiKeyUpdateOther, "Change any API key's name, description, scopes, limit or state",
         {n::kApiKeyReadOther}},
        {n::kApiKeyRevokeOther, "Deactivate any user's API keys", {n::kApiKeyReadOther}},
        {n::kApiKeyRotateOther, "Rotate any API key (with scopes you hold)",
         {n::kApiKeyReadOther}}}},
      {"audit",
       "Audit Permissions",
       "Permissions for the audit log: everyone's events, reports, security views and exports",
       {{n::kAuditRead,
         "Read every user's audit events, reports, security events and statistics; export the log",
         {}},
        {n::kAuditWrite, "Log audit events through the API and review audit reports",
         {n::kAuditRead}}}},
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
