// The middleware chain between the listener and a handler: request id, client IP, CORS,
// routing (404/405), authentication and the route's permission nodes, the handler itself,
// error envelopes, and one JSON access-log line per request.
//
//   Dispatcher dispatcher(router, options, authenticate);
//   RouteMatch match = dispatcher.Route(request);            // cheap; on the I/O thread
//   Response response = dispatcher.Run(request, match);      // may block; on a worker
//   if (response.deferred) response = dispatcher.Finish(request, response, pending->Take());
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace gatehouse::http {

// Turns credentials on a request into a Principal. No credentials: an anonymous principal.
// Bad credentials: kUnauthenticated. Installed by the application; none means anonymous.
using Authenticator = std::function<core::Result<core::Principal>(const Request&)>;

struct DispatcherOptions {
  std::vector<std::string> cors_origins;     // exact origins or "*"
  std::vector<std::string> trusted_proxies;  // peer IPs whose X-Forwarded-For is believed
};

class Dispatcher {
 public:
  Dispatcher(const Router& router, DispatcherOptions options, Authenticator authenticator);

  // Assigns the request id and client IP, and finds the route.
  RouteMatch Route(Request& request) const;
  // Runs everything after routing and returns the finished response (headers included).
  // When the handler answered with Deferred::Later(), the response carries `deferred` and the
  // headers so far; the caller waits for it and calls Finish.
  Response Run(Request& request, const RouteMatch& match) const;
  // Turns a deferred handler's outcome into the finished response as Run would have: errors
  // become envelopes (and are logged), `placeholder`'s headers (rate limits) and Decorate's
  // are added.
  Response Finish(const Request& request, const Response& placeholder,
                  core::Result<Response> outcome) const;
  // For responses made outside Run (parser errors, overload): request id and CORS headers.
  void Decorate(const Request& request, Response& response) const;
  // Writes the access-log line.
  void LogAccess(const Request& request, int status, std::size_t bytes,
                 std::chrono::steady_clock::duration elapsed) const;

 private:
  Response RunChecked(Request& request, const RouteMatch& match) const;
  Response HandlerError(const Request& request, const core::Error& error) const;
  Response Preflight(const Request& request, const RouteMatch& match) const;
  bool OriginAllowed(std::string_view origin) const;

  const Router& router_;
  DispatcherOptions options_;
  Authenticator authenticator_;
};

// "GET, HEAD, POST" for the Allow header.
std::string AllowHeader(const std::vector<Method>& methods);

}  // namespace gatehouse::http
