// Every audit event type the server emits, as named constants (seed 001's AuditEventTypes).
// When adding a type, also add it to the catalog (audit/catalog.cpp) with its label, category,
// icon and severity, and to docs/api.md.
//
//   recorder.Record(tx, meta, {.event_type = types::kLogin, .user_id = user.id});
#pragma once

namespace gatehouse::audit::types {

// security
inline constexpr const char* kLogin = "login";
inline constexpr const char* kLoginFailed = "login_failed";
inline constexpr const char* kLogout = "logout";
inline constexpr const char* kPasswordChanged = "password_changed";
inline constexpr const char* kTwoFaEnabled = "2fa_enabled";
inline constexpr const char* kTwoFaDisabled = "2fa_disabled";
inline constexpr const char* kAccountLocked = "account_locked";
inline constexpr const char* kRefreshTokenReused = "refresh_token_reused";
inline constexpr const char* kApiKeyCreated = "api_key_created";
inline constexpr const char* kApiKeyRotated = "api_key_rotated";
inline constexpr const char* kApiKeyRevoked = "api_key_revoked";
inline constexpr const char* kApiKeyUpdated = "api_key_updated";
inline constexpr const char* kRootKeyUsed = "root_key_used";
inline constexpr const char* kCredentialSecretRead = "credential_secret_read";

// account
inline constexpr const char* kUserCreated = "user_created";
inline constexpr const char* kUserUpdated = "user_updated";
inline constexpr const char* kUserDeleted = "user_deleted";
inline constexpr const char* kUserBanned = "user_banned";
inline constexpr const char* kUserUnbanned = "user_unbanned";
inline constexpr const char* kRoleCreated = "role_created";
inline constexpr const char* kRoleUpdated = "role_updated";
inline constexpr const char* kRoleDeleted = "role_deleted";
inline constexpr const char* kRoleAssigned = "role_assigned";
inline constexpr const char* kRoleRemoved = "role_removed";
inline constexpr const char* kPermissionsChanged = "permissions_changed";
inline constexpr const char* kCredentialCreated = "credential_created";
inline constexpr const char* kCredentialUpdated = "credential_updated";
inline constexpr const char* kCredentialDeleted = "credential_deleted";
inline constexpr const char* kCredentialTypeCreated = "credential_type_created";
inline constexpr const char* kCredentialTypeUpdated = "credential_type_updated";
inline constexpr const char* kCredentialTypeDeleted = "credential_type_deleted";
inline constexpr const char* kCompanyCreated = "company_created";
inline constexpr const char* kCompanyUpdated = "company_updated";
inline constexpr const char* kCompanyDeleted = "company_deleted";
inline constexpr const char* kVaultMasterKeyRotated = "vault_master_key_rotated";
inline constexpr const char* kAuditReportCreated = "audit_report_created";
inline constexpr const char* kAuditReportUpdated = "audit_report_updated";
inline constexpr const char* kCustomAction = "custom_action";

// sessions
inline constexpr const char* kSessionCreated = "session_created";
inline constexpr const char* kSessionRevoked = "session_revoked";
inline constexpr const char* kSessionsRevokedAll = "sessions_revoked_all";

// oauth
inline constexpr const char* kConsentGranted = "consent_granted";

}  // namespace gatehouse::audit::types
