// System routes: liveness (/health), readiness with a store check (/v1/health), and seed
// 002's teapot.
//
//   BindSystemRoutes(router, {.database = &db, .version = "0.1.0"});
#pragma once

#include <string>

#include "http/router.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::system {

struct SystemDeps {
  store::Database* database = nullptr;
  std::string version;
};

void BindSystemRoutes(http::Router& router, SystemDeps deps);

}  // namespace gatehouse::modules::system
