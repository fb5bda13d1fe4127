// Internal to src/http: takes over a connection whose request asked for a WebSocket upgrade on
// the endpoint's path. Authenticates (upgrade request, `access_token` query parameter, or a
// first {"type":"auth"} message), accepts, registers the socket with the application, reads
// until the socket closes, and keeps one write in flight behind a bounded queue.
//
//   co_spawn(executor, ServeWebSocket(host, stream.release_socket(), parser.release(), request),
//            detached);
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>

#include "http/dispatcher.hpp"
#include "http/websocket.hpp"

namespace gatehouse::http::detail {

struct WebSocketHost {
  const WebSocketEndpoint& endpoint;
  const Dispatcher& dispatcher;
  boost::asio::thread_pool& workers;
  // The server's registry, so a shutdown can close every socket (1001).
  std::function<std::uint64_t(std::weak_ptr<WebSocketPeer>)> track;
  std::function<void(std::uint64_t)> untrack;
  // Called once when the socket is gone (the server's connection count).
  std::function<void()> finished;
};

// True when `request` asks to upgrade to a WebSocket.
bool IsWebSocketUpgrade(const boost::beast::http::request<boost::beast::http::string_body>& request);

boost::asio::awaitable<void> ServeWebSocket(
    WebSocketHost& host, boost::asio::ip::tcp::socket socket,
    boost::beast::http::request<boost::beast::http::string_body> upgrade, Request request);

}  // namespace gatehouse::http::detail
