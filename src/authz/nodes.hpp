// Every permission node the server checks, as named constants (never string literals in
// handlers). When adding a node, also add it to the catalog (authz/catalog.cpp) and to
// docs/api.md.
//
//   router.Add(Method::kGet, "/v1/user/users", Access::Nodes({kUserReadOther, kUserListOther}), h);
//   if (!ctx.principal.Can(nodes::kUserRolesOther)) return core::PermissionDenied(...);
#pragma once

namespace gatehouse::authz::nodes {

inline constexpr const char* kAll = "*";

// Own account (seed 002 "Required Scopes").
inline constexpr const char* kUserRead = "user.read";
inline constexpr const char* kUserWrite = "user.write";
// Other users (seed 002).
inline constexpr const char* kUserReadOther = "user.read.other";
inline constexpr const char* kUserListOther = "user.list.other";
inline constexpr const char* kUserWriteOther = "user.write.other";
inline constexpr const char* kUserDeleteOther = "user.delete.other";
inline constexpr const char* kUserRolesOther = "user.roles.other";
inline constexpr const char* kUserPermissionsOther = "user.permissions.other";
inline constexpr const char* kUserBanOther = "user.ban.other";
inline constexpr const char* kUserSearch = "user.search";

// Sessions (seed 000).
inline constexpr const char* kSessionRead = "session.read";
inline constexpr const char* kSessionRevoke = "session.revoke";
inline constexpr const char* kSessionReadOther = "session.read.other";
inline constexpr const char* kSessionRevokeOther = "session.revoke.other";

// Roles and the permission catalog (seed 002: the catalog routes need role.read).
inline constexpr const char* kRoleCreate = "role.create";
inline constexpr const char* kRoleRead = "role.read";
inline constexpr const char* kRoleList = "role.list";
inline constexpr const char* kRoleModify = "role.modify";
inline constexpr const char* kRoleDelete = "role.delete";

// API keys (seed 003): the caller's own keys (/v1/user/@me/keys), and everyone's
// (/v1/admin/keys).
inline constexpr const char* kApiKeyRead = "apikey.read";
inline constexpr const char* kApiKeyCreate = "apikey.create";
inline constexpr const char* kApiKeyRevoke = "apikey.revoke";
inline constexpr const char* kApiKeyReadOther = "apikey.read.other";
inline constexpr const char* kApiKeyCreateOther = "apikey.create.other";
inline constexpr const char* kApiKeyUpdateOther = "apikey.update.other";
inline constexpr const char* kApiKeyRevokeOther = "apikey.revoke.other";
inline constexpr const char* kApiKeyRotateOther = "apikey.rotate.other";

// Audit log (seed 000's audit:read / audit:write).
inline constexpr const char* kAuditRead = "audit.read";
inline constexpr const char* kAuditWrite = "audit.write";

// Companies (seed 002).
inline constexpr const char* kCompanyFetch = "company.fetch";
inline constexpr const char* kCompanyFetchMany = "company.fetch.many";
inline constexpr const char* kCompanyFetchAddress = "company.fetch.address";
inline constexpr const char* kCompanyFetchConfigurations = "company.fetch.configurations";
inline constexpr const char* kCompanyCreate = "company.create";
inline constexpr const char* kCompanyUpdate = "company.update";
inline constexpr const char* kCompanyDelete = "company.delete";

// Credentials (seed 002). A credential of a type with a permissionScope also needs
// "<scope>.<verb>" (see the kScope* verbs): those nodes are not in the static catalog.
inline constexpr const char* kCredentialFetch = "credential.fetch";
inline constexpr const char* kCredentialFetchMany = "credential.fetch.many";
inline constexpr const char* kCredentialCreate = "credential.create";
inline constexpr const char* kCredentialUpdate = "credential.update";
inline constexpr const char* kCredentialFieldsFetch = "credential.fields.fetch";
inline constexpr const char* kCredentialFieldsUpdate = "credential.fields.update";
inline constexpr const char* kCredentialSecureValuesRead = "credential.secure_values.read";
inline constexpr const char* kCredentialDelete = "credential.delete";

// Credential types (seed 002).
inline constexpr const char* kCredentialTypeFetch = "credential_type.fetch";
inline constexpr const char* kCredentialTypeFetchMany = "credential_type.fetch.many";
inline constexpr const char* kCredentialTypeCreate = "credential_type.create";
inline constexpr const char* kCredentialTypeUpdate = "credential_type.update";
inline constexpr const char* kCredentialTypeDelete = "credential_type.delete";

// Verbs appended to a credential type's permissionScope ("aws.credentials" + ".fetch").
inline constexpr const char* kScopeFetch = "fetch";
inline constexpr const char* kScopeCreate = "create";
inline constexpr const char* kScopeUpdate = "update";
inline constexpr const char* kScopeDelete = "delete";
inline constexpr const char* kScopeSecureValuesRead = "secure_values.read";

}  // namespace gatehouse::authz::nodes
