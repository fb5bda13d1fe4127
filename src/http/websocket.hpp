// The WebSocket endpoint as the rest of the server sees it, without Beast: an upgraded,
// authenticated socket is a WebSocketPeer (queue a text frame, close with a code), and the
// application supplies a WebSocketEndpoint (how to authenticate, what to do on open and close).
// The Beast side lives in websocket_session.cpp.
//
//   endpoint.authenticate = [&](const Request& r) { return authenticator(r); };
//   endpoint.on_open = [&](std::shared_ptr<WebSocketPeer> peer, const core::Principal& who) {...};
//   peer->Send(std::make_shared<const std::string>(R"({"type":"..."})"));
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "http/message.hpp"

namespace gatehouse::http {

// Close codes. 4000-4999 is the application range (RFC 6455 7.4.2); 44xx mirror HTTP statuses.
// When adding a value, also update the close-code table in docs/api.md ("Realtime").
inline constexpr int kCloseNormal = 1000;
inline constexpr int kCloseGoingAway = 1001;         // server shutting down
inline constexpr int kCloseTooSlow = 4008;           // the send queue overflowed
inline constexpr int kCloseUnauthorized = 4401;      // no, bad or late credentials; session revoked
inline constexpr int kCloseForbidden = 4403;         // account banned or deleted; key revoked

// One upgraded, authenticated socket. Thread-safe; no call blocks.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text frame behind those already queued (one write is in flight at a time). False
  // when the socket is closing, or when the queue is full: the socket is then closed with
  // kCloseTooSlow, so a consumer that does not drain its socket cannot grow the server.
  virtual bool Send(std::shared_ptr<const std::string> text) = 0;
  // Sends what is queued, then the close frame, then closes.
  virtual void Close(int code, std::string reason) = 0;
};

struct WebSocketEndpoint {
  std::string path = "/v1/ws";
  // Credentials on a request ("authorization: Bearer …" or "x-api-key") to a principal; an
  // anonymous principal when there are none. Runs on a worker thread.
  std::function<core::Result<core::Principal>(const Request&)> authenticate;
  // An authenticated socket opened; returns an id handed back to on_close. Runs on a worker.
  std::function<std::uint64_t(std::shared_ptr<WebSocketPeer>, const core::Principal&)> on_open;
  std::function<void(std::uint64_t)> on_close;

  // Without credentials on the upgrade request, {"type":"auth","token":…} must arrive in time.
  std::chrono::milliseconds auth_timeout{5000};
  // No frame from the client for half of this: the server pings; for all of it: closed.
  std::chrono::milliseconds idle_timeout{60000};
  std::size_t queue_messages = 256;       // per socket, behind the write in flight
  std::size_t queue_bytes = 1024 * 1024;  // per socket
  std::size_t max_client_message = 4096;  // larger client frames close the socket (1009)
  int send_buffer_bytes = 64 * 1024;      // SO_SNDBUF of upgraded sockets; 0 = system default
};

}  // namespace gatehouse::http
