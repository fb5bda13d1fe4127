#include "modules/realtime/messages.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace gatehouse::modules::realtime {
namespace {

TEST(RealtimeMessages, EncodesTypeDataAndMillisecondTimestamp) {
  const auto now = core::FromUnixMillis(1771027200123);  // 2026-02-14T00:00:00.123Z
  const auto frame = Encode(kSessionRevoked, {{"sessionId", "s1"}}, now);
  const auto value = boost::json::parse(*frame).as_object();
  EXPECT_EQ(value.size(), 3u);
  EXPECT_EQ(value.at("type").as_string(), "sessionRevoked");
  EXPECT_EQ(value.at("data").as_object().at("sessionId").as_string(), "s1");
  EXPECT_EQ(value.at("timestamp").as_string(), "2026-02-14T00:00:00.123Z");
}

TEST(RealtimeMessages, TypesAreSeed001sUnion) {
  // UserStatusMessageType | PermissionMessageType | AccountLinkMessageType, exactly.
  EXPECT_EQ(kAccountDeleted, "accountDeleted");
  EXPECT_EQ(kAccountBanned, "accountBanned");
  EXPECT_EQ(kSessionRevoked, "sessionRevoked");
  EXPECT_EQ(kForceLogout, "forceLogout");
  EXPECT_EQ(kRolesUpdated, "rolesUpdated");
  EXPECT_EQ(kPermissionsUpdated, "permissionsUpdated");
  EXPECT_EQ(kRolePermissionsChanged, "rolePermissionsChanged");
  EXPECT_EQ(kEmailLinkVerified, "emailLinkVerified");
  EXPECT_EQ(kEmailChangeVerified, "emailChangeVerified");
}

}  // namespace
}  // namespace gatehouse::modules::realtime
