// The HTTP listener: Beast/Asio I/O threads, per-connection coroutines with parser limits and
// timeouts, a connection cap, a bounded worker pool for handlers, graceful shutdown, and the
// hand-over of WebSocket upgrades (websocket.hpp). Beast stays inside server.cpp and
// websocket_session.cpp; this header is cheap to include.
//
//   Server server(options, dispatcher);
//   auto port = server.Listen();            // binds; port 0 picks a free one
//   server.Run();                           // blocks until SIGTERM/SIGINT or Stop(), then drains
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/dispatcher.hpp"
#include "http/websocket.hpp"

namespace gatehouse::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned io_threads = 1;
  unsigned workers = 2;
  std::size_t worker_queue = 1024;
  std::size_t max_connections = 100000;
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_timeout{10000};
  // How long a connection waits for a deferred response (deferred.hpp) before answering 503.
  std::chrono::milliseconds deferred_timeout{30000};
  bool handle_signals = true;  // stop on SIGINT/SIGTERM
  // GET requests to websocket->path asking for an upgrade become WebSockets; null: none.
  // Upgraded sockets count against max_connections.
  const WebSocketEndpoint* websocket = nullptr;
};

class Server {
 public:
  Server(ServerOptions options, const Dispatcher& dispatcher);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port.
  core::Result<std::uint16_t> Listen();
  // Serves until shutdown, then waits (bounded) for in-flight requests and returns.
  void Run();
  // Begins a graceful shutdown; safe from any thread.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
