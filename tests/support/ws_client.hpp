// A small synchronous WebSocket client for API tests of GET /v1/ws: every call takes a timeout
// and returns instead of hanging. Beast lives in ws_client.cpp alone (compile time).
//
//   WsClient ws;
//   ASSERT_TRUE(ws.Connect(server.port(), "/v1/ws", {{"Authorization", "Bearer " + token}}));
//   auto message = ws.WaitFor("sessionRevoked", 10s);     // skips other messages
//   EXPECT_EQ(ws.WaitClosed(10s), std::optional<int>(4401));
#pragma once

#include <gtest/gtest.h>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::testing {

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(WsClient&&) noexcept;
  WsClient& operator=(WsClient&&) noexcept;

  // TCP connect to 127.0.0.1:port and the upgrade handshake on `target`. On a refused upgrade
  // the HTTP status and body are kept (http_status(), http_body()).
  ::testing::AssertionResult Connect(std::uint16_t port, const std::string& target,
                                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool Send(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next text message, parsed; nullopt on timeout or when the socket closed.
  std::optional<boost::json::value> Next(std::chrono::milliseconds timeout);
  // The next message whose "type" is `type`, skipping others; nullopt on timeout or close.
  std::optional<boost::json::value> WaitFor(const std::string& type,
                                            std::chrono::milliseconds timeout);
  // Reads (discarding messages) until the server closes the socket: the close code, 0 when the
  // connection ended without a close frame, nullopt on timeout.
  std::optional<int> WaitClosed(std::chrono::milliseconds timeout);
  // Every message received so far (WaitFor and WaitClosed keep what they skip here).
  const std::vector<boost::json::value>& received() const { return received_; }

  bool closed() const;
  int close_code() const;
  std::string close_reason() const;
  int http_status() const { return http_status_; }
  const std::string& http_body() const { return http_body_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int http_status_ = 0;
  std::string http_body_;
  std::vector<boost::json::value> received_;
};

}  // namespace gatehouse::testing
