// The permission catalog seen from outside (seed 002's Permission Routes, issue 4): the three
// routes by five callers (role.read opens them: admins and super admins), the categorized and
// flat shapes, usedIn filled from the route registrations, and seed 002's 404 for an unknown
// category. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>
#include <set>
#include <string>
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
using authz::StringSet;

const std::string kUnknownCategoryMessage = "Permission category \"invalidCategory\" not found";

// {node, description, usedIn[, dependencies]}: strings, usedIn entries like "GET /v1/role".
void ExpectNodeShape(const json::value& node) {
  ASSERT_TRUE(node.is_object()) << json::serialize(node);
  const json::object& o = node.as_object();
  std::set<std::string> keys;
  for (const auto& kv : o) keys.emplace(kv.key());
  keys.erase("dependencies");
  EXPECT_EQ(keys, (std::set<std::string>{"node", "description", "usedIn"}))
      << json::serialize(node);
  EXPECT_TRUE(o.contains("node") && o.at("node").is_string()) << json::serialize(node);
  EXPECT_TRUE(o.contains("description") && o.at("description").is_string() &&
              !o.at("description").get_string().empty())
      << json::serialize(node);
  static const std::regex kPlace(R"((GET|POST|PUT|PATCH|DELETE) /\S+)");
  ASSERT_TRUE(o.contains("usedIn") && o.at("usedIn").is_array()) << json::serialize(node);
  for (const auto& place : o.at("usedIn").as_array()) {
    EXPECT_TRUE(place.is_string() && std::regex_match(std::string(place.get_string()), kPlace))
        << json::serialize(place);
  }
  if (o.contains("dependencies")) {
    ASSERT_TRUE(o.at("dependencies").is_array()) << json::serialize(node);
    for (const auto& d : o.at("dependencies").as_array()) EXPECT_TRUE(d.is_string());
  }
}

void ExpectCategoryShape(const json::value& category) {
  ASSERT_TRUE(category.is_object()) << json::serialize(category);
  EXPECT_TRUE(KeysAre(category, {"name", "description", "permissions"}));
  const json::object& o = category.as_object();
  EXPECT_TRUE(o.contains("name") && o.at("name").is_string());
  EXPECT_TRUE(o.contains("description") && o.at("description").is_string());
  ASSERT_TRUE(o.contains("permissions") && o.at("permissions").is_array());
  EXPECT_FALSE(o.at("permissions").as_array().empty()) << json::serialize(category);
  for (const auto& node : o.at("permissions").as_array()) ExpectNodeShape(node);
}

class Permissions : public BackendTest {};

TEST_P(Permissions, EveryRouteByFiveCallers) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  std::vector<Scenario> t;
  AddCallers(t, cast, "GET /v1/permissions", "GET", "/v1/permissions", "",
             {401, 403, 403, 200, 200},
             [](const Response& r) { EXPECT_TRUE(At(r, "/data").is_object()) << r.body; },
             {{"/message", "Permission Nodes Fetched Successfully!"}});
  AddCallers(t, cast, "GET /v1/permissions/nodes", "GET", "/v1/permissions/nodes", "",
             {401, 403, 403, 200, 200},
             [](const Response& r) { EXPECT_FALSE(ArrayAt(r, "/data").empty()) << r.body; },
             {{"/message", "All Permission Nodes Fetched Successfully!"}});
  for (const char* key : {"global", "user", "session", "role"}) {
    AddCallers(t, cast, std::string("GET /v1/permissions/") + key, "GET",
               std::string("/v1/permissions/") + key, "", {401, 403, 403, 200, 200},
               [](const Response& r) { ExpectCategoryShape(At(r, "/data")); },
               {{"/message", "Permission Category Fetched Successfully!"}});
  }
  AddCallers(t, cast, "GET an unknown category", "GET", "/v1/permissions/invalidCategory", "",
             {401, 403, 403, 404, 404}, {},
             {{"/error", "NotFound"}, {"/message", kUnknownCategoryMessage}});
  // Writing is not a thing here.
  t.push_back({.name = "POST /v1/permissions",
               .method = "POST",
               .path = "/v1/permissions",
               .headers = cast.super.Auth(),
               .body = "{}",
               .expected_status = 405});
  RunScenarios(server, t);
}

TEST_P(Permissions, CatalogFollowsSeed002AndTheRoutes) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());

  Response all = client.Get("/v1/permissions", cast.admin.Auth());
  ASSERT_EQ(all.status, 200) << all.Describe();
  const json::value catalog = At(all, "/data");
  ASSERT_TRUE(catalog.is_object()) << all.body;
  const json::object& categories = catalog.as_object();
  for (const char* key : {"global", "user", "session", "role"}) {
    EXPECT_TRUE(categories.contains(key)) << key << " missing";
  }

  // Seed 002's global category, word for word.
  EXPECT_TRUE(HasJson(all, "/data/global/name", "Global Permissions"));
  EXPECT_TRUE(HasJson(all, "/data/global/description",
                      "Global wildcard permissions that grant access to all resources"));
  EXPECT_TRUE(
      HasJson(all, "/data/global/permissions",
              json::array{json::object{
                  {"node", "*"},
                  {"description", "Full access to all resources and actions (administrator role)"},
                  {"usedIn", json::array{}}}}));

  // Every category well-formed, every node once, dependencies point into the catalog.
  std::vector<json::value> flat_expected;
  std::map<std::string, std::set<std::string>> used_in;
  std::map<std::string, std::vector<std::string>> depends;
  for (const auto& [key, category] : categories) {
    SCOPED_TRACE(std::string(key));
    ExpectCategoryShape(category);
    Response one = client.Get("/v1/permissions/" + std::string(key), cast.admin.Auth());
    EXPECT_EQ(one.status, 200) << one.Describe();
    EXPECT_EQ(At(one, "/data"), category) << "GET /v1/permissions/" << key << " differs";
    if (!category.is_object() || !category.as_object().contains("permissions")) continue;
    for (const auto& node : category.at("permissions").as_array()) {
      flat_expected.push_back(node);
      const std::string name(node.at("node").as_string());
      EXPECT_FALSE(used_in.contains(name)) << name << " listed twice";
      used_in[name] = StringSet(node.at("usedIn"));
      if (node.as_object().contains("dependencies")) {
        for (const auto& d : node.at("dependencies").as_array()) {
          depends[name].emplace_back(d.as_string());
        }
      }
    }
  }
  for (const auto& [node, deps] : depends) {
    for (const auto& dep : deps) {
      EXPECT_TRUE(used_in.contains(dep)) << node << " depends on " << dep << ", not in the catalog";
    }
  }

  // The flat list is the same nodes, same objects, same order.
  Response flat = client.Get("/v1/permissions/nodes", cast.admin.Auth());
  ASSERT_EQ(flat.status, 200) << flat.Describe();
  json::array flat_nodes = ArrayAt(flat, "/data");
  ASSERT_EQ(flat_nodes.size(), flat_expected.size()) << flat.body;
  for (std::size_t i = 0; i < flat_nodes.size(); ++i) EXPECT_EQ(flat_nodes[i], flat_expected[i]);

  // usedIn names the routes that check the node (from the registrations, not by hand).
  const std::map<std::string, std::set<std::string>> must_use = {
      {"role.read",
       {"GET /v1/role", "GET /v1/role/:identifier", "GET /v1/role/:identifier/users",
        "GET /v1/permissions", "GET /v1/permissions/nodes", "GET /v1/permissions/:category"}},
      {"role.list", {"GET /v1/role"}},
      {"role.create", {"POST /v1/role"}},
      {"role.modify",
       {"PATCH /v1/role/:identifier", "POST /v1/role/:identifier/permissions",
        "DELETE /v1/role/:identifier/permissions"}},
      {"role.delete", {"DELETE /v1/role/:identifier"}},
      {"user.read", {"GET /v1/role/:identifier/users", "POST /v1/user/@me/check-permission"}},
      {"user.roles.other", {"PATCH /v1/user/users/:identifier"}},
      {"user.permissions.other", {"PATCH /v1/user/users/:identifier"}},
  };
  for (const auto& [node, places] : must_use) {
    SCOPED_TRACE(node);
    ASSERT_TRUE(used_in.contains(node)) << node << " not in the catalog";
    for (const auto& place : places) {
      EXPECT_TRUE(used_in.at(node).contains(place)) << node << " usedIn lacks " << place;
    }
  }
  EXPECT_FALSE(used_in.at("role.create").contains("GET /v1/role")) << "usedIn over-reports";
  // Every node the catalog lists is one some route checks ("*" aside), and is a well-formed
  // node that check-permission accepts.
  std::vector<std::string> checkable;
  for (const auto& [node, places] : used_in) {
    if (node == "*") continue;
    EXPECT_FALSE(places.empty()) << node << " is listed but no route uses it";
    checkable.push_back(node);
  }
  auto answers = authz::CheckAll(client, cast.super, checkable);
  ASSERT_TRUE(answers.has_value());
  for (std::size_t i = 0; i < checkable.size(); ++i) {
    EXPECT_TRUE((*answers)[i]) << "the super admin lacks " << checkable[i];
  }

  // Seed 002's 404, exactly; "nodes" is the flat list, not a category.
  Response unknown = client.Get("/v1/permissions/invalidCategory", cast.admin.Auth());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(IsEnvelope(unknown));
  EXPECT_TRUE(HasJson(unknown, "/error", "NotFound"));
  EXPECT_TRUE(HasJson(unknown, "/message", kUnknownCategoryMessage));
  EXPECT_TRUE(HasJson(unknown, "/successful", false));
  Response other = client.Get("/v1/permissions/Role", cast.admin.Auth());
  EXPECT_EQ(other.status, 404) << "category keys are case-sensitive: " << other.Describe();
  EXPECT_TRUE(HasJson(other, "/message", "Permission category \"Role\" not found"));
}

}  // namespace

GATEHOUSE_INSTANTIATE_BACKENDS(Permissions);

}  // namespace gatehouse::testing
