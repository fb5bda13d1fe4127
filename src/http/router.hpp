// Routes: method + path pattern (":name" segments) + the permission nodes the route needs +
// handler. Deny by default: a route either lists nodes, or says it only needs a signed-in
// caller, or is marked public explicitly.
//
//   router.Add(Method::kGet, "/v1/role/:identifier", Access::Nodes({"role.read"}), GetRole);
//   router.Add(Method::kGet, "/health", Access::Public(), Health, {.inline_handler = true});
//   RouteMatch m = router.Match(Method::kGet, "/v1/role/admin");   // m.params["identifier"]
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "http/message.hpp"

namespace gatehouse::http {

// Who may call a route.
struct Access {
  enum class Kind { kPublic, kAuthenticated, kNodes };
  Kind kind = Kind::kNodes;
  std::vector<std::string> nodes;        // all required before the handler runs (kNodes)
  std::vector<std::string> conditional;  // checked by the handler in some cases (listed in the
                                         // catalog's usedIn, not enforced here)

  static Access Public() { return {Kind::kPublic, {}, {}}; }
  // Any signed-in caller; `conditional` names the nodes the handler may also demand (e.g.
  // "user.read.other" when the target is someone else).
  static Access Authenticated(std::vector<std::string> conditional = {}) {
    return {Kind::kAuthenticated, {}, std::move(conditional)};
  }
  static Access Nodes(std::vector<std::string> nodes, std::vector<std::string> conditional = {}) {
    return {Kind::kNodes, std::move(nodes), std::move(conditional)};
  }
};

// What a handler gets: the request, its path parameters and the authenticated caller.
struct Context {
  const Request& request;
  const std::map<std::string, std::string, std::less<>>& params;
  core::Principal principal;

  std::string_view Param(std::string_view name) const;
  // Who is acting and from where, for the audit log.
  core::RequestMeta Meta() const;
};

using Handler = std::function<core::Result<Response>(Context&)>;

struct RouteOptions {
  // Run on the I/O thread instead of the worker pool: only for handlers that never block
  // (no database, no hashing), such as /health.
  bool inline_handler = false;
};

struct Route {
  Method method;
  std::string pattern;
  Access access;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;  // pattern split on '/'
};

struct RouteMatch {
  const Route* route = nullptr;  // null: no route for this method and path
  std::map<std::string, std::string, std::less<>> params;
  std::vector<Method> allowed;   // methods the path supports; non-empty means 405
  bool bad_path = false;         // malformed percent-encoding in a parameter
};

class Router {
 public:
  // Aborts on a duplicate or malformed pattern: registering routes is start-up code.
  void Add(Method method, std::string pattern, Access access, Handler handler,
           RouteOptions options = {});

  // Static segments win over parameters, segment by segment; HEAD matches GET routes.
  RouteMatch Match(Method method, std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace gatehouse::http
