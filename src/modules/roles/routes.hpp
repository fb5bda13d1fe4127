// HTTP surface of roles (seed 002): create, read, list, update, delete, add and remove nodes,
// and list a role's holders.
//
//   BindRoleRoutes(router, roles);
#pragma once

#include "http/router.hpp"
#include "modules/roles/service.hpp"

namespace gatehouse::modules::roles {

void BindRoleRoutes(http::Router& router, RoleService& roles);

}  // namespace gatehouse::modules::roles
