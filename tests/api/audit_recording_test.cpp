// Every state change of the identity and authorization routes writes its audit event in the
// same transaction; reads, refreshes and refused requests write none (refresh-token reuse and
// failed logins are the exceptions: they are security events). Checked by reading the store.
#include <gtest/gtest.h>

#include "support/audit_log.hpp"
#include "support/backend.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"

namespace gatehouse::testing {
namespace {

class AuditRecording : public BackendTest {};

TEST_P(AuditRecording, IdentityRoutesWriteTheirEvents) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const std::string alice = "/v1/user/users/" + cast.alice.id;

  // A second session for alice, to revoke.
  Account alice2;
  ASSERT_TRUE(Login(client, cast.alice.email, kPassword, &alice2));

  RunScenarios(server, {
      {.name = "register", .method = "POST", .path = "/v1/auth/register",
       .body = R"({"email":"carol@example.com","password":"correct horse battery staple"})",
       .expected_status = 201,
       .expected_audit_events = {"user_created", "session_created"}},
      {.name = "login", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("carol@example.com", kPassword),
       .expected_audit_events = {"login"}},
      {.name = "wrong password", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("carol@example.com", "not the password"), .expected_status = 401,
       .expected_audit_events = {"login_failed"}},
      {.name = "unknown account", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("nobody@example.com", "not the password"), .expected_status = 401,
       .expected_audit_events = {"login_failed"}},
      {.name = "reads write nothing", .path = "/v1/user/@me", .headers = cast.alice.Auth(),
       .no_audit_events = true},
      {.name = "refresh writes nothing", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", alice2.refresh}}, .expected_status = 201,
       .no_audit_events = true},
      {.name = "refresh reuse is a security event", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", alice2.refresh}}, .expected_status = 401,
       .expected_audit_events = {"refresh_token_reused"}},
      {.name = "profile update", .method = "PATCH", .path = "/v1/user/@me",
       .headers = cast.alice.Auth(), .body = R"({"name":"Alice A."})",
       .expected_audit_events = {"user_updated"}},
      {.name = "mass assignment writes nothing", .method = "PATCH", .path = "/v1/user/@me",
       .headers = cast.alice.Auth(), .body = R"({"roles":["admin"]})", .expected_status = 400,
       .no_audit_events = true},
      {.name = "revoke others", .method = "POST", .path = "/v1/sessions/revoke-others",
       .headers = cast.alice.Auth(), .body = "{}",
       .expected_audit_events = {"sessions_revoked_all"}},
      {.name = "password change", .method = "PATCH", .path = "/v1/user/@me/password",
       .headers = cast.alice.Auth(),
       .body = R"({"currentPassword":"correct horse battery staple",)"
               R"("newPassword":"another long passphrase"})",
       .expected_audit_events = {"password_changed"}},
      {.name = "role assigned", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"roles":["user","moderator"]})",
       .expected_audit_events = {"role_assigned"}},
      {.name = "role removed", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"roles":["user"]})", .expected_audit_events = {"role_removed"}},
      {.name = "direct nodes", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"permissions":["company.fetch"]})",
       .expected_audit_events = {"permissions_changed"}},
      {.name = "escalation refused, nothing written", .method = "PATCH",
       .path = "/v1/user/users/" + cast.admin.id, .headers = cast.admin.Auth(),
       .body = R"({"roles":["super_admin"]})", .expected_status = 403, .no_audit_events = true},
      {.name = "ban", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"status":"banned"})", .expected_audit_events = {"user_banned"}},
      {.name = "unban", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"status":"active"})", .expected_audit_events = {"user_unbanned"}},
      {.name = "role created", .method = "POST", .path = "/v1/role", .headers = cast.super.Auth(),
       .body = R"({"title":"Viewer","moniker":"viewer","permissions":["company.fetch"]})",
       .expected_status = 201, .expected_audit_events = {"role_created"}},
      {.name = "role nodes added", .method = "POST", .path = "/v1/role/viewer/permissions",
       .headers = cast.super.Auth(), .body = R"({"permissions":["company.create"]})",
       .expected_audit_events = {"role_updated"}},
      {.name = "role deleted", .method = "DELETE", .path = "/v1/role/viewer",
       .headers = cast.super.Auth(), .expected_audit_events = {"role_deleted"}},
      {.name = "user deleted", .method = "DELETE", .path = "/v1/user/users/" + cast.bob.id,
       .headers = cast.super.Auth(), .expected_audit_events = {"user_deleted"}},
  });

  Account again;
  ASSERT_TRUE(Login(client, "carol@example.com", kPassword, &again));
  RunScenarios(server, {
      {.name = "revoke one session", .method = "POST", .path = "/v1/sessions/revoke",
       .headers = again.Auth(),
       .body = R"({"sessionId":"00000000-0000-7000-8000-000000000000"})",
       .expected_status = 404, .no_audit_events = true},
      {.name = "logout", .method = "POST", .path = "/v1/auth/logout", .headers = again.Auth(),
       .expected_audit_events = {"logout"}},
  });

  // Events carry who acted and from where, and never a secret.
  auto actors = QueryStore(server, "SELECT coalesce(actor_id, '') FROM audit_events "
                                   "WHERE event_type = 'user_banned'");
  ASSERT_EQ(actors.size(), 1u);
  EXPECT_EQ(actors.front(), cast.super.id);
  auto rows = QueryStore(server, "SELECT metadata || coalesce(description, '') || "
                                 "coalesce(user_agent, '') FROM audit_events");
  for (const auto& row : rows) {
    EXPECT_EQ(row.find(kPassword), std::string::npos) << row;
    EXPECT_EQ(row.find("another long passphrase"), std::string::npos) << row;
    EXPECT_EQ(row.find(alice2.refresh), std::string::npos) << row;
  }
}

GATEHOUSE_INSTANTIATE_BACKENDS(AuditRecording);

}  // namespace
}  // namespace gatehouse::testing
