// Helpers for authorization API tests (roles, permission nodes, the catalog): five-caller rows
// for scenario tables, creating roles and handing out roles and direct nodes as a given caller,
// and reading back what someone holds — the role's nodes, a user's UserPermissions, and
// POST /v1/user/@me/check-permission answers.
//
//   authz::AddCallers(table, cast, "GET role", "GET", "/v1/role/admin", "", {401, 403, 403, 200,
//   200}); std::string id;  ASSERT_TRUE(authz::CreateRole(client, cast.super, "viewer",
//   {"user.read"}, &id)); ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.alice.id, {"user",
//   "viewer"})); EXPECT_EQ(authz::Check(client, cast.alice, "company.fetch"),
//   std::optional<bool>(false));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"

namespace gatehouse::testing::authz {

// Expected status per caller: anonymous, user (alice), other user (bob), admin, super admin.
struct CallerStatuses {
  int anonymous, user, other, admin, super;
};

// Adds one row per caller for the same request. 401 rows expect error "Unauthorized", 403 rows
// "InsufficientPermission" with seed 002's "Insufficient permissions"; the other rows expect
// `fragments`, and the 2xx ones run `on_success`.
void AddCallers(std::vector<Scenario>& table, const Cast& cast, const std::string& name,
                const std::string& method, const std::string& path, const std::string& body,
                CallerStatuses expected, std::function<void(const Response&)> on_success = {},
                std::vector<JsonFragment> fragments = {});

// The same for any callers: (name for the row, headers, expected status) each.
using Caller = std::tuple<std::string, Headers, int>;
void AddRows(std::vector<Scenario>& table, const std::string& name, const std::string& method,
             const std::string& path, const std::string& body, const std::vector<Caller>& callers,
             std::function<void(const Response&)> on_success = {},
             std::vector<JsonFragment> fragments = {});

// {"permissions": [...]} and friends.
std::string NodesBody(const std::vector<std::string>& nodes);
std::string RoleBody(const std::string& title, const std::string& moniker,
                     const std::vector<std::string>& nodes);

// POST /v1/role as `actor`; expects 201 and stores the new role's id in `id` (if given).
::testing::AssertionResult CreateRole(HttpClient& client, const Account& actor,
                                      const std::string& moniker,
                                      const std::vector<std::string>& nodes,
                                      std::string* id = nullptr);
// PATCH /v1/user/users/:id {"roles": [...]} / {"permissions": [...]} as `actor`; expects 200.
::testing::AssertionResult SetRoles(HttpClient& client, const Account& actor,
                                    const std::string& user_id,
                                    const std::vector<std::string>& roles);
::testing::AssertionResult SetDirectNodes(HttpClient& client, const Account& actor,
                                          const std::string& user_id,
                                          const std::vector<std::string>& nodes);

// The nodes of a role as the super admin reads them (GET /v1/role/:identifier); nullopt when
// the read fails (the failure is reported with ADD_FAILURE).
std::optional<std::set<std::string>> RoleNodes(HttpClient& client, const Account& reader,
                                               const std::string& identifier);
// GET /v1/user/users/:id/permissions as `reader` -> data (seed 001 UserPermissions), or null.
boost::json::value UserPermissions(HttpClient& client, const Account& reader,
                                   const std::string& user_id);

// POST /v1/user/@me/check-permission as `who`: one answer per node, in order; nullopt when the
// request fails (reported with ADD_FAILURE).
std::optional<std::vector<bool>> CheckAll(HttpClient& client, const Account& who,
                                          const std::vector<std::string>& nodes);
std::optional<bool> Check(HttpClient& client, const Account& who, const std::string& node);

// The strings of a JSON array (non-strings are skipped); empty when `value` is not an array.
std::set<std::string> StringSet(const boost::json::value& value);

}  // namespace gatehouse::testing::authz
