// The permission catalog over HTTP (seed 002): categorised, flat, and one category. "usedIn"
// lists the routes that declare each node, read from the router itself.
//
//   BindPermissionRoutes(router);   // after every other module has bound its routes
#pragma once

#include <boost/json/object.hpp>

#include "http/router.hpp"

namespace gatehouse::modules::permissions {

void BindPermissionRoutes(http::Router& router);

// {"global": {"name", "description", "permissions": [...]}, ...} (also used by docs checks).
boost::json::object CatalogJson(const http::Router& router);

}  // namespace gatehouse::modules::permissions
