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
      {"company",
       "Company Permissions",
       "Permissions for accessing and managing company resources",
       {{n::kCompanyFetch, "Fetch a single company", {}},
        {n::kCompanyFetchMany, "Fetch and search the list of companies", {}},
        {n::kCompanyFetchAddress, "View company address information", {n::kCompanyFetch}},
        {n::kCompanyFetchConfigurations, "View a company's configurations", {n::kCompanyFetch}},
        {n::kCompanyCreate, "Create companies", {n::kCompanyFetch}},
        {n::kCompanyUpdate, "Update companies and create, change or delete their configurations",
         {n::kCompanyFetch}},
        {n::kCompanyDelete, "Delete companies that hold no credentials", {n::kCompanyFetch}}}},
      {"credential",
       "Credential Permissions",
       "Permissions for credentials and their secure values; a credential whose type has a "
       "permissionScope also needs <scope>.fetch|create|update|delete|secure_values.read",
       {{n::kCredentialFetch, "Fetch a single credential (secure values hidden)", {}},
        {n::kCredentialFetchMany, "List the credentials of a company or of a type", {}},
        {n::kCredentialCreate, "Create credentials", {n::kCredentialFetch}},
        {n::kCredentialUpdate, "Update a credential's name, notes and field values",
         {n::kCredentialFetch}},
        {n::kCredentialFieldsFetch, "Fetch a credential's stored field values (secure ones sealed)",
         {n::kCredentialFetch}},
        {n::kCredentialFieldsUpdate, "Replace a credential's field values",
         {n::kCredentialUpdate}},
        {n::kCredentialSecureValuesRead, "Decrypt and read secure values (every read is audited)",
         {n::kCredentialFetch}},
        {n::kCredentialDelete, "Delete credentials and their secure values",
         {n::kCredentialFetch}}}},
      {"credentialType",
       "Credential Type Permissions",
       "Permissions for credential types and their field definitions",
       {{n::kCredentialTypeFetch, "Fetch a single credential type", {}},
        {n::kCredentialTypeFetchMany, "List all credential types", {}},
        {n::kCredentialTypeCreate, "Create credential types", {n::kCredentialTypeFetch}},
        {n::kCredentialTypeUpdate, "Update credential types and their field definitions",
         {n::kCredentialTypeFetch}},
        {n::kCredentialTypeDelete, "Delete credential types and every credential of the type",
         {n::kCredentialTypeFetch}}}},
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
