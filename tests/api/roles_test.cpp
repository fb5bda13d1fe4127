// Roles seen from outside (seed 002's Role Routes, seed 001's role ids and UserPermissions,
// DESIGN.md §3): every route tried by anonymous, a user, another user, an admin (role_admin:
// role.read and role.list but no role.create/modify/delete) and a super admin; node validation;
// no escalation through role edits or user updates (refused with 403 and nothing changed);
// the super admin role and the last super admin; changes reaching holders on their very next
// request; negated grants and prefix traps through check-permission. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/authz_helpers.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;
using authz::AddCallers;
using authz::Check;
using authz::CheckAll;
using authz::CreateRole;
using authz::NodesBody;
using authz::RoleBody;
using authz::RoleNodes;
using authz::SetDirectNodes;
using authz::SetRoles;
using authz::StringSet;
using authz::UserPermissions;
using Nodes = std::set<std::string>;

// Seed 002's role object; an extra "builtIn" boolean is allowed. DELETE answers without
// "permissions".
void ExpectRoleShape(const json::value& role, bool with_permissions = true) {
  ASSERT_TRUE(role.is_object()) << json::serialize(role);
  const json::object& o = role.as_object();
  std::set<std::string> keys;
  for (const auto& kv : o) keys.emplace(kv.key());
  keys.erase("builtIn");
  std::set<std::string> expected = {"id",          "title",     "moniker",
                                    "permissions", "createdAt", "updatedAt"};
  if (!with_permissions) expected.erase("permissions");
  EXPECT_EQ(keys, expected) << json::serialize(role);
  for (const char* key : {"id", "title", "moniker"}) {
    EXPECT_TRUE(o.contains(key) && o.at(key).is_string()) << key << " in " << json::serialize(role);
  }
  if (with_permissions && o.contains("permissions")) {
    ASSERT_TRUE(o.at("permissions").is_array()) << json::serialize(role);
    for (const auto& node : o.at("permissions").as_array()) EXPECT_TRUE(node.is_string());
  }
  for (const char* key : {"createdAt", "updatedAt"}) {
    if (o.contains(key)) {
      EXPECT_TRUE(IsIsoTimestamp(o.at(key))) << key << " in " << json::serialize(role);
    }
  }
  if (o.contains("builtIn")) {
    EXPECT_TRUE(o.at("builtIn").is_bool()) << json::serialize(role);
  }
}

std::set<std::string> IdsOf(const json::array& items) {
  std::set<std::string> ids;
  for (const auto& item : items) {
    if (item.is_object() && item.as_object().contains("id") && item.at("id").is_string()) {
      ids.emplace(item.at("id").get_string());
    }
  }
  return ids;
}

std::optional<json::object> FindById(const json::array& items, const std::string& id) {
  for (const auto& item : items) {
    if (item.is_object() && item.as_object().contains("id") && item.at("id") == id.c_str()) {
      return item.as_object();
    }
  }
  return std::nullopt;
}

// A role's current state as the super admin sees it (title, moniker, nodes).
struct RoleState {
  std::string title, moniker;
  Nodes nodes;
  bool operator==(const RoleState&) const = default;
};
std::optional<RoleState> ReadRole(HttpClient& client, const Account& reader,
                                  const std::string& identifier) {
  Response r = client.Get("/v1/role/" + identifier, reader.Auth());
  if (r.status != 200) {
    ADD_FAILURE() << "reading role " << identifier << ": " << r.Describe();
    return std::nullopt;
  }
  return RoleState{std::string(At(r, "/data/title").as_string()),
                   std::string(At(r, "/data/moniker").as_string()),
                   StringSet(At(r, "/data/permissions"))};
}
std::ostream& operator<<(std::ostream& os, const RoleState& s) {
  os << "{" << s.title << ", " << s.moniker << ", [";
  for (const auto& n : s.nodes) os << n << " ";
  return os << "]}";
}

// What a user holds, as the super admin sees it (seed 001 UserPermissions).
struct Holdings {
  Nodes role_ids, roles, permissions;
  bool is_super_admin = false;
  bool operator==(const Holdings&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Holdings& h) {
  os << "{role_ids: ";
  for (const auto& n : h.role_ids) os << n << " ";
  os << "permissions: ";
  for (const auto& n : h.permissions) os << n << " ";
  return os << "super: " << h.is_super_admin << "}";
}
Holdings Held(HttpClient& client, const Account& reader, const std::string& user_id) {
  json::value data = UserPermissions(client, reader, user_id);
  Holdings h;
  if (!data.is_object()) return h;
  h.role_ids = StringSet(data.at("role_ids"));
  h.roles = StringSet(data.at("roles"));
  h.permissions = StringSet(data.at("permissions"));
  h.is_super_admin = data.at("is_super_admin").is_bool() && data.at("is_super_admin").get_bool();
  return h;
}

class Roles : public BackendTest {};

// --------------------------------------------------------------------------------------------
// Five callers over every role route. Only the super admin may create, change or delete roles;
// admins read them; users (role_user: no role.*) get 403 everywhere, anonymous 401.
TEST_P(Roles, EveryRouteByFiveCallers) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::string target, doomed_by_id;
  ASSERT_TRUE(CreateRole(client, cast.super, "target", {"user.read"}, &target));
  ASSERT_TRUE(CreateRole(client, cast.super, "doomed_a", {"user.read"}, &doomed_by_id));
  ASSERT_TRUE(CreateRole(client, cast.super, "doomed_b", {"user.read"}));

  auto role_is = [](std::string moniker) {
    return [moniker](const Response& r) {
      ExpectRoleShape(At(r, "/data"));
      EXPECT_TRUE(HasJson(r, "/data/moniker", moniker));
    };
  };
  std::vector<Scenario> t;
  AddCallers(
      t, cast, "POST /v1/role", "POST", "/v1/role",
      RoleBody("Viewer", "viewer", {"user.read", "user.search"}), {401, 403, 403, 403, 201},
      [](const Response& r) {
        ExpectRoleShape(At(r, "/data"));
        EXPECT_EQ(StringSet(At(r, "/data/permissions")), (Nodes{"user.read", "user.search"}));
        EXPECT_TRUE(IsUuidV7(At(r, "/data/id").as_string())) << r.body;
      },
      {{"/message", "Role Created Successfully!"},
       {"/data/title", "Viewer"},
       {"/data/moniker", "viewer"}});
  t.push_back({.name = "POST /v1/role with a taken moniker",
               .method = "POST",
               .path = "/v1/role",
               .headers = cast.super.Auth(),
               .body = RoleBody("Again", "viewer", {}),
               .expected_status = 409});
  t.push_back({.name = "POST /v1/role with a built-in moniker",
               .method = "POST",
               .path = "/v1/role",
               .headers = cast.super.Auth(),
               .body = RoleBody("Again", "admin", {}),
               .expected_status = 409});
  AddCallers(t, cast, "GET /v1/role", "GET", "/v1/role", "", {401, 403, 403, 200, 200},
             [&](const Response& r) {
               json::array roles = ArrayAt(r, "/data");
               for (const auto& role : roles) ExpectRoleShape(role);
               EXPECT_TRUE(IdsOf(roles).contains(target)) << r.body;
               EXPECT_TRUE(IdsOf(roles).contains("role_super_admin")) << r.body;
             },
             {{"/message", "Roles Fetched Successfully!"}});
  AddCallers(t, cast, "GET role by id", "GET", "/v1/role/" + target, "", {401, 403, 403, 200, 200},
             role_is("target"), {{"/message", "Role Fetched Successfully!"}, {"/data/id", target}});
  AddCallers(t, cast, "GET role by moniker", "GET", "/v1/role/target", "",
             {401, 403, 403, 200, 200}, role_is("target"), {{"/data/id", target}});
  AddCallers(t, cast, "GET built-in role by id", "GET", "/v1/role/role_admin", "",
             {401, 403, 403, 200, 200}, role_is("admin"), {{"/data/id", "role_admin"}});
  AddCallers(t, cast, "GET built-in role by moniker", "GET", "/v1/role/super_admin", "",
             {401, 403, 403, 200, 200}, role_is("super_admin"),
             {{"/data/id", "role_super_admin"}, {"/data/permissions", json::array{"*"}}});
  AddCallers(t, cast, "GET unknown role", "GET", "/v1/role/no_such_role", "",
             {401, 403, 403, 404, 404}, {}, {{"/error", "RoleNotFound"}});
  AddCallers(t, cast, "PATCH role by id", "PATCH", "/v1/role/" + target,
             R"({"title":"Target Renamed"})", {401, 403, 403, 403, 200}, role_is("target"),
             {{"/message", "Role Updated Successfully!"}, {"/data/title", "Target Renamed"}});
  AddCallers(t, cast, "PATCH role by moniker", "PATCH", "/v1/role/target", R"({"title":"Target"})",
             {401, 403, 403, 403, 200}, role_is("target"), {{"/data/title", "Target"}});
  AddCallers(t, cast, "PATCH unknown role", "PATCH", "/v1/role/no_such_role", R"({"title":"X"})",
             {401, 403, 403, 403, 404}, {}, {{"/error", "RoleNotFound"}});
  AddCallers(
      t, cast, "add nodes by id", "POST", "/v1/role/" + target + "/permissions",
      NodesBody({"company.fetch"}), {401, 403, 403, 403, 200},
      [](const Response& r) {
        EXPECT_EQ(StringSet(At(r, "/data/permissions")), (Nodes{"user.read", "company.fetch"}));
      },
      {{"/message", "Permissions Added Successfully!"}, {"/data/id", target}});
  AddCallers(t, cast, "add nodes by moniker", "POST", "/v1/role/target/permissions",
             NodesBody({"company.create", "company.fetch"}), {401, 403, 403, 403, 200},
             [](const Response& r) {
               EXPECT_EQ(StringSet(At(r, "/data/permissions")),
                         (Nodes{"user.read", "company.fetch", "company.create"}));
             });
  AddCallers(
      t, cast, "remove nodes by id", "DELETE", "/v1/role/" + target + "/permissions",
      NodesBody({"company.fetch"}), {401, 403, 403, 403, 200},
      [](const Response& r) {
        EXPECT_EQ(StringSet(At(r, "/data/permissions")), (Nodes{"user.read", "company.create"}));
      },
      {{"/message", "Permissions Removed Successfully!"}});
  AddCallers(t, cast, "remove nodes by moniker", "DELETE", "/v1/role/target/permissions",
             NodesBody({"company.create"}), {401, 403, 403, 403, 200}, [](const Response& r) {
               EXPECT_EQ(StringSet(At(r, "/data/permissions")), (Nodes{"user.read"}));
             });
  AddCallers(t, cast, "add nodes to unknown role", "POST", "/v1/role/no_such_role/permissions",
             NodesBody({"user.read"}), {401, 403, 403, 403, 404}, {}, {{"/error", "RoleNotFound"}});
  AddCallers(t, cast, "users of a role by id", "GET", "/v1/role/" + target + "/users", "",
             {401, 403, 403, 200, 200},
             [](const Response& r) { EXPECT_TRUE(ArrayAt(r, "/data").empty()) << r.body; },
             {{"/message", "Users Fetched Successfully!"}});
  AddCallers(t, cast, "users of a role by moniker", "GET", "/v1/role/user/users", "",
             {401, 403, 403, 200, 200}, [&](const Response& r) {
               std::set<std::string> ids = IdsOf(ArrayAt(r, "/data"));
               for (const auto* who : {&cast.alice, &cast.bob, &cast.admin}) {
                 EXPECT_TRUE(ids.contains(who->id)) << who->email << " missing: " << r.body;
               }
             });
  AddCallers(t, cast, "users of unknown role", "GET", "/v1/role/no_such_role/users", "",
             {401, 403, 403, 404, 404}, {}, {{"/error", "RoleNotFound"}});
  AddCallers(t, cast, "DELETE role by id", "DELETE", "/v1/role/" + doomed_by_id, "",
             {401, 403, 403, 403, 200},
             [](const Response& r) { ExpectRoleShape(At(r, "/data"), /*with_permissions=*/false); },
             {{"/message", "Role Deleted Successfully!"},
              {"/data/id", doomed_by_id},
              {"/data/moniker", "doomed_a"}});
  AddCallers(t, cast, "DELETE role by moniker", "DELETE", "/v1/role/doomed_b", "",
             {401, 403, 403, 403, 200},
             [](const Response& r) { ExpectRoleShape(At(r, "/data"), /*with_permissions=*/false); },
             {{"/data/moniker", "doomed_b"}});
  AddCallers(t, cast, "DELETE unknown role", "DELETE", "/v1/role/no_such_role", "",
             {401, 403, 403, 403, 404}, {}, {{"/error", "RoleNotFound"}});
  t.push_back({.name = "deleted role is gone by id",
               .path = "/v1/role/" + doomed_by_id,
               .headers = cast.super.Auth(),
               .expected_status = 404});
  t.push_back({.name = "deleted role is gone by moniker",
               .path = "/v1/role/doomed_b",
               .headers = cast.super.Auth(),
               .expected_status = 404});
  t.push_back({.name = "a forged bearer token is 401",
               .path = "/v1/role",
               .headers = Bearer("not.a.token"),
               .expected_status = 401,
               .expected_fragments = {{"/error", "Unauthorized"}}});
  RunScenarios(server, t);
}

// --------------------------------------------------------------------------------------------
// Built-in roles keep seed 001's ids and monikers; payloads are seed 002's role objects; the
// users-with-role list is seed 002's shape; GET by id and by moniker agree.
TEST_P(Roles, BuiltInRolesAndPayloadsFollowTheSeeds) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());

  Response list = client.Get("/v1/role", cast.admin.Auth());
  ASSERT_EQ(list.status, 200) << list.Describe();
  const std::vector<std::pair<std::string, std::string>> builtins = {
      {"role_super_admin", "super_admin"},
      {"role_admin", "admin"},
      {"role_moderator", "moderator"},
      {"role_developer", "developer"},
      {"role_user", "user"}};
  for (const auto& [id, moniker] : builtins) {
    SCOPED_TRACE(id);
    auto listed = FindById(ArrayAt(list, "/data"), id);
    ASSERT_TRUE(listed.has_value()) << list.body;
    EXPECT_EQ(listed->at("moniker"), moniker.c_str());
    ExpectRoleShape(*listed);
    Response by_id = client.Get("/v1/role/" + id, cast.admin.Auth());
    Response by_moniker = client.Get("/v1/role/" + moniker, cast.admin.Auth());
    ASSERT_EQ(by_id.status, 200) << by_id.Describe();
    ASSERT_EQ(by_moniker.status, 200) << by_moniker.Describe();
    EXPECT_EQ(At(by_id, "/data"), At(by_moniker, "/data"));
    EXPECT_EQ(At(by_id, "/data"), json::value(*listed));
  }
  EXPECT_EQ(*RoleNodes(client, cast.admin, "super_admin"), Nodes{"*"});
  Nodes admin_nodes = *RoleNodes(client, cast.admin, "admin");
  for (const char* node : {"role.read", "role.list"}) EXPECT_TRUE(admin_nodes.contains(node));
  for (const char* node : {"*", "role.create", "role.modify", "role.delete", "role.*"}) {
    EXPECT_FALSE(admin_nodes.contains(node)) << node;
  }
  EXPECT_TRUE(RoleNodes(client, cast.admin, "user")->contains("user.read"));

  // Create, then every later answer shows the same role; updatedAt moves, createdAt does not.
  Response created =
      client.Request("POST", "/v1/role", cast.super.Auth(),
                     RoleBody("System Administrator", "system_admin",
                              {"user.read", "user.write", "company.fetch", "credential.create"}));
  ASSERT_EQ(created.status, 201) << created.Describe();
  EXPECT_TRUE(IsEnvelope(created));
  ExpectRoleShape(At(created, "/data"));
  const std::string id(At(created, "/data/id").as_string());
  EXPECT_EQ(StringSet(At(created, "/data/permissions")),
            (Nodes{"user.read", "user.write", "company.fetch", "credential.create"}));
  if (At(created, "/data/builtIn").is_bool()) {
    EXPECT_FALSE(At(created, "/data/builtIn").get_bool());
  }
  Response fetched = client.Get("/v1/role/system_admin", cast.admin.Auth());
  EXPECT_EQ(At(fetched, "/data"), At(created, "/data"));

  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Response patched = client.Request(
      "PATCH", "/v1/role/" + id, cast.super.Auth(),
      R"({"title":"Sysadmin","moniker":"sysadmin","permissions":["user.read","company.fetch"]})");
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  ExpectRoleShape(At(patched, "/data"));
  EXPECT_TRUE(HasJson(patched, "/data/id", id));
  EXPECT_TRUE(HasJson(patched, "/data/title", "Sysadmin"));
  EXPECT_TRUE(HasJson(patched, "/data/moniker", "sysadmin"));
  EXPECT_EQ(StringSet(At(patched, "/data/permissions")), (Nodes{"user.read", "company.fetch"}));
  EXPECT_EQ(At(patched, "/data/createdAt"), At(created, "/data/createdAt"));
  EXPECT_GT(At(patched, "/data/updatedAt").as_string(), At(created, "/data/updatedAt").as_string());
  EXPECT_EQ(client.Get("/v1/role/system_admin", cast.super.Auth()).status, 404);
  EXPECT_EQ(client.Get("/v1/role/sysadmin", cast.super.Auth()).status, 200);
  // Renaming onto another role's moniker is a conflict and changes nothing.
  EXPECT_EQ(client
                .Request("PATCH", "/v1/role/" + id, cast.super.Auth(),
                         R"({"title":"Clash","moniker":"moderator"})")
                .status,
            409);
  EXPECT_EQ(*ReadRole(client, cast.super, id),
            (RoleState{"Sysadmin", "sysadmin", {"user.read", "company.fetch"}}));

  // Users with a role: seed 002's user items, roles as ids.
  ASSERT_TRUE(SetRoles(client, cast.super, cast.bob.id, {"user", "sysadmin"}));
  Response holders = client.Get("/v1/role/sysadmin/users", cast.admin.Auth());
  ASSERT_EQ(holders.status, 200) << holders.Describe();
  json::array items = ArrayAt(holders, "/data");
  ASSERT_EQ(items.size(), 1u) << holders.body;
  EXPECT_TRUE(KeysAre(items[0], {"id", "name", "login", "roles", "createdAt", "updatedAt"}));
  EXPECT_EQ(items[0].at("id"), cast.bob.id.c_str());
  EXPECT_EQ(StringSet(items[0].at("roles")), (Nodes{"role_user", id}));
  Response admins = client.Get("/v1/role/role_admin/users", cast.admin.Auth());
  EXPECT_EQ(IdsOf(ArrayAt(admins, "/data")), std::set<std::string>{cast.admin.id}) << admins.body;
  Response supers = client.Get("/v1/role/super_admin/users", cast.admin.Auth());
  EXPECT_EQ(IdsOf(ArrayAt(supers, "/data")), std::set<std::string>{cast.super.id}) << supers.body;

  // Input rules: title and moniker required on create, moniker [a-z0-9_], nodes non-empty.
  RunScenarios(server, {
                           {.name = "create without title",
                            .method = "POST",
                            .path = "/v1/role",
                            .headers = cast.super.Auth(),
                            .body = R"({"moniker":"no_title"})",
                            .expected_status = 400,
                            .expected_fragments = {{"/error", "ValidationError"},
                                                   {"/errors/0/path", json::array{"title"}}}},
                           {.name = "create without moniker",
                            .method = "POST",
                            .path = "/v1/role",
                            .headers = cast.super.Auth(),
                            .body = R"({"title":"No moniker"})",
                            .expected_status = 400,
                            .expected_fragments = {{"/errors/0/path", json::array{"moniker"}}}},
                           {.name = "create with a bad moniker",
                            .method = "POST",
                            .path = "/v1/role",
                            .headers = cast.super.Auth(),
                            .body = RoleBody("Bad", "Bad Moniker", {}),
                            .expected_status = 400,
                            .expected_fragments = {{"/errors/0/path", json::array{"moniker"}}}},
                           {.name = "rename to a bad moniker",
                            .method = "PATCH",
                            .path = "/v1/role/sysadmin",
                            .headers = cast.super.Auth(),
                            .body = R"({"moniker":"UPPER"})",
                            .expected_status = 400,
                            .expected_fragments = {{"/errors/0/path", json::array{"moniker"}}}},
                           {.name = "add no nodes",
                            .method = "POST",
                            .path = "/v1/role/sysadmin/permissions",
                            .headers = cast.super.Auth(),
                            .body = R"({"permissions":[]})",
                            .expected_status = 400},
                           {.name = "add without a list",
                            .method = "POST",
                            .path = "/v1/role/sysadmin/permissions",
                            .headers = cast.super.Auth(),
                            .body = R"({})",
                            .expected_status = 400},
                           {.name = "add a string instead of a list",
                            .method = "POST",
                            .path = "/v1/role/sysadmin/permissions",
                            .headers = cast.super.Auth(),
                            .body = R"({"permissions":"user.read"})",
                            .expected_status = 400},
                           {.name = "create with a body that is not JSON",
                            .method = "POST",
                            .path = "/v1/role",
                            .headers = cast.super.Auth(),
                            .body = "{title",
                            .expected_status = 400},
                       });
  EXPECT_EQ(client.Get("/v1/role/no_title", cast.super.Auth()).status, 404);
}

// --------------------------------------------------------------------------------------------
// Node validation: lower-case [a-z0-9_] segments, single dots, optional trailing ".*", optional
// leading "-". Anything else is a 400 naming the offending index, on every route that writes
// nodes, and nothing is stored.
TEST_P(Roles, MalformedNodesAreRejectedWithTheirIndex) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  ASSERT_TRUE(CreateRole(client, cast.super, "target", {"user.read"}));

  const std::vector<std::string> bad = {
      "ROOT",      "Admin",     "*.",     "a..b",       "users.read ", ".a",
      "a.",        "a.*.b",     "a*",     "*a",         "-",           "--a",
      "user read", "user.Read", "a.b.**", "\xc3\xbc.x", "-*.",         "user/read"};
  int n = 0;
  for (const auto& node : bad) {
    SCOPED_TRACE("node \"" + node + "\"");
    const std::string moniker = "bad_" + std::to_string(n++);
    Response create = client.Request("POST", "/v1/role", cast.super.Auth(),
                                     RoleBody("Bad", moniker, {"user.read", node}));
    EXPECT_EQ(create.status, 400) << create.Describe();
    EXPECT_TRUE(IsEnvelope(create));
    EXPECT_TRUE(HasJson(create, "/error", "ValidationError"));
    EXPECT_TRUE(HasJson(create, "/errors/0/path", json::array{"permissions", "1"}));
    EXPECT_EQ(client.Get("/v1/role/" + moniker, cast.super.Auth()).status, 404);

    Response add = client.Request("POST", "/v1/role/target/permissions", cast.super.Auth(),
                                  NodesBody({"company.fetch", node}));
    EXPECT_EQ(add.status, 400) << add.Describe();
    EXPECT_TRUE(HasJson(add, "/errors/0/path", json::array{"permissions", "1"}));
    Response patch =
        client.Request("PATCH", "/v1/role/target", cast.super.Auth(), NodesBody({node}));
    EXPECT_EQ(patch.status, 400) << patch.Describe();
    EXPECT_TRUE(HasJson(patch, "/errors/0/path", json::array{"permissions", "0"}));
    Response direct = PatchUser(client, cast.super, cast.bob.id, NodesBody({"user.read", node}));
    EXPECT_EQ(direct.status, 400) << direct.Describe();
    EXPECT_TRUE(HasJson(direct, "/errors/0/path", json::array{"permissions", "1"}));
  }
  EXPECT_EQ(*RoleNodes(client, cast.super, "target"), Nodes{"user.read"});
  EXPECT_TRUE(Held(client, cast.super, cast.bob.id).permissions ==
              *RoleNodes(client, cast.super, "user"));

  // Two bad nodes: both reported, each with its index.
  Response two = client.Request("POST", "/v1/role", cast.super.Auth(),
                                RoleBody("Two", "two_bad", {"ROOT", "user.read", "a..b"}));
  EXPECT_EQ(two.status, 400) << two.Describe();
  EXPECT_TRUE(HasJson(two, "/errors/0/path", json::array{"permissions", "0"}));
  EXPECT_TRUE(HasJson(two, "/errors/1/path", json::array{"permissions", "2"}));

  // Every well-formed kind is accepted and stored as given.
  const Nodes good = {"*",       "-company.delete", "company.*", "credential.secure_values.read",
                      "a1_b.c2", "-user.*",         "x"};
  std::string id;
  ASSERT_TRUE(CreateRole(client, cast.super, "good", {good.begin(), good.end()}, &id));
  EXPECT_EQ(*RoleNodes(client, cast.super, id), good);
}

// --------------------------------------------------------------------------------------------
// A user allowed to create and modify roles (direct role.create, role.read, role.modify) still
// cannot put into a role — or take out of one — anything they do not hold. Each attempt is a
// 403 and leaves the role exactly as it was.
TEST_P(Roles, RoleEditsCannotGrantWhatTheEditorLacks) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  ASSERT_TRUE(SetDirectNodes(client, cast.super, cast.alice.id,
                             {"role.create", "role.read", "role.modify"}));
  const Account& alice = cast.alice;

  struct Attempt {
    std::string name, method, path, body;
  };
  const std::vector<Attempt> creates = {
      {"create a role with *", "POST", "/v1/role", RoleBody("Star", "esc_star", {"*"})},
      {"create a role with user.read.other", "POST", "/v1/role",
       RoleBody("Other", "esc_other", {"user.read", "user.read.other"})},
      {"create a role with user.* (holds only some user nodes)", "POST", "/v1/role",
       RoleBody("Users", "esc_user_all", {"user.*"})},
      {"create a role with role.*", "POST", "/v1/role",
       RoleBody("Roles", "esc_role_all", {"role.*"})},
      {"create a role with role.delete", "POST", "/v1/role",
       RoleBody("Del", "esc_role_delete", {"role.delete"})},
  };
  for (const auto& a : creates) {
    SCOPED_TRACE(a.name);
    Response r = client.Request(a.method, a.path, alice.Auth(), a.body);
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/error", "InsufficientPermission"));
  }
  for (const char* moniker :
       {"esc_star", "esc_other", "esc_user_all", "esc_role_all", "esc_role_delete"}) {
    EXPECT_EQ(client.Get(std::string("/v1/role/") + moniker, cast.super.Auth()).status, 404)
        << moniker << " was created anyway";
  }

  // Control: nodes she does hold are fine.
  std::string mine;
  ASSERT_TRUE(CreateRole(client, alice, "mine", {"user.read", "role.read"}, &mine));
  ASSERT_TRUE(SetRoles(client, cast.super, alice.id, {"user", "mine"}));

  const auto before_mine = *ReadRole(client, cast.super, mine);
  const auto before_user = *ReadRole(client, cast.super, "user");
  const auto before_admin = *ReadRole(client, cast.super, "admin");
  const auto before_super = *ReadRole(client, cast.super, "super_admin");
  const Holdings before_alice = Held(client, cast.super, alice.id);
  const std::vector<Attempt> edits = {
      {"add user.read.other to her own custom role", "POST", "/v1/role/" + mine + "/permissions",
       NodesBody({"user.read.other"})},
      {"add * to her own custom role", "POST", "/v1/role/mine/permissions", NodesBody({"*"})},
      {"replace her role's nodes with ones she lacks", "PATCH", "/v1/role/" + mine,
       NodesBody({"user.read", "role.read", "role.delete"})},
      {"rename and escalate in one PATCH", "PATCH", "/v1/role/mine",
       R"({"title":"Renamed","moniker":"renamed","permissions":["user.read.other"]})"},
      {"add user.read.other to role_user, which she holds", "POST", "/v1/role/user/permissions",
       NodesBody({"user.read.other"})},
      {"add user.* to role_user", "PATCH", "/v1/role/role_user",
       NodesBody({"user.*", "session.read", "session.revoke"})},
      {"strip audit.* (which she lacks) from role_admin", "DELETE", "/v1/role/admin/permissions",
       NodesBody({"audit.*"})},
      {"replace role_admin's nodes", "PATCH", "/v1/role/admin", NodesBody({"role.read"})},
      {"retitle the super admin role", "PATCH", "/v1/role/super_admin", R"({"title":"Owned"})"},
      {"add to the super admin role", "POST", "/v1/role/role_super_admin/permissions",
       NodesBody({"user.read"})},
  };
  for (const auto& a : edits) {
    SCOPED_TRACE(a.name);
    Response r = client.Request(a.method, a.path, alice.Auth(), a.body);
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/error", "InsufficientPermission"));
  }
  EXPECT_EQ(*ReadRole(client, cast.super, mine), before_mine);
  EXPECT_EQ(*ReadRole(client, cast.super, "user"), before_user);
  EXPECT_EQ(*ReadRole(client, cast.super, "admin"), before_admin);
  EXPECT_EQ(*ReadRole(client, cast.super, "super_admin"), before_super);
  EXPECT_EQ(Held(client, cast.super, alice.id), before_alice);
  EXPECT_EQ(CheckAll(client, alice, {"user.read.other", "role.delete", "anything"}),
            (std::vector<bool>{false, false, false}));
  // She still cannot list roles (no role.list) and cannot delete them (no role.delete).
  EXPECT_EQ(client.Get("/v1/role", alice.Auth()).status, 403);
  EXPECT_EQ(client.Request("DELETE", "/v1/role/" + mine, alice.Auth()).status, 403);
}

// --------------------------------------------------------------------------------------------
// Through PATCH /v1/user/users/:id an admin (user.* but not "*", no role.create) cannot make
// anyone — themself included — a super admin, hand out "*" or nodes they lack, or demote a super
// admin. All 403, nothing changes.
TEST_P(Roles, UserUpdatesCannotGrantWhatTheAdminLacks) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());

  const Holdings admin_before = Held(client, cast.super, cast.admin.id);
  const Holdings alice_before = Held(client, cast.super, cast.alice.id);
  const Holdings super_before = Held(client, cast.super, cast.super.id);
  ASSERT_EQ(admin_before.role_ids, (Nodes{"role_admin", "role_user"}));
  ASSERT_FALSE(admin_before.is_super_admin);
  ASSERT_TRUE(super_before.is_super_admin);

  struct Attempt {
    std::string name, target, body;
  };
  const std::vector<Attempt> attempts = {
      {"admin makes themself super admin", cast.admin.id, R"({"roles":["super_admin"]})"},
      {"admin adds super admin to their roles", cast.admin.id,
       R"({"roles":["super_admin","admin","user"]})"},
      {"admin adds role_super_admin by id", cast.admin.id,
       R"({"roles":["role_super_admin","role_admin","role_user"]})"},
      {"admin grants themself *", cast.admin.id, R"({"permissions":["*"]})"},
      {"admin grants themself role.*", cast.admin.id, R"({"permissions":["role.*"]})"},
      {"admin grants themself role.create", cast.admin.id, R"({"permissions":["role.create"]})"},
      {"admin makes alice super admin", cast.alice.id, R"({"roles":["user","super_admin"]})"},
      {"admin grants alice *", cast.alice.id, R"({"permissions":["*"]})"},
      {"admin grants alice role.modify", cast.alice.id, R"({"permissions":["role.modify"]})"},
      {"admin demotes the super admin", cast.super.id, R"({"roles":["user"]})"},
      {"admin demotes the super admin to admin", cast.super.id, R"({"roles":["admin","user"]})"},
  };
  for (const auto& a : attempts) {
    SCOPED_TRACE(a.name);
    Response r = PatchUser(client, cast.admin, a.target, a.body);
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/error", "InsufficientPermission"));
  }
  EXPECT_EQ(Held(client, cast.super, cast.admin.id), admin_before);
  EXPECT_EQ(Held(client, cast.super, cast.alice.id), alice_before);
  EXPECT_EQ(Held(client, cast.super, cast.super.id), super_before);
  EXPECT_EQ(CheckAll(client, cast.admin, {"role.create", "role.modify", "anything"}),
            (std::vector<bool>{false, false, false}));
  EXPECT_EQ(
      client.Request("POST", "/v1/role", cast.admin.Auth(), RoleBody("X", "x_role", {})).status,
      403);

  // Controls: what the admin does hold, they may hand out.
  ASSERT_TRUE(SetDirectNodes(client, cast.admin, cast.alice.id, {"user.read.other"}));
  EXPECT_EQ(Check(client, cast.alice, "user.read.other"), std::optional<bool>(true));
  ASSERT_TRUE(SetRoles(client, cast.admin, cast.alice.id, {"user", "moderator"}));
  EXPECT_TRUE(Held(client, cast.super, cast.alice.id).role_ids.contains("role_moderator"));
}

// --------------------------------------------------------------------------------------------
// Negated grants take power away, so removing one gives power back: taking "-company.delete"
// out of a role that holds "company.*" hands company.delete to its holders. Somebody who does
// not hold company.delete must not be able to do that, through any route.
TEST_P(Roles, RemovingANegationCountsAsGrantingTheNode) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const Account& alice = cast.alice;
  const Account& bob = cast.bob;
  ASSERT_TRUE(SetDirectNodes(client, cast.super, alice.id,
                             {"role.create", "role.read", "role.modify", "role.delete"}));
  std::string restricted_a, restricted_b;
  ASSERT_TRUE(CreateRole(client, cast.super, "restricted_a", {"company.*", "-company.delete"},
                         &restricted_a));
  ASSERT_TRUE(CreateRole(client, cast.super, "restricted_b", {"company.*", "-company.delete"},
                         &restricted_b));
  ASSERT_TRUE(SetRoles(client, cast.super, alice.id, {"user", "restricted_a"}));
  ASSERT_TRUE(SetRoles(client, cast.super, bob.id, {"user", "restricted_b"}));
  ASSERT_EQ(CheckAll(client, alice, {"company.delete", "company.fetch"}),
            (std::vector<bool>{false, true}));

  // What she holds is company.* minus company.delete: not enough to hand out company.* whole.
  Response star = client.Request("POST", "/v1/role", alice.Auth(),
                                 RoleBody("All companies", "all_companies", {"company.*"}));
  EXPECT_EQ(star.status, 403) << star.Describe();
  Response del = client.Request("POST", "/v1/role", alice.Auth(),
                                RoleBody("Deleters", "deleters", {"company.delete"}));
  EXPECT_EQ(del.status, 403) << del.Describe();
  ASSERT_TRUE(CreateRole(client, alice, "fetchers", {"company.fetch"}));

  {
    SCOPED_TRACE("DELETE /v1/role/restricted_a/permissions [-company.delete] by its holder");
    Response r = client.Request("DELETE", "/v1/role/restricted_a/permissions", alice.Auth(),
                                NodesBody({"-company.delete"}));
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_EQ(*RoleNodes(client, cast.super, restricted_a),
              (Nodes{"company.*", "-company.delete"}));
    EXPECT_EQ(Check(client, alice, "company.delete"), std::optional<bool>(false));
  }
  {
    SCOPED_TRACE("PATCH /v1/role/restricted_b [company.*] (drops the negation) for bob");
    Response r =
        client.Request("PATCH", "/v1/role/restricted_b", alice.Auth(), NodesBody({"company.*"}));
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_EQ(*RoleNodes(client, cast.super, restricted_b),
              (Nodes{"company.*", "-company.delete"}));
    EXPECT_EQ(Check(client, bob, "company.delete"), std::optional<bool>(false));
  }

  // Deleting a role takes its nodes from its holders: only with nodes one holds.
  ASSERT_TRUE(CreateRole(client, cast.super, "auditors", {"audit.read"}));
  Response del_other = client.Request("DELETE", "/v1/role/auditors", alice.Auth());
  EXPECT_EQ(del_other.status, 403) << del_other.Describe();
  EXPECT_EQ(*RoleNodes(client, cast.super, "auditors"), Nodes{"audit.read"});
  EXPECT_EQ(client.Request("DELETE", "/v1/role/fetchers", alice.Auth()).status, 200);

  // The same through user updates: the admin lacks role.delete.
  std::string role_all, no_role_delete;
  ASSERT_TRUE(CreateRole(client, cast.super, "role_all", {"role.*"}, &role_all));
  ASSERT_TRUE(CreateRole(client, cast.super, "no_role_delete", {"-role.delete"}, &no_role_delete));
  ASSERT_TRUE(SetRoles(client, cast.super, bob.id, {"user", "role_all", "no_role_delete"}));
  ASSERT_EQ(Check(client, bob, "role.delete"), std::optional<bool>(false));
  {
    SCOPED_TRACE("admin removes bob's role that carries -role.delete");
    Response r = PatchUser(client, cast.admin, bob.id, R"({"roles":["user","role_all"]})");
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_TRUE(Held(client, cast.super, bob.id).role_ids.contains(no_role_delete));
    EXPECT_EQ(Check(client, bob, "role.delete"), std::optional<bool>(false));
  }
  ASSERT_TRUE(SetRoles(client, cast.super, alice.id, {"user"}));
  ASSERT_TRUE(SetDirectNodes(client, cast.super, alice.id, {"role.*", "-role.delete"}));
  ASSERT_EQ(Check(client, alice, "role.delete"), std::optional<bool>(false));
  {
    SCOPED_TRACE("admin removes alice's direct -role.delete");
    Response r = PatchUser(client, cast.admin, alice.id, R"({"permissions":["role.*"]})");
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_TRUE(Held(client, cast.super, alice.id).permissions.contains("-role.delete"));
    EXPECT_EQ(Check(client, alice, "role.delete"), std::optional<bool>(false));
  }
}

// --------------------------------------------------------------------------------------------
// An admin must not be able to lock the super admin out with a negated grant either: "-*" on
// the last super admin takes away everything the "No one can remove the last super admin" rule
// protects.
TEST_P(Roles, AdminCannotNegateTheSuperAdmin) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  for (const char* body : {R"({"permissions":["-*"]})", R"({"permissions":["-role.*"]})"}) {
    SCOPED_TRACE(body);
    Response r = PatchUser(client, cast.admin, cast.super.id, body);
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_EQ(Check(client, cast.super, "role.create"), std::optional<bool>(true));
    EXPECT_EQ(client.Get("/v1/role", cast.super.Auth()).status, 200);
    if (r.status == 200) {  // undo (as root would), so the next body starts clean
      ASSERT_EQ(PatchUser(client, cast.admin, cast.super.id, R"({"permissions":[]})").status, 200);
    }
  }
}

// --------------------------------------------------------------------------------------------
// role_super_admin keeps "*" and cannot be deleted; no built-in role can be deleted; the last
// super admin cannot lose the role. All 409, nothing changes.
TEST_P(Roles, SuperAdminRoleAndLastSuperAdminAreProtected) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const RoleState super_role = *ReadRole(client, cast.super, "super_admin");
  ASSERT_EQ(super_role.nodes, Nodes{"*"});

  struct Attempt {
    std::string name, method, path, body;
  };
  const std::vector<Attempt> attempts = {
      {"DELETE the super admin role by id", "DELETE", "/v1/role/role_super_admin", ""},
      {"DELETE the super admin role by moniker", "DELETE", "/v1/role/super_admin", ""},
      {"PATCH the super admin role without *", "PATCH", "/v1/role/super_admin",
       NodesBody({"user.read"})},
      {"PATCH the super admin role to no nodes", "PATCH", "/v1/role/role_super_admin",
       NodesBody({})},
      {"remove * from the super admin role", "DELETE", "/v1/role/super_admin/permissions",
       NodesBody({"*"})},
      {"DELETE role_admin", "DELETE", "/v1/role/role_admin", ""},
      {"DELETE role_user", "DELETE", "/v1/role/user", ""},
      {"DELETE role_moderator", "DELETE", "/v1/role/moderator", ""},
      {"DELETE role_developer", "DELETE", "/v1/role/role_developer", ""},
  };
  for (const auto& a : attempts) {
    SCOPED_TRACE(a.name);
    Response r = client.Request(a.method, a.path, cast.super.Auth(), a.body);
    EXPECT_EQ(r.status, 409) << r.Describe();
    EXPECT_TRUE(IsEnvelope(r));
  }
  EXPECT_EQ(*ReadRole(client, cast.super, "super_admin"), super_role);
  for (const char* id : {"role_admin", "role_user", "role_moderator", "role_developer"}) {
    EXPECT_EQ(client.Get(std::string("/v1/role/") + id, cast.super.Auth()).status, 200) << id;
  }

  // The only super admin cannot drop the role.
  const Holdings before = Held(client, cast.super, cast.super.id);
  ASSERT_TRUE(before.role_ids.contains("role_super_admin"));
  for (const char* body :
       {R"({"roles":["user"]})", R"({"roles":["admin","user"]})", R"({"roles":[]})"}) {
    SCOPED_TRACE(body);
    Response r = PatchUser(client, cast.super, cast.super.id, body);
    EXPECT_EQ(r.status, 409) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/error", "LastSuperAdmin"));
  }
  EXPECT_EQ(Held(client, cast.super, cast.super.id), before);

  // With a second super admin it can; then that one is the last.
  ASSERT_TRUE(SetRoles(client, cast.super, cast.bob.id, {"super_admin", "user"}));
  EXPECT_TRUE(Held(client, cast.super, cast.bob.id).is_super_admin);
  ASSERT_TRUE(SetRoles(client, cast.super, cast.super.id, {"user"}));
  EXPECT_FALSE(Held(client, cast.bob, cast.super.id).is_super_admin);
  EXPECT_EQ(client.Get("/v1/role", cast.super.Auth()).status, 403);
  Response last = PatchUser(client, cast.bob, cast.bob.id, R"({"roles":["user"]})");
  EXPECT_EQ(last.status, 409) << last.Describe();
  EXPECT_TRUE(Held(client, cast.bob, cast.bob.id).is_super_admin);
}

// --------------------------------------------------------------------------------------------
// Deleting a custom role takes it from every holder at once: their UserPermissions no longer
// list it and their effective nodes shrink on the very next request, without a restart.
TEST_P(Roles, DeletingARoleTakesItFromItsHolders) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::string auditor;
  ASSERT_TRUE(CreateRole(client, cast.super, "auditor", {"company.fetch", "role.read"}, &auditor));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.alice.id, {"user", "auditor"}));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.bob.id, {"auditor", "user"}));

  // Warm the caches: both have the role's nodes now.
  EXPECT_EQ(Check(client, cast.alice, "company.fetch"), std::optional<bool>(true));
  EXPECT_EQ(Check(client, cast.bob, "company.fetch"), std::optional<bool>(true));
  EXPECT_EQ(client.Get("/v1/role/user", cast.alice.Auth()).status, 200);
  Holdings alice = Held(client, cast.alice, "@me");
  EXPECT_EQ(alice.role_ids, (Nodes{"role_user", auditor}));
  EXPECT_EQ(alice.roles, (Nodes{"User", "Role auditor"}));
  EXPECT_TRUE(alice.permissions.contains("company.fetch"));
  Response holders = client.Get("/v1/role/auditor/users", cast.super.Auth());
  EXPECT_EQ(IdsOf(ArrayAt(holders, "/data")), (std::set<std::string>{cast.alice.id, cast.bob.id}));

  Response deleted = client.Request("DELETE", "/v1/role/" + auditor, cast.super.Auth());
  ASSERT_EQ(deleted.status, 200) << deleted.Describe();

  EXPECT_EQ(Check(client, cast.alice, "company.fetch"), std::optional<bool>(false));
  EXPECT_EQ(Check(client, cast.bob, "company.fetch"), std::optional<bool>(false));
  EXPECT_EQ(client.Get("/v1/role/user", cast.alice.Auth()).status, 403);
  for (const Account* who : {&cast.alice, &cast.bob}) {
    SCOPED_TRACE(who->email);
    Holdings now = Held(client, *who, "@me");
    EXPECT_EQ(now.role_ids, Nodes{"role_user"});
    EXPECT_EQ(now.roles, Nodes{"User"});
    EXPECT_FALSE(now.permissions.contains("company.fetch"));
    Response roles = client.Get("/v1/user/users/" + who->id + "/roles", cast.super.Auth());
    EXPECT_EQ(IdsOf(ArrayAt(roles, "/data")), std::set<std::string>{"role_user"}) << roles.body;
    Response user = client.Get("/v1/user/users/" + who->id, cast.super.Auth());
    EXPECT_EQ(StringSet(At(user, "/data/roles")).contains("auditor"), false) << user.body;
  }
  EXPECT_EQ(client.Get("/v1/role/" + auditor, cast.super.Auth()).status, 404);
  EXPECT_EQ(client.Get("/v1/role/" + auditor + "/users", cast.super.Auth()).status, 404);

  // A new role under the old moniker starts with no holders.
  std::string reborn;
  ASSERT_TRUE(CreateRole(client, cast.super, "auditor", {"company.fetch"}, &reborn));
  EXPECT_NE(reborn, auditor);
  EXPECT_TRUE(ArrayAt(client.Get("/v1/role/auditor/users", cast.super.Auth()), "/data").empty());
  EXPECT_EQ(Check(client, cast.alice, "company.fetch"), std::optional<bool>(false));
}

// --------------------------------------------------------------------------------------------
// Changing a role's nodes (add, remove, replace, rename) reaches its holders on their very next
// request, on the route guard as well as in check-permission.
TEST_P(Roles, RoleChangesReachHoldersOnTheirNextRequest) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  HttpClient other(server.port());  // a second connection: no per-connection state may matter
  std::string viewer;
  ASSERT_TRUE(CreateRole(client, cast.super, "viewer", {"user.read"}, &viewer));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.alice.id, {"user", "viewer"}));

  EXPECT_EQ(Check(client, cast.alice, "company.fetch"), std::optional<bool>(false));
  EXPECT_EQ(Check(other, cast.alice, "company.fetch"), std::optional<bool>(false));

  Response added = client.Request("POST", "/v1/role/" + viewer + "/permissions", cast.super.Auth(),
                                  NodesBody({"company.fetch"}));
  ASSERT_EQ(added.status, 200) << added.Describe();
  EXPECT_EQ(Check(client, cast.alice, "company.fetch"), std::optional<bool>(true));
  EXPECT_EQ(Check(other, cast.alice, "company.fetch"), std::optional<bool>(true));
  EXPECT_TRUE(Held(client, cast.alice, "@me").permissions.contains("company.fetch"));

  Response removed = client.Request("DELETE", "/v1/role/viewer/permissions", cast.super.Auth(),
                                    NodesBody({"company.fetch"}));
  ASSERT_EQ(removed.status, 200) << removed.Describe();
  EXPECT_EQ(Check(other, cast.alice, "company.fetch"), std::optional<bool>(false));

  // The route guard follows too: role.read opens GET /v1/role/:identifier, not GET /v1/role.
  EXPECT_EQ(client.Get("/v1/role/user", cast.alice.Auth()).status, 403);
  ASSERT_EQ(client
                .Request("PATCH", "/v1/role/viewer", cast.super.Auth(),
                         NodesBody({"user.read", "role.read"}))
                .status,
            200);
  EXPECT_EQ(client.Get("/v1/role/user", cast.alice.Auth()).status, 200);
  EXPECT_EQ(other.Get("/v1/role", cast.alice.Auth()).status, 403);
  EXPECT_EQ(other.Get("/v1/permissions/role", cast.alice.Auth()).status, 200);
  ASSERT_EQ(client
                .Request("PATCH", "/v1/role/viewer", cast.super.Auth(),
                         NodesBody({"user.read", "role.read", "role.list"}))
                .status,
            200);
  EXPECT_EQ(other.Get("/v1/role", cast.alice.Auth()).status, 200);

  // Renaming keeps the holders and shows the new title in their UserPermissions.
  ASSERT_EQ(client
                .Request("PATCH", "/v1/role/viewer", cast.super.Auth(),
                         R"({"title":"Readers","moniker":"readers"})")
                .status,
            200);
  EXPECT_EQ(IdsOf(ArrayAt(client.Get("/v1/role/readers/users", cast.super.Auth()), "/data")),
            std::set<std::string>{cast.alice.id});
  Holdings after = Held(other, cast.alice, "@me");
  EXPECT_TRUE(after.roles.contains("Readers"));
  EXPECT_TRUE(after.role_ids.contains(viewer));

  ASSERT_EQ(client.Request("PATCH", "/v1/role/readers", cast.super.Auth(), NodesBody({})).status,
            200);
  EXPECT_EQ(other.Get("/v1/role/user", cast.alice.Auth()).status, 403);

  // Taking the role away (PATCH user roles) reaches the next request as well.
  ASSERT_EQ(
      client.Request("PATCH", "/v1/role/readers", cast.super.Auth(), NodesBody({"company.fetch"}))
          .status,
      200);
  EXPECT_EQ(Check(other, cast.alice, "company.fetch"), std::optional<bool>(true));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.alice.id, {"user"}));
  EXPECT_EQ(Check(other, cast.alice, "company.fetch"), std::optional<bool>(false));
}

// --------------------------------------------------------------------------------------------
// The matcher seen through check-permission and the route guard: negated grants win over
// wildcards, wildcards stop at segment boundaries, a node does not cover its children.
TEST_P(Roles, NegationsAndPrefixTrapsThroughCheckPermission) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::string company_all;
  ASSERT_TRUE(CreateRole(client, cast.super, "company_all", {"company.*"}, &company_all));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.alice.id, {"user", "company_all"}));
  ASSERT_TRUE(SetDirectNodes(client, cast.super, cast.alice.id, {"-company.delete"}));
  ASSERT_TRUE(SetDirectNodes(client, cast.super, cast.bob.id, {"company.fetch"}));

  const std::vector<std::string> alice_nodes = {
      "company.delete", "company.fetch",   "company.fetch.address", "companyx.fetch", "company",
      "user.read",      "user.read.other", "user.readall",          "user",           "users.read"};
  const std::vector<bool> alice_expected = {false, true,  true,  false, false,
                                            true,  false, false, false, false};
  EXPECT_EQ(CheckAll(client, cast.alice, alice_nodes), alice_expected);
  // The same answers when someone else asks about her.
  Response about = client.Post("/v1/user/users/" + cast.alice.id + "/check-permission",
                               NodesBody(alice_nodes), cast.super.Auth());
  ASSERT_EQ(about.status, 200) << about.Describe();
  for (std::size_t i = 0; i < alice_nodes.size(); ++i) {
    EXPECT_TRUE(HasJson(about, "/data/results/" + std::to_string(i) + "/hasPermission",
                        static_cast<bool>(alice_expected[i])))
        << alice_nodes[i];
  }

  Response wildcard = client.Post("/v1/user/@me/check-permission",
                                  NodesBody({"company.fetch", "company.*"}), cast.bob.Auth());
  EXPECT_EQ(wildcard.status, 400) << "a wildcard is not a node to check: " << wildcard.Describe();
  EXPECT_TRUE(HasJson(wildcard, "/errors/0/path", json::array{"permissions", "1"}));
  EXPECT_EQ(CheckAll(client, cast.bob, {"company.fetch", "company.fetch.address", "company"}),
            (std::vector<bool>{true, false, false}));
  EXPECT_EQ(CheckAll(client, cast.admin,
                     {"user.read.other", "users.read", "user", "role.read", "role.create",
                      "session.anything.at_all"}),
            (std::vector<bool>{true, false, false, true, false, true}));
  EXPECT_EQ(CheckAll(client, cast.super, {"anything.at.all", "role.delete", "x"}),
            (std::vector<bool>{true, true, true}));

  // UserPermissions (seed 001) lists roles by title, ids, and the effective grants as stored.
  Response perms =
      client.Get("/v1/user/users/" + cast.alice.id + "/permissions", cast.alice.Auth());
  ASSERT_EQ(perms.status, 200) << perms.Describe();
  EXPECT_TRUE(KeysAre(At(perms, "/data"), {"roles", "role_ids", "permissions", "is_super_admin"}));
  EXPECT_EQ(StringSet(At(perms, "/data/role_ids")), (Nodes{"role_user", company_all}));
  EXPECT_EQ(StringSet(At(perms, "/data/roles")), (Nodes{"User", "Role company_all"}));
  Nodes effective = StringSet(At(perms, "/data/permissions"));
  EXPECT_TRUE(effective.contains("company.*") && effective.contains("-company.delete") &&
              effective.contains("user.read"))
      << perms.body;
  EXPECT_TRUE(HasJson(perms, "/data/is_super_admin", false));
  Holdings super = Held(client, cast.super, cast.super.id);
  EXPECT_TRUE(super.is_super_admin);
  EXPECT_TRUE(super.role_ids.contains("role_super_admin"));
  EXPECT_TRUE(super.permissions.contains("*"));

  // The route guard honours negations: role.* minus role.list opens everything but GET /v1/role.
  ASSERT_TRUE(CreateRole(client, cast.super, "role_all", {"role.*"}));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.bob.id, {"user", "role_all"}));
  ASSERT_TRUE(SetDirectNodes(client, cast.super, cast.bob.id, {"-role.list"}));
  EXPECT_EQ(client.Get("/v1/role", cast.bob.Auth()).status, 403);
  EXPECT_EQ(client.Get("/v1/role/user", cast.bob.Auth()).status, 200);
  EXPECT_EQ(client.Get("/v1/permissions", cast.bob.Auth()).status, 200);
  // A negated "*" beats everything, even the super admin role's "*".
  ASSERT_TRUE(SetRoles(client, cast.super, cast.bob.id, {"user", "super_admin"}));
  ASSERT_TRUE(SetDirectNodes(client, cast.super, cast.bob.id, {"-*"}));
  EXPECT_EQ(client.Get("/v1/role/user", cast.bob.Auth()).status, 403);
  EXPECT_EQ(client.Post("/v1/user/@me/check-permission", NodesBody({"user.read"}), cast.bob.Auth())
                .status,
            403);
}

// --------------------------------------------------------------------------------------------
// A role id is never shadowed by a custom role's moniker: assigning "role_admin" assigns the
// built-in role even when another role uses that string as its moniker.
TEST_P(Roles, IdsWinOverMonikersThatLookLikeIds) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::string shadow;
  Response r = client.Request("POST", "/v1/role", cast.super.Auth(),
                              RoleBody("Shadow", "role_moderator", {"user.read"}));
  if (r.status != 201) GTEST_SKIP() << "monikers equal to role ids are refused: " << r.Describe();
  shadow = std::string(At(r, "/data/id").as_string());
  // Touch the built-in row so its physical position moves behind the shadow's (PostgreSQL).
  ASSERT_EQ(client
                .Request("POST", "/v1/role/role_moderator/permissions", cast.super.Auth(),
                         NodesBody({"company.fetch"}))
                .status,
            200);
  EXPECT_TRUE(RoleNodes(client, cast.super, "role_moderator")->contains("user.read.other"));
  ASSERT_TRUE(SetRoles(client, cast.super, cast.bob.id, {"user", "role_moderator"}));
  Holdings bob = Held(client, cast.super, cast.bob.id);
  EXPECT_EQ(bob.role_ids, (Nodes{"role_user", "role_moderator"}));
  EXPECT_EQ(Check(client, cast.bob, "user.read.other"), std::optional<bool>(true));
  EXPECT_FALSE(bob.role_ids.contains(shadow));
}

// --------------------------------------------------------------------------------------------
// Two nodes on one PostgreSQL database: a role change made through one reaches holders'
// requests on the other (issue 4: caches invalidated across nodes via NOTIFY).
TEST_P(Roles, RoleChangesReachOtherNodes) {
  if (GetParam() != BackendKind::kPostgres) GTEST_SKIP() << "one SQLite file, one node";
  ServerProcess& a = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(a, &cast));
  ServerProcess& b = NewServer(FastHashFlags());
  std::filesystem::copy_file(a.data_dir() + "/jwt-signing-key.pem",
                             b.data_dir() + "/jwt-signing-key.pem");
  // Nodes of one deployment share the vault master keyring too (B refuses to start otherwise).
  std::filesystem::copy_file(a.data_dir() + "/vault-master.keyring",
                             b.data_dir() + "/vault-master.keyring");
  ASSERT_TRUE(b.Start());
  HttpClient on_a(a.port()), on_b(b.port());
  ASSERT_EQ(on_b.Get("/v1/user/@me", cast.super.Auth()).status, 200) << "tokens work on both";

  std::string viewer;
  ASSERT_TRUE(CreateRole(on_a, cast.super, "viewer", {"user.read", "company.fetch"}, &viewer));
  ASSERT_TRUE(SetRoles(on_a, cast.super, cast.alice.id, {"user", "viewer"}));
  ASSERT_TRUE(SetRoles(on_a, cast.super, cast.bob.id, {"user", "viewer"}));
  // Node B loads (and caches) both users now.
  ASSERT_EQ(Check(on_b, cast.alice, "company.fetch"), std::optional<bool>(true));
  ASSERT_EQ(Check(on_b, cast.bob, "company.fetch"), std::optional<bool>(true));

  auto eventually = [&](const Account& who, const std::string& node, bool want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    do {
      if (Check(on_b, who, node) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  };
  ASSERT_EQ(on_a.Request("DELETE", "/v1/role/viewer/permissions", cast.super.Auth(),
                         NodesBody({"company.fetch"}))
                .status,
            200);
  EXPECT_EQ(Check(on_a, cast.alice, "company.fetch"), std::optional<bool>(false));
  EXPECT_TRUE(eventually(cast.alice, "company.fetch", false))
      << "node B still grants a node removed from the role on node A";
  ASSERT_EQ(on_a.Request("POST", "/v1/role/viewer/permissions", cast.super.Auth(),
                         NodesBody({"company.create"}))
                .status,
            200);
  EXPECT_TRUE(eventually(cast.alice, "company.create", true))
      << "node B does not see a node added to the role on node A";
  ASSERT_TRUE(SetRoles(on_a, cast.super, cast.bob.id, {"user"}));
  EXPECT_TRUE(eventually(cast.bob, "user.read.other", false));  // sanity: never held
  EXPECT_TRUE(eventually(cast.bob, "company.fetch", false))
      << "node B still grants bob the nodes of a role taken from him on node A";
}

}  // namespace

GATEHOUSE_INSTANTIATE_BACKENDS(Roles);

}  // namespace gatehouse::testing
