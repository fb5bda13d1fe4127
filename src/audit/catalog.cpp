#include "audit/catalog.hpp"

#include <boost/json/array.hpp>

#include "audit/event_types.hpp"

namespace gatehouse::audit {
namespace {

constexpr const char* kFailureColor = "text-[var(--error)]";

struct CategoryInfo {
  const char* key;
  const char* label;
  const char* color;
};

constexpr CategoryInfo kCategories[] = {
    {"security", "Security", "text-brand"},
    {"account", "Account", "text-blue-400"},
    {"sessions", "Sessions", "text-purple-400"},
    {"oauth", "Connected apps", "text-amber-400"},
};

std::vector<EventTypeInfo> Build() {
  namespace t = types;
  return {
      {t::kLogin, "Signed in", "security", "LogIn", "low"},
      {t::kLoginFailed, "Failed sign-in attempt", "security", "ShieldAlert", "medium"},
      {t::kLogout, "Signed out", "security", "LogOut", "low"},
      {t::kPasswordChanged, "Password changed", "security", "Key", "high"},
      {t::kTwoFaEnabled, "Two-factor authentication enabled", "security", "Shield", "medium"},
      {t::kTwoFaDisabled, "Two-factor authentication disabled", "security", "ShieldOff", "high"},
      {t::kAccountLocked, "Account locked", "security", "Lock", "high"},
      {t::kRefreshTokenReused, "Refresh token reused", "security", "ShieldAlert", "critical"},
      {t::kApiKeyCreated, "API key created", "security", "Key", "medium"},
      {t::kApiKeyRotated, "API key rotated", "security", "RefreshCw", "medium"},
      {t::kApiKeyRevoked, "API key revoked", "security", "KeyRound", "medium"},
      {t::kApiKeyUpdated, "API key updated", "security", "Key", "low"},
      {t::kRootKeyUsed, "Root key used", "security", "ShieldAlert", "high"},
      {t::kCredentialSecretRead, "Secret viewed", "security", "Eye", "high"},
      {t::kVaultMasterKeyRotated, "Vault master key rotated", "security", "KeyRound", "high"},
      {t::kUserCreated, "Account created", "account", "UserPlus", "low"},
      {t::kUserUpdated, "Profile updated", "account", "User", "low"},
      {t::kUserDeleted, "Account deleted", "account", "UserX", "high"},
      {t::kUserBanned, "Account banned", "account", "Ban", "high"},
      {t::kUserUnbanned, "Account unbanned", "account", "UserCheck", "medium"},
      {t::kRoleCreated, "Role created", "account", "ShieldPlus", "medium"},
      {t::kRoleUpdated, "Role updated", "account", "Shield", "medium"},
      {t::kRoleDeleted, "Role deleted", "account", "ShieldMinus", "medium"},
      {t::kRoleAssigned, "Role assigned", "account", "UserCog", "high"},
      {t::kRoleRemoved, "Role removed", "account", "UserCog", "medium"},
      {t::kPermissionsChanged, "Permissions changed", "account", "ShieldCheck", "high"},
      {t::kCredentialCreated, "Credential created", "account", "FilePlus", "medium"},
      {t::kCredentialUpdated, "Credential updated", "account", "FilePen", "medium"},
      {t::kCredentialDeleted, "Credential deleted", "account", "FileX", "high"},
      {t::kCredentialTypeCreated, "Credential type created", "account", "FolderPlus", "medium"},
      {t::kCredentialTypeUpdated, "Credential type updated", "account", "FolderPen", "medium"},
      {t::kCredentialTypeDeleted, "Credential type deleted", "account", "FolderX", "high"},
      {t::kCompanyCreated, "Company created", "account", "Building", "low"},
      {t::kCompanyUpdated, "Company updated", "account", "Building", "low"},
      {t::kCompanyDeleted, "Company deleted", "account", "Building", "medium"},
      {t::kAuditReportCreated, "Activity reported", "account", "Flag", "medium"},
      {t::kAuditReportUpdated, "Report reviewed", "account", "Flag", "low"},
      {t::kCustomAction, "Custom action", "account", "Activity", "low"},
      {t::kSessionCreated, "New session", "sessions", "Monitor", "low"},
      {t::kSessionRevoked, "Session revoked", "sessions", "MonitorOff", "medium"},
      {t::kSessionsRevokedAll, "Other sessions signed out", "sessions", "MonitorOff", "medium"},
      {t::kConsentGranted, "App access granted", "oauth", "CheckCircle", "medium"},
  };
}

}  // namespace

const std::vector<EventTypeInfo>& EventTypes() {
  static const std::vector<EventTypeInfo> types = Build();
  return types;
}

EventTypeInfo Describe(std::string_view type) {
  for (const auto& info : EventTypes()) {
    if (info.type == type) return info;
  }
  // Seed 001's getAuditEventLabel falls back to the type itself.
  return {std::string(type), std::string(type), "account", "Activity", "low"};
}

std::string EventColor(std::string_view type, bool failed) {
  if (failed || type.ends_with("_failed")) return kFailureColor;
  const auto info = Describe(type);
  for (const auto& category : kCategories) {
    if (info.category == category.key) return category.color;
  }
  return "text-blue-400";
}

boost::json::object CatalogJson() {
  boost::json::array types;
  for (const auto& info : EventTypes()) {
    types.push_back({{"type", info.type},
                     {"label", info.label},
                     {"category", info.category},
                     {"icon", info.icon},
                     {"severity", info.severity},
                     {"color", EventColor(info.type, false)}});
  }
  boost::json::array categories;
  boost::json::object colors;
  boost::json::array filters{{{"value", "all"}, {"label", "All activity"}}};
  for (const auto& category : kCategories) {
    boost::json::array members;
    for (const auto& info : EventTypes()) {
      if (info.category == category.key) members.emplace_back(info.type);
    }
    categories.push_back({{"key", category.key},
                          {"label", category.label},
                          {"color", category.color},
                          {"eventTypes", members}});
    colors.emplace(category.key, category.color);
    filters.push_back({{"value", category.key}, {"label", category.label},
                       {"eventTypes", std::move(members)}});
  }
  auto strings = [](const auto& list) {
    boost::json::array out;
    for (const char* s : list) out.emplace_back(s);
    return out;
  };
  return {{"eventTypes", std::move(types)},
          {"categories", std::move(categories)},
          {"categoryColors", std::move(colors)},
          {"failureColor", kFailureColor},
          {"filterOptions", std::move(filters)},
          {"severities", strings(kSeverities)},
          {"sourceServices", strings(kSourceServices)},
          {"reportReasons", strings(kReportReasons)},
          {"reportStatuses",
           boost::json::array{"pending", "reviewed", "resolved", "dismissed"}}};
}

}  // namespace gatehouse::audit
