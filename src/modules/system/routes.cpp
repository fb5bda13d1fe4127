#include "modules/system/routes.hpp"

#include <boost/json/object.hpp>

#include "http/envelope.hpp"

namespace gatehouse::modules::system {

using http::Access;
using http::Context;
using http::Method;
using http::Response;

void BindSystemRoutes(http::Router& router, SystemDeps deps) {
  // Liveness: answers from the I/O thread without touching the store, so a load balancer
  // sees the process, not its dependencies.
  // The answer never changes: serialise it once.
  const Response health = http::Ok(boost::json::object{{"status", "ok"}}, "OK");
  router.Add(Method::kGet, "/health", Access::Public(),
             [health](Context&) -> core::Result<Response> { return health; },
             {.inline_handler = true});

  // Readiness: checks the store.
  router.Add(Method::kGet, "/v1/health", Access::Public(),
             [deps](Context&) -> core::Result<Response> {
               if (auto ping = deps.database->Ping(); !ping) {
                 core::Error error = ping.error();
                 error.public_message = "Database unavailable";
                 error.retry_after_seconds = 5;
                 return error;
               }
               return http::Ok(boost::json::object{{"status", "ok"},
                                                   {"database", "ok"},
                                                   {"version", deps.version}},
                               "OK");
             });

  router.Add(Method::kGet, "/v1/teapot", Access::Public(),
             [](Context&) -> core::Result<Response> {
               return http::Plain(418, "I'm a teapot", std::nullopt, false);
             },
             {.inline_handler = true});
}

}  // namespace gatehouse::modules::system
