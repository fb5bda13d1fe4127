#include "modules/roles/routes.hpp"

#include <boost/json/array.hpp>

#include "authz/nodes.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/envelope.hpp"

namespace gatehouse::modules::roles {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {



boost::json::object RoleJson(const Role& role, bool with_permissions = true) {
  boost::json::object out{{"id", role.id}, {"title", role.title}, {"moniker", role.moniker}};
  if (with_permissions) out.emplace("permissions", core::JsonStrings(role.permissions));
  out.emplace("builtIn", role.built_in);
  out.emplace("createdAt", core::JsonTime(role.created_at));
  out.emplace("updatedAt", core::JsonTime(role.updated_at));
  return out;
}

constexpr core::StringRule kTitle{.min = 1, .max = 100, .trim = true};
constexpr core::StringRule kMoniker{.min = 1, .max = 50, .trim = true};
constexpr core::StringRule kGrant{.min = 1, .max = 200};

core::Result<RoleInput> ParseRole(std::string_view body, bool create) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  RoleInput input;
  input.title = create ? in.RequiredString("title", kTitle) : in.OptionalString("title", kTitle);
  input.moniker =
      create ? in.RequiredString("moniker", kMoniker) : in.OptionalString("moniker", kMoniker);
  input.permissions = in.OptionalStringArray("permissions", 500, kGrant);
  if (auto status = in.Finish(); !status) return std::move(status).error();
  return input;
}

core::Result<std::vector<std::string>> ParseNodes(std::string_view body) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  auto permissions = in.RequiredStringArray("permissions", 500, kGrant);
  if (auto status = in.Finish(); !status) return std::move(status).error();
  if (permissions->empty()) return core::Validation({{{"permissions"}, "Must not be empty"}});
  return std::move(*permissions);
}

}  // namespace

void BindRoleRoutes(http::Router& router, RoleService& roles) {
  router.Add(Method::kPost, "/v1/role", Access::Nodes({n::kRoleCreate}),
             [&roles](Context& c) -> core::Result<Response> {
               auto input = ParseRole(c.request.body, /*create=*/true);
               if (!input) return input.error();
               auto role = roles.Create(c.principal, *input, c.Meta());
               if (!role) return role.error();
               return http::Ok(RoleJson(*role), "Role Created Successfully!", 201);
             });

  router.Add(Method::kGet, "/v1/role", Access::Nodes({n::kRoleRead, n::kRoleList}),
             [&roles](Context&) -> core::Result<Response> {
               auto list = roles.List();
               if (!list) return list.error();
               boost::json::array data;
               for (const auto& role : *list) data.push_back(RoleJson(role));
               return http::Ok(std::move(data), "Roles Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/role/:identifier", Access::Nodes({n::kRoleRead}),
             [&roles](Context& c) -> core::Result<Response> {
               auto role = roles.Get(std::string(c.Param("identifier")));
               if (!role) return role.error();
               return http::Ok(RoleJson(*role), "Role Fetched Successfully!");
             });

  router.Add(Method::kPatch, "/v1/role/:identifier", Access::Nodes({n::kRoleModify}),
             [&roles](Context& c) -> core::Result<Response> {
               auto input = ParseRole(c.request.body, /*create=*/false);
               if (!input) return input.error();
               auto role =
                   roles.Update(c.principal, std::string(c.Param("identifier")), *input, c.Meta());
               if (!role) return role.error();
               return http::Ok(RoleJson(*role), "Role Updated Successfully!");
             });

  router.Add(Method::kDelete, "/v1/role/:identifier", Access::Nodes({n::kRoleDelete}),
             [&roles](Context& c) -> core::Result<Response> {
               auto role = roles.Delete(c.principal, std::string(c.Param("identifier")), c.Meta());
               if (!role) return role.error();
               return http::Ok(RoleJson(*role, /*with_permissions=*/false),
                               "Role Deleted Successfully!");
             });

  router.Add(Method::kPost, "/v1/role/:identifier/permissions", Access::Nodes({n::kRoleModify}),
             [&roles](Context& c) -> core::Result<Response> {
               auto nodes = ParseNodes(c.request.body);
               if (!nodes) return nodes.error();
               auto role =
                   roles.AddPermissions(c.principal, std::string(c.Param("identifier")), *nodes,
                                        c.Meta());
               if (!role) return role.error();
               return http::Ok(RoleJson(*role), "Permissions Added Successfully!");
             });

  router.Add(Method::kDelete, "/v1/role/:identifier/permissions", Access::Nodes({n::kRoleModify}),
             [&roles](Context& c) -> core::Result<Response> {
               auto nodes = ParseNodes(c.request.body);
               if (!nodes) return nodes.error();
               auto role = roles.RemovePermissions(
                   c.principal, std::string(c.Param("identifier")), *nodes, c.Meta());
               if (!role) return role.error();
               return http::Ok(RoleJson(*role), "Permissions Removed Successfully!");
             });

  router.Add(Method::kGet, "/v1/role/:identifier/users", Access::Nodes({n::kRoleRead, n::kUserRead}),
             [&roles](Context& c) -> core::Result<Response> {
               auto holders = roles.Holders(std::string(c.Param("identifier")));
               if (!holders) return holders.error();
               boost::json::array data;
               for (const auto& h : *holders) {
                 data.push_back(boost::json::object{
                     {"id", h.id},
                     {"name", h.name ? boost::json::value(*h.name) : boost::json::value(nullptr)},
                     {"login",
                      h.login ? boost::json::value(*h.login) : boost::json::value(nullptr)},
                     {"roles", core::JsonStrings(h.role_ids)},
                     {"createdAt", core::JsonTime(h.created_at)},
                     {"updatedAt", core::JsonTime(h.updated_at)}});
               }
               return http::Ok(std::move(data), "Users Fetched Successfully!");
             });
}

}  // namespace gatehouse::modules::roles
