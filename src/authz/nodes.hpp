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

}  // namespace gatehouse::authz::nodes
