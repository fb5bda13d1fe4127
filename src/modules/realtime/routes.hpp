// The realtime channel's HTTP surface: GET /v1/ws. Upgrade requests become WebSockets (the
// endpoint below, served by http/); a plain GET gets 426 Upgrade Required.
//
//   http::WebSocketEndpoint endpoint = MakeWebSocketEndpoint(hub, authenticator);
//   BindRealtimeRoutes(router, endpoint);        // before building the server
//   http::Server server({..., .websocket = &endpoint}, dispatcher);
#pragma once

#include "http/dispatcher.hpp"
#include "http/router.hpp"
#include "http/websocket.hpp"
#include "modules/realtime/hub.hpp"

namespace gatehouse::modules::realtime {

// `authenticator` is the one the dispatcher uses (bearer tokens and X-API-Key); a bearer
// credential that is an API key ("gh_…", e.g. in access_token or the auth message) is
// checked as one.
http::WebSocketEndpoint MakeWebSocketEndpoint(Hub& hub, http::Authenticator authenticator);

void BindRealtimeRoutes(http::Router& router, const http::WebSocketEndpoint& endpoint);

}  // namespace gatehouse::modules::realtime
