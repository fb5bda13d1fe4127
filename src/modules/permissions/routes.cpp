#include "modules/permissions/routes.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <map>

#include "authz/catalog.hpp"
#include "authz/nodes.hpp"
#include "http/envelope.hpp"

namespace gatehouse::modules::permissions {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {

// node -> ["GET /v1/role/:identifier", ...], from required and conditional declarations.
std::map<std::string, std::vector<std::string>> UsedIn(const http::Router& router) {
  std::map<std::string, std::vector<std::string>> used;
  for (const auto& route : router.routes()) {
    const std::string where = std::string(http::MethodName(route->method)) + " " + route->pattern;
    for (const auto* list : {&route->access.nodes, &route->access.conditional}) {
      for (const auto& node : *list) {
        auto& places = used[node];
        if (std::find(places.begin(), places.end(), where) == places.end()) {
          places.push_back(where);
        }
      }
    }
  }
  return used;
}

boost::json::object NodeJson(const authz::NodeInfo& info,
                             const std::map<std::string, std::vector<std::string>>& used) {
  boost::json::array places;
  if (auto it = used.find(info.node); it != used.end()) {
    for (const auto& place : it->second) places.emplace_back(place);
  }
  boost::json::object out{{"node", info.node},
                          {"description", info.description},
                          {"usedIn", std::move(places)}};
  if (!info.dependencies.empty()) {
    boost::json::array deps;
    for (const auto& d : info.dependencies) deps.emplace_back(d);
    out.emplace("dependencies", std::move(deps));
  }
  return out;
}

boost::json::object CategoryJson(const authz::Category& category,
                                 const std::map<std::string, std::vector<std::string>>& used) {
  boost::json::array nodes;
  for (const auto& info : category.nodes) nodes.push_back(NodeJson(info, used));
  return {{"name", category.name},
          {"description", category.description},
          {"permissions", std::move(nodes)}};
}

}  // namespace

boost::json::object CatalogJson(const http::Router& router) {
  const auto used = UsedIn(router);
  boost::json::object out;
  for (const auto& category : authz::Catalog()) out.emplace(category.key, CategoryJson(category, used));
  return out;
}

void BindPermissionRoutes(http::Router& router) {
  const http::Router* self = &router;
  router.Add(Method::kGet, "/v1/permissions", Access::Nodes({n::kRoleRead}),
             [self](Context&) -> core::Result<Response> {
               return http::Ok(CatalogJson(*self), "Permission Nodes Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/permissions/nodes", Access::Nodes({n::kRoleRead}),
             [self](Context&) -> core::Result<Response> {
               const auto used = UsedIn(*self);
               boost::json::array data;
               for (const auto& category : authz::Catalog()) {
                 for (const auto& info : category.nodes) data.push_back(NodeJson(info, used));
               }
               return http::Ok(std::move(data), "All Permission Nodes Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/permissions/:category", Access::Nodes({n::kRoleRead}),
             [self](Context& c) -> core::Result<Response> {
               const std::string key(c.Param("category"));
               const auto* category = authz::FindCategory(key);
               if (category == nullptr) {
                 return core::NotFound("Permission category \"" + key + "\" not found");
               }
               return http::Ok(CategoryJson(*category, UsedIn(*self)),
                               "Permission Category Fetched Successfully!");
             });
}

}  // namespace gatehouse::modules::permissions
