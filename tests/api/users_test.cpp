// Users seen from outside: seed 002's user routes, seeds 000/001's profile, permissions,
// accounts and exists, seed 004's search — each tried by anonymous, the user, another user, an
// admin (role_admin) and a super admin — plus the rules for changing roles, permissions and
// status (no escalation, last super admin, ban/delete end sessions). Runs against SQLite and
// again against PostgreSQL.
#include <algorithm>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;

const std::vector<std::string> kSeedUserKeys = {"id",    "name",  "email",     "login",
                                                "image", "roles", "createdAt", "updatedAt"};
const std::set<std::string> kProfileKeys = {"name",          "picture",       "provider",
                                            "primary_provider", "last_login_at", "created_at"};
const std::set<std::string> kPermissionsKeys = {"roles", "role_ids", "permissions",
                                                "is_super_admin"};
const std::set<std::string> kAccountKeys = {"id",         "platform_id", "platform_name",
                                            "platform_slug", "is_oauth",  "is_primary",
                                            "username",   "email",       "avatar_url",
                                            "created_at"};

std::string NotFoundMessage(const std::string& identifier) {
  return "User with identifier '" + identifier + "' was not found.";
}

bool Contains(const json::value& array, const json::value& item) {
  if (!array.is_array()) return false;
  return std::find(array.as_array().begin(), array.as_array().end(), item) !=
         array.as_array().end();
}

void ExpectSeedUser(const Response& r, std::string_view pointer = "/data") {
  json::value user = At(r, pointer);
  ASSERT_TRUE(user.is_object()) << r.body;
  for (const auto& key : kSeedUserKeys) {
    EXPECT_TRUE(user.as_object().contains(key)) << "user lacks " << key << ": " << r.body;
  }
}

// Who is asking, in STYLE.md's five-caller tables.
struct Statuses {
  int anonymous, user, other, admin, super;
};

// Adds one row per caller for the same request. `user` is alice (the target of the :id routes,
// i.e. herself), `other` is bob.
void AddCallerRows(std::vector<Scenario>& table, const Cast& cast, const std::string& name,
                   const std::string& method, const std::string& path, const std::string& body,
                   Statuses expected, std::function<void(const Response&)> on_success = {}) {
  const std::vector<std::tuple<std::string, Headers, int>> callers = {
      {"anonymous", {}, expected.anonymous},
      {"user", cast.alice.Auth(), expected.user},
      {"other user", cast.bob.Auth(), expected.other},
      {"admin", cast.admin.Auth(), expected.admin},
      {"super admin", cast.super.Auth(), expected.super},
  };
  for (const auto& [who, headers, status] : callers) {
    Scenario row{.name = name + " by " + who, .method = method, .path = path, .headers = headers,
                 .body = body, .expected_status = status};
    if (status == 401) row.expected_fragments = {{"/error", "Unauthorized"}};
    if (status == 403) row.expected_fragments = {{"/error", "InsufficientPermission"}};
    if (status >= 200 && status < 300) row.check = on_success;
    table.push_back(std::move(row));
  }
}

class Users : public BackendTest {};

TEST_P(Users, EveryRouteByFiveCallers) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Account victim1, victim2;
  ASSERT_TRUE(Register(client, "victim1@example.com", kPassword, &victim1));
  ASSERT_TRUE(Register(client, "victim2@example.com", kPassword, &victim2));
  const std::string alice = "/v1/user/users/" + cast.alice.id;
  const std::string check_body = R"({"permissions":["user.read","user.read.other"]})";

  std::vector<Scenario> t;
  // The caller's own account (seed 002).
  AddCallerRows(t, cast, "GET @me", "GET", "/v1/user/@me", "", {401, 200, 200, 200, 200},
                [](const Response& r) { ExpectSeedUser(r); });
  AddCallerRows(t, cast, "PATCH @me", "PATCH", "/v1/user/@me", R"({"name":"Me"})",
                {401, 200, 200, 200, 200});
  AddCallerRows(t, cast, "check my permissions", "POST", "/v1/user/@me/check-permission",
                check_body, {401, 200, 200, 200, 200});
  // Other users (seed 002): user.read.other and friends, even for oneself.
  AddCallerRows(t, cast, "list users", "GET", "/v1/user/users", "", {401, 403, 403, 200, 200},
                [](const Response& r) { ExpectSeedUser(r, "/data/0"); });
  AddCallerRows(t, cast, "GET alice", "GET", alice, "", {401, 403, 403, 200, 200},
                [&](const Response& r) {
                  ExpectSeedUser(r);
                  EXPECT_TRUE(HasJson(r, "/data/id", cast.alice.id));
                  EXPECT_TRUE(HasJson(r, "/message", "User Fetched Successfully!"));
                });
  AddCallerRows(t, cast, "PATCH alice's name", "PATCH", alice, R"({"name":"Alice A."})",
                {401, 403, 403, 200, 200}, [](const Response& r) {
                  EXPECT_TRUE(HasJson(r, "/data/name", "Alice A."));
                  EXPECT_TRUE(HasJson(r, "/message", "User Updated Successfully!"));
                });
  AddCallerRows(t, cast, "alice's roles", "GET", alice + "/roles", "", {401, 403, 403, 200, 200},
                [](const Response& r) {
                  EXPECT_TRUE(HasJson(r, "/data/0/id", "role_user"));
                  EXPECT_TRUE(KeysAre(At(r, "/data/0"), {"id", "title", "moniker", "permissions"}));
                });
  AddCallerRows(t, cast, "check alice's permissions", "POST", alice + "/check-permission",
                check_body, {401, 403, 403, 200, 200}, [](const Response& r) {
                  EXPECT_TRUE(HasJson(r, "/data/results/0/hasPermission", true));
                  EXPECT_TRUE(HasJson(r, "/data/results/1/hasPermission", false));
                });
  // Seeds 000/001: one's own, or another's with user.read.other.
  AddCallerRows(t, cast, "alice's profile", "GET", alice + "/profile", "",
                {401, 200, 403, 200, 200},
                [](const Response& r) { EXPECT_TRUE(KeysAre(At(r, "/data"), kProfileKeys)); });
  AddCallerRows(t, cast, "alice's permissions", "GET", alice + "/permissions", "",
                {401, 200, 403, 200, 200}, [](const Response& r) {
                  EXPECT_TRUE(KeysAre(At(r, "/data"), kPermissionsKeys));
                  EXPECT_TRUE(HasJson(r, "/data/is_super_admin", false));
                });
  AddCallerRows(t, cast, "alice's accounts", "GET", alice + "/accounts", "",
                {401, 200, 403, 200, 200},
                [](const Response& r) { EXPECT_TRUE(KeysAre(At(r, "/data/0"), kAccountKeys)); });
  AddCallerRows(t, cast, "alice exists", "GET", alice + "/exists", "", {401, 200, 403, 200, 200},
                [](const Response& r) { EXPECT_TRUE(HasJson(r, "/data/exists", true)); });
  AddCallerRows(t, cast, "alice's sessions", "GET", alice + "/sessions", "",
                {401, 200, 403, 200, 200});
  AddCallerRows(t, cast, "my profile via @me", "GET", "/v1/user/users/@me/profile", "",
                {401, 200, 200, 200, 200});
  // Seed 004.
  AddCallerRows(t, cast, "search", "GET", "/v1/user/search?query=alice", "",
                {401, 200, 200, 200, 200});
  // Delete: the refused callers try victim1 first; admin then deletes it, super admin victim2.
  for (const auto& [who, headers, status] :
       std::vector<std::tuple<std::string, Headers, int>>{
           {"anonymous", {}, 401},
           {"user", cast.alice.Auth(), 403},
           {"other user", cast.bob.Auth(), 403}}) {
    t.push_back({.name = "DELETE victim1 by " + who, .method = "DELETE",
                 .path = "/v1/user/users/" + victim1.id, .headers = headers,
                 .expected_status = status});
  }
  t.push_back({.name = "DELETE alice by herself through the admin route", .method = "DELETE",
               .path = alice, .headers = cast.alice.Auth(), .expected_status = 403});
  t.push_back({.name = "DELETE victim1 by admin", .method = "DELETE",
               .path = "/v1/user/users/" + victim1.id, .headers = cast.admin.Auth(),
               .expected_fragments = {{"/data/id", victim1.id},
                                      {"/message", "User Deleted Successfully!"}}});
  t.push_back({.name = "DELETE victim2 by super admin", .method = "DELETE",
               .path = "/v1/user/users/" + victim2.id, .headers = cast.super.Auth(),
               .expected_fragments = {{"/data/id", victim2.id}}});
  RunScenarios(server, t);
}

TEST_P(Users, Seed001PayloadsFieldForField) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const std::string alice = "/v1/user/users/" + cast.alice.id;
  const std::string image = "https://cdn.example.com/alice.png";
  ASSERT_EQ(client.Request("PATCH", "/v1/user/@me", cast.alice.Auth(),
                           JsonText(json::object{{"name", "Alice"}, {"image", image}}))
                .status,
            200);
  RunScenarios(server, {
      {.name = "UserProfile", .path = alice + "/profile", .headers = cast.alice.Auth(),
       .expected_fragments = {{"/data/name", "Alice"}, {"/data/picture", image},
                              {"/data/provider", "email"}, {"/data/primary_provider", "email"},
                              {"/message", "Profile Fetched Successfully!"}},
       .check = [](const Response& r) {
         EXPECT_TRUE(KeysAre(At(r, "/data"), kProfileKeys));
         EXPECT_TRUE(IsIsoTimestamp(At(r, "/data/last_login_at"))) << r.body;
         EXPECT_TRUE(IsIsoTimestamp(At(r, "/data/created_at"))) << r.body;
       }},
      {.name = "UserPermissions of a user", .path = alice + "/permissions",
       .headers = cast.alice.Auth(),
       .expected_fragments = {{"/data/roles", json::array{"User"}},
                              {"/data/role_ids", json::array{"role_user"}},
                              {"/data/is_super_admin", false}},
       .check = [](const Response& r) {
         EXPECT_TRUE(KeysAre(At(r, "/data"), kPermissionsKeys));
         json::value nodes = At(r, "/data/permissions");
         EXPECT_TRUE(Contains(nodes, "user.read")) << r.body;
         EXPECT_TRUE(Contains(nodes, "session.revoke")) << r.body;
         EXPECT_FALSE(Contains(nodes, "*")) << r.body;
         EXPECT_FALSE(Contains(nodes, "user.read.other")) << r.body;
       }},
      {.name = "UserPermissions of an admin",
       .path = "/v1/user/users/" + cast.admin.id + "/permissions", .headers = cast.admin.Auth(),
       .expected_fragments = {{"/data/is_super_admin", false}},
       .check = [](const Response& r) {
         EXPECT_TRUE(Contains(At(r, "/data/role_ids"), "role_admin")) << r.body;
         EXPECT_TRUE(Contains(At(r, "/data/roles"), "Admin")) << r.body;
         EXPECT_TRUE(Contains(At(r, "/data/permissions"), "user.*")) << r.body;
       }},
      {.name = "UserPermissions of the super admin",
       .path = "/v1/user/users/" + cast.super.id + "/permissions", .headers = cast.super.Auth(),
       .expected_fragments = {{"/data/is_super_admin", true}},
       .check = [](const Response& r) {
         EXPECT_TRUE(Contains(At(r, "/data/role_ids"), "role_super_admin")) << r.body;
         EXPECT_TRUE(Contains(At(r, "/data/role_ids"), "role_user")) << r.body;
         EXPECT_TRUE(Contains(At(r, "/data/permissions"), "*")) << r.body;
       }},
      {.name = "PlatformAccount[]: one email account after register",
       .path = alice + "/accounts", .headers = cast.alice.Auth(),
       .expected_fragments = {{"/data/0/platform_slug", "email"},
                              {"/data/0/platform_name", "Email"},
                              {"/data/0/is_oauth", false},
                              {"/data/0/is_primary", true},
                              {"/data/0/email", "alice@example.com"},
                              {"/data/0/avatar_url", nullptr}},
       .check = [](const Response& r) {
         json::value data = At(r, "/data");
         ASSERT_TRUE(data.is_array()) << r.body;
         EXPECT_EQ(data.as_array().size(), 1u) << r.body;
         EXPECT_TRUE(KeysAre(data.at(0), kAccountKeys));
         EXPECT_TRUE(IsUuidV7(json::value_to<std::string>(data.at(0).at("id")))) << r.body;
         EXPECT_TRUE(data.at(0).at("platform_id").is_string()) << r.body;
         EXPECT_TRUE(data.at(0).at("username").is_string() &&
                     !data.at(0).at("username").as_string().empty())
             << r.body;
         EXPECT_TRUE(IsIsoTimestamp(data.at(0).at("created_at"))) << r.body;
       }},
      {.name = "exists", .path = alice + "/exists", .headers = cast.alice.Auth(),
       .expected_fragments = {{"/data", json::object{{"exists", true}}}}},
      {.name = "exists: an unknown id, asked by an admin",
       .path = "/v1/user/users/0192f000-0000-7000-8000-000000000000/exists",
       .headers = cast.admin.Auth(),
       .expected_fragments = {{"/data", json::object{{"exists", false}}}}},
      {.name = "seed 002 user object", .path = "/v1/user/@me", .headers = cast.alice.Auth(),
       .expected_fragments = {{"/data/id", cast.alice.id}, {"/data/name", "Alice"},
                              {"/data/email", "alice@example.com"}, {"/data/login", nullptr},
                              {"/data/image", image}, {"/data/roles", json::array{"user"}},
                              {"/message", "Fetched user."}},
       .check = [](const Response& r) {
         ExpectSeedUser(r);
         EXPECT_TRUE(IsIsoTimestamp(At(r, "/data/createdAt")));
         EXPECT_TRUE(IsIsoTimestamp(At(r, "/data/updatedAt")));
       }},
      {.name = "user roles (seed 002)", .path = alice + "/roles", .headers = cast.admin.Auth(),
       .expected_fragments = {{"/data/0/id", "role_user"}, {"/data/0/title", "User"},
                              {"/data/0/moniker", "user"},
                              {"/message", "User Roles Fetched Successfully!"}},
       .check = [](const Response& r) {
         EXPECT_EQ(ArrayAt(r, "/data").size(), 1u) << r.body;
       }},
      {.name = "check-permission (seed 002)", .method = "POST",
       .path = "/v1/user/@me/check-permission", .headers = cast.alice.Auth(),
       .body = R"({"permissions":["user.read","company.create"]})",
       .expected_fragments = {
           {"/data", json::object{{"results",
                                   json::array{json::object{{"permission", "user.read"},
                                                            {"hasPermission", true}},
                                               json::object{{"permission", "company.create"},
                                                            {"hasPermission", false}}}}}},
           {"/message", "Permission check completed."}}},
      {.name = "check-permission refuses wildcards", .method = "POST",
       .path = "/v1/user/@me/check-permission", .headers = cast.alice.Auth(),
       .body = R"({"permissions":["*"]})", .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"permissions", "0"}}}},
  });
}

TEST_P(Users, UnknownUserIs404WithSeedMessage) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  std::vector<Scenario> t;
  for (const std::string& id : {std::string("nobody-here"),
                               std::string("0192f000-0000-7000-8000-000000000000"),
                               std::string("ghost@example.com")}) {
    const std::string base = "/v1/user/users/" + id;
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"GET", base}, {"PATCH", base}, {"DELETE", base}, {"GET", base + "/roles"},
        {"POST", base + "/check-permission"}, {"GET", base + "/profile"},
        {"GET", base + "/permissions"}, {"GET", base + "/accounts"}};
    for (const auto& [method, path] : requests) {
      std::string body;
      if (method == "PATCH") body = R"({"name":"x"})";
      if (method == "POST") body = R"({"permissions":["user.read"]})";
      t.push_back({.name = method + " " + path, .method = method, .path = path,
                   .headers = cast.super.Auth(), .body = body, .expected_status = 404,
                   .expected_fragments = {{"/error", "UserNotFound"},
                                          {"/message", NotFoundMessage(id)}}});
    }
    t.push_back({.name = "exists " + id, .path = base + "/exists", .headers = cast.super.Auth(),
                 .expected_fragments = {{"/data/exists", false}}});
  }
  t.push_back({.name = "by email", .path = "/v1/user/users/alice@example.com",
               .headers = cast.admin.Auth(), .expected_fragments = {{"/data/id", cast.alice.id}}});
  t.push_back({.name = "by email, other case", .path = "/v1/user/users/Alice@Example.com",
               .headers = cast.admin.Auth(), .expected_fragments = {{"/data/id", cast.alice.id}}});
  RunScenarios(server, t);
}

TEST_P(Users, SelfUpdateTakesOnlyNameAndImage) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const std::string url = "/v1/user/@me";
  auto path_is = [](json::array path) {
    return std::pair<std::string, json::value>{"/errors/0/path", std::move(path)};
  };
  const Headers auth = cast.alice.Auth();
  RunScenarios(server, {
      {.name = "name and image", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"name":"Alice Liddell","image":"https://example.com/a.png"})",
       .expected_fragments = {{"/data/name", "Alice Liddell"},
                              {"/data/image", "https://example.com/a.png"},
                              {"/message", "Successfully updated user."}}},
      {.name = "email", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"email":"evil@example.com"})", .expected_status = 400,
       .expected_fragments = {{"/error", "ValidationError"}, path_is({"email"})}},
      {.name = "roles", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"roles":["super_admin"]})", .expected_status = 400,
       .expected_fragments = {path_is({"roles"})}},
      {.name = "permissions", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"permissions":["*"]})", .expected_status = 400,
       .expected_fragments = {path_is({"permissions"})}},
      {.name = "status", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"status":"active"})", .expected_status = 400,
       .expected_fragments = {path_is({"status"})}},
      {.name = "password", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"password":"new password 123"})", .expected_status = 400,
       .expected_fragments = {path_is({"password"})}},
      {.name = "javascript: image", .method = "PATCH", .path = url, .headers = auth,
       .body = R"x({"image":"javascript:alert(1)"})x", .expected_status = 400,
       .expected_fragments = {path_is({"image"})}},
      {.name = "padded JAVASCRIPT: image", .method = "PATCH", .path = url, .headers = auth,
       .body = R"x({"image":"  JavaScript:alert(1)"})x", .expected_status = 400,
       .expected_fragments = {path_is({"image"})}},
      {.name = "data: image", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"image":"data:text/html;base64,PHNjcmlwdD4="})", .expected_status = 400,
       .expected_fragments = {path_is({"image"})}},
      {.name = "name of the wrong type", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"name":5})", .expected_status = 400,
       .expected_fragments = {path_is({"name"})}},
      {.name = "empty name", .method = "PATCH", .path = url, .headers = auth,
       .body = R"({"name":"   "})", .expected_status = 400,
       .expected_fragments = {path_is({"name"})}},
      {.name = "not an object", .method = "PATCH", .path = url, .headers = auth,
       .body = R"(["name"])", .expected_status = 400},
      {.name = "nothing else changed", .path = url, .headers = auth,
       .expected_fragments = {{"/data/email", "alice@example.com"},
                              {"/data/name", "Alice Liddell"},
                              {"/data/image", "https://example.com/a.png"},
                              {"/data/roles", json::array{"user"}}}},
      {.name = "still no admin rights", .path = "/v1/user/users", .headers = auth,
       .expected_status = 403},
  });
}

TEST_P(Users, AdminUpdateRejectsUnknownOrInvalidFields) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const std::string url = "/v1/user/users/" + cast.alice.id;
  std::vector<Scenario> t;
  const std::vector<std::tuple<std::string, std::string, json::array>> rows = {
      {"email", R"({"email":"evil@example.com"})", {"email"}},
      {"password", R"({"password":"new password 123"})", {"password"}},
      {"id", R"({"id":"0192f000-0000-7000-8000-000000000000"})", {"id"}},
      {"createdAt", R"({"createdAt":"2020-01-01T00:00:00.000Z"})", {"createdAt"}},
      {"status deleted", R"({"status":"deleted"})", {"status"}},
      {"status unknown", R"({"status":"god"})", {"status"}},
      {"unknown role", R"({"roles":["no_such_role"]})", {"roles", "0"}},
      {"invalid node", R"({"permissions":["Not A Node"]})", {"permissions", "0"}},
      {"roles not an array", R"({"roles":"admin"})", {"roles"}},
  };
  for (const auto& [name, body, path] : rows) {
    t.push_back({.name = name, .method = "PATCH", .path = url, .headers = cast.super.Auth(),
                 .body = body, .expected_status = 400,
                 .expected_fragments = {{"/error", "ValidationError"}, {"/errors/0/path", path}}});
  }
  t.push_back({.name = "alice is unchanged", .path = url, .headers = cast.super.Auth(),
               .expected_fragments = {{"/data/email", "alice@example.com"},
                                      {"/data/roles", json::array{"user"}},
                                      {"/data/status", "active"}}});
  RunScenarios(server, t);
}

TEST_P(Users, ChangingRolesOrPermissionsNeedsTheirOwnNodes) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  // bob may write other users, nothing more.
  ASSERT_EQ(PatchUser(client, cast.super, cast.bob.id, R"({"permissions":["user.write.other"]})")
                .status,
            200);
  const std::string url = "/v1/user/users/" + cast.alice.id;
  RunScenarios(server, {
      {.name = "roles", .method = "PATCH", .path = url, .headers = cast.bob.Auth(),
       .body = R"({"roles":["moderator","user"]})", .expected_status = 403,
       .expected_fragments = {
           {"/error", "InsufficientPermission"},
           {"/message", "You do not have permission to modify roles on another user."}}},
      {.name = "roles with a name change", .method = "PATCH", .path = url,
       .headers = cast.bob.Auth(), .body = R"({"name":"x","roles":["user"]})",
       .expected_status = 403},
      {.name = "permissions", .method = "PATCH", .path = url, .headers = cast.bob.Auth(),
       .body = R"({"permissions":["user.read"]})", .expected_status = 403,
       .expected_fragments = {{"/error", "InsufficientPermission"}}},
      {.name = "status", .method = "PATCH", .path = url, .headers = cast.bob.Auth(),
       .body = R"({"status":"banned"})", .expected_status = 403},
      {.name = "name alone is fine", .method = "PATCH", .path = url, .headers = cast.bob.Auth(),
       .body = R"({"name":"Renamed by Bob"})",
       .expected_fragments = {{"/data/name", "Renamed by Bob"}}},
      {.name = "nothing else changed", .path = url, .headers = cast.super.Auth(),
       .expected_fragments = {{"/data/roles", json::array{"user"}},
                              {"/data/status", "active"},
                              {"/data/name", "Renamed by Bob"}}},
      {.name = "alice still works", .path = "/v1/user/@me", .headers = cast.alice.Auth()},
      {.name = "taking the node away works at once", .method = "PATCH",
       .path = "/v1/user/users/" + cast.bob.id, .headers = cast.super.Auth(),
       .body = R"({"permissions":[]})"},
      {.name = "bob can no longer write others", .method = "PATCH", .path = url,
       .headers = cast.bob.Auth(), .body = R"({"name":"again"})", .expected_status = 403},
  });
}

TEST_P(Users, AdminsCannotGrantWhatTheyDoNotHold) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const std::string alice = "/v1/user/users/" + cast.alice.id;
  const std::string admin = "/v1/user/users/" + cast.admin.id;
  const std::string root = "/v1/user/users/" + cast.super.id;
  const Headers by_admin = cast.admin.Auth();
  RunScenarios(server, {
      {.name = "assign super_admin by moniker", .method = "PATCH", .path = alice,
       .headers = by_admin, .body = R"({"roles":["super_admin","user"]})",
       .expected_status = 403, .expected_fragments = {{"/error", "InsufficientPermission"}}},
      {.name = "assign role_super_admin by id", .method = "PATCH", .path = alice,
       .headers = by_admin, .body = R"({"roles":["role_super_admin","user"]})",
       .expected_status = 403},
      {.name = "grant *", .method = "PATCH", .path = alice, .headers = by_admin,
       .body = R"({"permissions":["*"]})", .expected_status = 403},
      {.name = "grant a node outside role_admin", .method = "PATCH", .path = alice,
       .headers = by_admin, .body = R"({"permissions":["role.create"]})",
       .expected_status = 403},
      {.name = "grant role.* (wider than role.read)", .method = "PATCH", .path = alice,
       .headers = by_admin, .body = R"({"permissions":["role.*"]})", .expected_status = 403},
      {.name = "alice is unchanged", .path = alice + "/permissions", .headers = cast.super.Auth(),
       .expected_fragments = {{"/data/role_ids", json::array{"role_user"}},
                              {"/data/is_super_admin", false}},
       .check = [](const Response& r) {
         EXPECT_FALSE(Contains(At(r, "/data/permissions"), "*")) << r.body;
         EXPECT_FALSE(Contains(At(r, "/data/permissions"), "role.create")) << r.body;
       }},
      {.name = "grant *  to oneself", .method = "PATCH", .path = admin, .headers = by_admin,
       .body = R"({"permissions":["*"]})", .expected_status = 403},
      {.name = "make oneself super admin", .method = "PATCH", .path = admin, .headers = by_admin,
       .body = R"({"roles":["super_admin","admin","user"]})", .expected_status = 403},
      {.name = "demote the super admin", .method = "PATCH", .path = root, .headers = by_admin,
       .body = R"({"roles":["user"]})", .expected_status = 403},
      {.name = "delete the super admin", .method = "DELETE", .path = root, .headers = by_admin,
       .expected_status = 403},
      {.name = "the super admin is intact", .path = root + "/permissions",
       .headers = cast.super.Auth(), .expected_fragments = {{"/data/is_super_admin", true}}},
      {.name = "within its own nodes: grant user.read.other", .method = "PATCH", .path = alice,
       .headers = by_admin, .body = R"({"permissions":["user.read.other"]})"},
      {.name = "within its own nodes: make alice a moderator", .method = "PATCH", .path = alice,
       .headers = by_admin, .body = R"({"roles":["moderator","user"]})",
       .check = [](const Response& r) {
         EXPECT_TRUE(Contains(At(r, "/data/roles"), "moderator")) << r.body;
       }},
      {.name = "alice's new nodes work at once", .path = "/v1/user/users",
       .headers = cast.alice.Auth()},
      {.name = "the super admin takes the admin role back", .method = "PATCH", .path = admin,
       .headers = cast.super.Auth(), .body = R"({"roles":["user"]})"},
      {.name = "the ex-admin's token loses admin rights at once", .path = "/v1/user/users",
       .headers = by_admin, .expected_status = 403},
  });
}

// Deleting a super admin needs a super admin; banning one (which ends all their sessions and
// locks them out just the same) must not be easier.
TEST_P(Users, AdminCannotBanASuperAdmin) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  ASSERT_EQ(AdminCreate(server, "root2@example.com", kPassword).exit_code, 0);
  HttpClient client(server.port());
  Account root2;
  ASSERT_TRUE(Login(client, "root2@example.com", kPassword, &root2));
  Response banned = PatchUser(client, cast.admin, root2.id, R"({"status":"banned"})");
  EXPECT_EQ(banned.status, 403) << "an admin without '*' banned a super admin: "
                                << banned.Describe();
  EXPECT_EQ(client.Get("/v1/user/@me", root2.Auth()).status, 200)
      << "the super admin's session was ended by an admin";
  Response deleted = client.Request("DELETE", "/v1/user/users/" + root2.id, cast.admin.Auth());
  EXPECT_EQ(deleted.status, 403) << deleted.Describe();
}

TEST_P(Users, TheLastSuperAdminCannotBeRemoved) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const std::string root = "/v1/user/users/" + cast.super.id;
  const Headers by_root = cast.super.Auth();
  RunScenarios(server, {
      {.name = "drop one's own super_admin role", .method = "PATCH", .path = root,
       .headers = by_root, .body = R"({"roles":["user"]})", .expected_status = 409,
       .expected_fragments = {{"/error", "LastSuperAdmin"}}},
      {.name = "ban oneself", .method = "PATCH", .path = root, .headers = by_root,
       .body = R"({"status":"banned"})", .expected_status = 409,
       .expected_fragments = {{"/error", "LastSuperAdmin"}}},
      {.name = "delete oneself", .method = "DELETE", .path = root, .headers = by_root,
       .expected_status = 409},
      {.name = "still a super admin", .path = root + "/permissions", .headers = by_root,
       .expected_fragments = {{"/data/is_super_admin", true}}},
  });
  ASSERT_EQ(AdminCreate(server, "root2@example.com", kPassword).exit_code, 0);
  HttpClient client(server.port());
  Account root2;
  ASSERT_TRUE(Login(client, "root2@example.com", kPassword, &root2));
  RunScenarios(server, {
      {.name = "with a second one, stepping down works", .method = "PATCH", .path = root,
       .headers = by_root, .body = R"({"roles":["user"]})"},
      {.name = "and takes effect at once", .path = "/v1/user/users", .headers = by_root,
       .expected_status = 403},
      {.name = "now root2 is the last", .method = "PATCH",
       .path = "/v1/user/users/" + root2.id, .headers = root2.Auth(),
       .body = R"({"roles":["user"]})", .expected_status = 409,
       .expected_fragments = {{"/error", "LastSuperAdmin"}}},
      {.name = "root2 cannot be deleted by anyone either", .method = "DELETE",
       .path = "/v1/user/users/" + root2.id, .headers = cast.admin.Auth(),
       .expected_status = 403},
  });
}

// Six super admins step down at the same moment: at most five may succeed. The race is
// retried over several rounds (the survivor re-promotes the others between rounds).
TEST_P(Users, ConcurrentStepDownsLeaveASuperAdmin) {
  // Enough workers that all six requests are inside their transactions at once.
  ServerProcess& server = NewServer(FastHashFlags({"--workers", "12"}));
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::vector<Account> roots = {cast.super};
  for (int i = 2; i <= 6; ++i) {
    const std::string email = "root" + std::to_string(i) + "@example.com";
    ASSERT_EQ(AdminCreate(server, email, kPassword).exit_code, 0);
    roots.emplace_back();
    ASSERT_TRUE(Login(client, email, kPassword, &roots.back()));
  }
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto responses = Burst(server.port(), 6, 6, [&](int i, HttpClient& c) {
      return c.Request("PATCH", "/v1/user/users/" + roots[i].id, roots[i].Auth(),
                       R"({"roles":["user"]})");
    });
    int stepped_down = 0;
    for (const auto& r : responses) {
      if (r.status == 200) {
        ++stepped_down;
      } else {
        EXPECT_EQ(r.status, 409) << r.Describe();
      }
    }
    const Account* survivor = nullptr;
    for (const auto& root : roots) {
      Response p = client.Get("/v1/user/users/" + root.id + "/permissions", root.Auth());
      if (At(p, "/data/is_super_admin") == json::value(true)) survivor = &root;
    }
    ASSERT_NE(survivor, nullptr) << stepped_down
                                 << " of 6 concurrent step-downs succeeded; no super admin is left";
    EXPECT_LE(stepped_down, 5);
    for (const auto& root : roots) {
      if (&root == survivor) continue;
      ASSERT_EQ(PatchUser(client, *survivor, root.id, R"({"roles":["super_admin","user"]})")
                    .status,
                200);
    }
  }
}

// DELETE refuses "yourself" by id or @me; naming yourself by email or login must not get past.
TEST_P(Users, CannotDeleteOneselfByAnyIdentifier) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  std::vector<Scenario> t;
  for (const std::string& me : {cast.admin.id, std::string("@me"),
                                std::string("admin@example.com"),
                                std::string("Admin@Example.com")}) {
    t.push_back({.name = "admin deletes " + me, .method = "DELETE",
                 .path = "/v1/user/users/" + me, .headers = cast.admin.Auth(),
                 .expected_status = 409,
                 .expected_fragments = {{"/error", "CannotDeleteSelf"}}});
  }
  t.push_back({.name = "the admin still exists", .path = "/v1/user/@me",
               .headers = cast.admin.Auth()});
  RunScenarios(server, t);
}

TEST_P(Users, BanEndsEverySessionAtOnce) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Account second;
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &second));
  const std::string alice = "/v1/user/users/" + cast.alice.id;
  RunScenarios(server, {
      {.name = "ban", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"status":"banned"})", .expected_fragments = {{"/data/status", "banned"}}},
      {.name = "first session dies at once", .path = "/v1/user/@me",
       .headers = cast.alice.Auth(), .expected_status = 401},
      {.name = "second session dies at once", .path = "/v1/sessions",
       .headers = second.Auth(), .expected_status = 401},
      {.name = "refresh refused", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", second.refresh}}, .expected_status = 401},
      {.name = "no sessions left", .path = alice + "/sessions", .headers = cast.admin.Auth(),
       .expected_fragments = {{"/data/sessions", json::array{}}}},
      {.name = "login refused", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", kPassword), .expected_status = 403,
       .expected_fragments = {{"/error", "AccountBanned"}}},
      {.name = "unban", .method = "PATCH", .path = alice, .headers = cast.super.Auth(),
       .body = R"({"status":"active"})", .expected_fragments = {{"/data/status", "active"}}},
      {.name = "old tokens stay dead", .path = "/v1/user/@me", .headers = cast.alice.Auth(),
       .expected_status = 401},
      {.name = "login works again", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", kPassword)},
  });
}

TEST_P(Users, DeleteEndsSessionsAndLogins) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const std::string alice = "/v1/user/users/" + cast.alice.id;
  RunScenarios(server, {
      {.name = "delete", .method = "DELETE", .path = alice, .headers = cast.admin.Auth(),
       .expected_fragments = {{"/data/id", cast.alice.id}}},
      {.name = "her token dies at once", .path = "/v1/user/@me", .headers = cast.alice.Auth(),
       .expected_status = 401},
      {.name = "refresh refused", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", cast.alice.refresh}}, .expected_status = 401},
      {.name = "login refused like any wrong password", .method = "POST",
       .path = "/v1/auth/login", .body = LoginBody("alice@example.com", kPassword),
       .expected_status = 401, .expected_fragments = {{"/error", "InvalidCredentials"}}},
      {.name = "gone", .path = alice, .headers = cast.admin.Auth(), .expected_status = 404,
       .expected_fragments = {{"/error", "UserNotFound"},
                              {"/message", NotFoundMessage(cast.alice.id)}}},
      {.name = "delete twice", .method = "DELETE", .path = alice, .headers = cast.admin.Auth(),
       .expected_status = 404},
      {.name = "no sessions left", .path = alice + "/sessions", .headers = cast.admin.Auth(),
       .expected_status = 0,
       .check = [](const Response& r) {
         EXPECT_TRUE(r.status == 404 ||
                     At(r, "/data/sessions") == json::value(json::array{}))
             << r.Describe();
       }},
      {.name = "not listed", .path = "/v1/user/users", .headers = cast.admin.Auth(),
       .check = [&](const Response& r) {
         for (const auto& u : ArrayAt(r, "/data")) {
           EXPECT_NE(u.at("id"), json::value(cast.alice.id));
         }
         EXPECT_TRUE(HasJson(r, "/pagination/totalRecords", 3));
       }},
      {.name = "not found by search", .path = "/v1/user/search?query=alice",
       .headers = cast.bob.Auth(), .expected_fragments = {{"/data", json::array{}}}},
  });
}

TEST_P(Users, SearchShowsPublicFieldsOnly) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  ASSERT_EQ(client.Request("PATCH", "/v1/user/@me", cast.alice.Auth(), R"({"name":"Alice Liddell"})")
                .status,
            200);
  RunScenarios(server, {
      {.name = "by name", .path = "/v1/user/search?query=lidd", .headers = cast.bob.Auth(),
       .expected_fragments = {{"/data/0/id", cast.alice.id}, {"/data/0/name", "Alice Liddell"}},
       .check = [](const Response& r) {
         EXPECT_EQ(ArrayAt(r, "/data").size(), 1u) << r.body;
         EXPECT_TRUE(KeysAre(At(r, "/data/0"), {"id", "name", "login", "image"}));
       }},
      {.name = "LIKE wildcards are literal", .path = "/v1/user/search?query=%25%25",
       .headers = cast.bob.Auth(), .expected_fragments = {{"/data", json::array{}}}},
      {.name = "underscores are literal", .path = "/v1/user/search?query=__",
       .headers = cast.bob.Auth(), .expected_fragments = {{"/data", json::array{}}}},
      {.name = "one character", .path = "/v1/user/search?query=a", .headers = cast.bob.Auth(),
       .expected_status = 400, .expected_fragments = {{"/errors/0/path", json::array{"query"}}}},
      {.name = "no query", .path = "/v1/user/search", .headers = cast.bob.Auth(),
       .expected_status = 400},
      {.name = "anonymous", .path = "/v1/user/search?query=lidd", .expected_status = 401},
  });
}

TEST_P(Users, ListIsPageNumbered) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const Headers auth = cast.admin.Auth();
  auto listed = [](std::size_t n) {
    return [n](const Response& r) {
      EXPECT_EQ(ArrayAt(r, "/data").size(), n) << r.body;
      EXPECT_TRUE(KeysAre(At(r, "/pagination"), {"previousPage", "currentPage", "nextPage",
                                                 "totalPages", "totalRecords", "listedRecords"}));
    };
  };
  RunScenarios(server, {
      {.name = "page 1 of 2", .path = "/v1/user/users?rpp=3&page=1", .headers = auth,
       .expected_fragments = {{"/pagination/previousPage", nullptr},
                              {"/pagination/currentPage", 1},
                              {"/pagination/nextPage", 2},
                              {"/pagination/totalPages", 2},
                              {"/pagination/totalRecords", 4},
                              {"/pagination/listedRecords", 3},
                              {"/message", "Users Fetched Successfully!"}},
       .check = listed(3)},
      {.name = "page 2 of 2", .path = "/v1/user/users?rpp=3&page=2", .headers = auth,
       .expected_fragments = {{"/pagination/previousPage", 1},
                              {"/pagination/nextPage", nullptr},
                              {"/pagination/listedRecords", 1}},
       .check = listed(1)},
      {.name = "search", .path = "/v1/user/users?search=ALICE", .headers = auth,
       .expected_fragments = {{"/data/0/id", cast.alice.id}, {"/pagination/totalRecords", 1}}},
      {.name = "rpp 0", .path = "/v1/user/users?rpp=0", .headers = auth,
       .expected_status = 400},
      {.name = "rpp over the cap", .path = "/v1/user/users?rpp=101", .headers = auth,
       .expected_status = 400},
      {.name = "page not a number", .path = "/v1/user/users?page=abc", .headers = auth,
       .expected_status = 400},
  });
}

// The password-change throttle must be per user: one user's typos must not lock everyone else
// out of changing their password.
TEST_P(Users, PasswordChangeThrottleIsPerUser) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    Response r = client.Request(
        "PATCH", "/v1/user/@me/password", cast.alice.Auth(),
        JsonText(json::object{{"currentPassword", "typo " + std::to_string(i)},
                              {"newPassword", "brand new password"}}));
    EXPECT_EQ(r.status, 400) << r.Describe();
  }
  Response bob = client.Request(
      "PATCH", "/v1/user/@me/password", cast.bob.Auth(),
      JsonText(json::object{{"currentPassword", kPassword}, {"newPassword", "bob's new one!"}}));
  EXPECT_EQ(bob.status, 200) << "bob's password change was throttled by alice's failures: "
                             << bob.Describe();
}

GATEHOUSE_INSTANTIATE_BACKENDS(Users);

}  // namespace
}  // namespace gatehouse::testing
