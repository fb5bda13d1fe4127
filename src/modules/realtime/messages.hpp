// The server messages of the realtime channel: exactly seed 001's ServerMessage union, each
// sent as one text frame {"type": …, "data": {…}, "timestamp": "2026-02-14T00:00:00.000Z"}.
// A message is encoded once and the same bytes are shared by every socket it goes to.
//
//   auto frame = Encode(kRolesUpdated, {{"userId", id}, ...}, clock.Now());
//   connection->Send(frame);
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace gatehouse::modules::realtime {

// When adding a type, also update docs/api.md ("Realtime") and the hub that produces it.
// UserStatusMessageType
inline constexpr std::string_view kAccountDeleted = "accountDeleted";
inline constexpr std::string_view kAccountBanned = "accountBanned";
inline constexpr std::string_view kSessionRevoked = "sessionRevoked";
inline constexpr std::string_view kForceLogout = "forceLogout";
// PermissionMessageType
inline constexpr std::string_view kRolesUpdated = "rolesUpdated";
inline constexpr std::string_view kPermissionsUpdated = "permissionsUpdated";
inline constexpr std::string_view kRolePermissionsChanged = "rolePermissionsChanged";
// AccountLinkMessageType (reserved for the email flows; no producer yet)
inline constexpr std::string_view kEmailLinkVerified = "emailLinkVerified";
inline constexpr std::string_view kEmailChangeVerified = "emailChangeVerified";

std::shared_ptr<const std::string> Encode(std::string_view type, boost::json::object data,
                                          core::TimePoint now);

}  // namespace gatehouse::modules::realtime
