// HTTP surface of the users module: seed 002's user routes, seeds 000/001's profile,
// permissions, accounts and exists routes, and seed 004's user search.
//
//   BindUserRoutes(router, users, sessions);
#pragma once

#include "http/router.hpp"
#include "modules/sessions/service.hpp"
#include "modules/users/service.hpp"

namespace gatehouse::modules::users {

void BindUserRoutes(http::Router& router, UserService& users, sessions::SessionService& sessions);

}  // namespace gatehouse::modules::users
