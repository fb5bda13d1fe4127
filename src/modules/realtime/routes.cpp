#include "modules/realtime/routes.hpp"

#include <strings.h>

#include "http/envelope.hpp"

namespace gatehouse::modules::realtime {
namespace {

using http::Method;

constexpr std::string_view kApiKeyPrefix = "gh_";

// A hub Connection over an upgraded socket: close reasons become close codes.
class PeerConnection final : public Connection {
 public:
  explicit PeerConnection(std::shared_ptr<http::WebSocketPeer> peer) : peer_(std::move(peer)) {}
  bool Send(std::shared_ptr<const std::string> frame) override {
    return peer_->Send(std::move(frame));
  }
  void Close(CloseReason reason) override {
    switch (reason) {
      case CloseReason::kSessionRevoked:
        return peer_->Close(http::kCloseUnauthorized, "session revoked");
      case CloseReason::kAccountBanned:
        return peer_->Close(http::kCloseForbidden, "account banned");
      case CloseReason::kAccountDeleted:
        return peer_->Close(http::kCloseForbidden, "account deleted");
      case CloseReason::kCredentialRevoked:
        return peer_->Close(http::kCloseUnauthorized, "credentials revoked");
    }
  }

 private:
  std::shared_ptr<http::WebSocketPeer> peer_;
};

}  // namespace

http::WebSocketEndpoint MakeWebSocketEndpoint(Hub& hub, http::Authenticator authenticator) {
  http::WebSocketEndpoint endpoint;
  endpoint.authenticate =
      [authenticator = std::move(authenticator)](
          const http::Request& request) -> core::Result<core::Principal> {
    const std::string_view header = request.Header("authorization");
    if (header.size() > 7 && strncasecmp(header.data(), "Bearer ", 7) == 0 &&
        header.substr(7).starts_with(kApiKeyPrefix)) {
      http::Request as_key;
      as_key.method = request.method;
      as_key.method_text = request.method_text;
      as_key.path = request.path;
      as_key.peer_ip = request.peer_ip;
      as_key.client_ip = request.client_ip;
      as_key.request_id = request.request_id;
      for (const auto& [name, value] : request.headers) {
        if (name != "authorization") as_key.headers.emplace_back(name, value);
      }
      as_key.headers.emplace_back("x-api-key", std::string(header.substr(7)));
      return authenticator(as_key);
    }
    return authenticator(request);
  };
  endpoint.on_open = [&hub](std::shared_ptr<http::WebSocketPeer> peer,
                            const core::Principal& who) {
    return hub.Add(std::make_shared<PeerConnection>(std::move(peer)),
                   {.user_id = who.user_id,
                    .session_id = who.session_id,
                    .api_key_id = who.api_key_id});
  };
  endpoint.on_close = [&hub](std::uint64_t id) { hub.Remove(id); };
  return endpoint;
}

void BindRealtimeRoutes(http::Router& router, const http::WebSocketEndpoint& endpoint) {
  // Reached only by requests that did not ask for an upgrade.
  router.Add(Method::kGet, endpoint.path, http::Access::Authenticated(),
             [](http::Context&) -> core::Result<http::Response> {
               http::Response response =
                   http::Plain(426, "This endpoint speaks WebSocket: send an upgrade request.",
                               "UpgradeRequired", false);
               response.SetHeader("Upgrade", "websocket");
               response.SetHeader("Connection", "Upgrade");
               return response;
             });
}

}  // namespace gatehouse::modules::realtime
