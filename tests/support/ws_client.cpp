#include "support/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>

namespace gatehouse::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  bool reading = false;  // an async_read is pending (it outlives a timed-out Next)
  bool read_done = false;
  boost::system::error_code read_ec;
  bool ended = false;  // the connection is over
  int close_code = -1;
  std::string close_reason;

  // Runs the context until `done` or the timeout; false on timeout.
  template <typename Done>
  bool RunUntil(Done done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      ioc.restart();
      ioc.run_one_for(deadline - now);
    }
    return true;
  }
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() = default;
WsClient::WsClient(WsClient&&) noexcept = default;
WsClient& WsClient::operator=(WsClient&&) noexcept = default;

::testing::AssertionResult WsClient::Connect(
    std::uint16_t port, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout) {
  auto& ws = impl_->ws;
  bool done = false;
  boost::system::error_code ec;
  beast::get_lowest_layer(ws).expires_after(timeout);
  beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
      [&](const boost::system::error_code& e) {
        ec = e;
        done = true;
      });
  if (!impl_->RunUntil([&] { return done; }, timeout) || ec) {
    return ::testing::AssertionFailure() << "connect failed: " << ec.message();
  }
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  websocket::response_type response;
  done = false;
  ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                     [&](const boost::system::error_code& e) {
                       ec = e;
                       done = true;
                     });
  if (!impl_->RunUntil([&] { return done; }, timeout)) {
    return ::testing::AssertionFailure() << "handshake timed out";
  }
  http_status_ = static_cast<int>(response.result_int());
  http_body_ = response.body();
  if (ec) {
    impl_->ended = true;
    return ::testing::AssertionFailure()
           << "upgrade refused: HTTP " << http_status_ << " " << http_body_ << " (" << ec.message()
           << ")";
  }
  return ::testing::AssertionSuccess();
}

bool WsClient::Send(const std::string& text, std::chrono::milliseconds timeout) {
  if (impl_->ended) return false;
  bool done = false;
  boost::system::error_code ec;
  impl_->ws.text(true);
  impl_->ws.async_write(asio::buffer(text), [&](const boost::system::error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!impl_->RunUntil([&] { return done; }, timeout)) return false;
  return !ec;
}

std::optional<boost::json::value> WsClient::Next(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  if (impl.ended) return std::nullopt;
  if (!impl.reading) {
    impl.reading = true;
    impl.read_done = false;
    impl.ws.async_read(impl.buffer, [&impl](const boost::system::error_code& e, std::size_t) {
      impl.read_ec = e;
      impl.read_done = true;
      impl.reading = false;
    });
  }
  if (!impl.RunUntil([&] { return impl.read_done; }, timeout)) return std::nullopt;
  impl.read_done = false;
  if (impl.read_ec) {
    impl.ended = true;
    if (impl.read_ec == websocket::error::closed) {
      impl.close_code = impl.ws.reason().code;
      impl.close_reason = std::string(impl.ws.reason().reason.c_str());
    } else {
      impl.close_code = 0;
    }
    return std::nullopt;
  }
  const std::string text = beast::buffers_to_string(impl.buffer.data());
  impl.buffer.consume(impl.buffer.size());
  boost::system::error_code parse_ec;
  auto value = boost::json::parse(text, parse_ec);
  if (parse_ec) value = boost::json::string(text);
  received_.push_back(value);
  return value;
}

std::optional<boost::json::value> WsClient::WaitFor(const std::string& type,
                                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    auto message = Next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    if (!message) return std::nullopt;
    if (message->is_object()) {
      const auto* t = message->as_object().if_contains("type");
      if (t != nullptr && t->is_string() && t->as_string() == type) return message;
    }
  }
}

std::optional<int> WsClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->ended) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    Next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
  return impl_->close_code;
}

bool WsClient::closed() const { return impl_->ended; }
int WsClient::close_code() const { return impl_->close_code; }
std::string WsClient::close_reason() const { return impl_->close_reason; }

}  // namespace gatehouse::testing
