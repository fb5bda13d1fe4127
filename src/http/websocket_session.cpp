#include "http/websocket_session.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "core/json.hpp"
#include "http/envelope.hpp"

namespace gatehouse::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

bool HasCredentials(const Request& request) {
  return !request.Header("authorization").empty() || !request.Header("x-api-key").empty();
}

// The upgrade request with `token` as its bearer credential (the application decides whether
// it is an access token or an API key). Everything else (peer, request id, user agent) stays.
Request WithBearer(const Request& upgrade, const std::string& token) {
  Request out;
  out.method = upgrade.method;
  out.method_text = upgrade.method_text;
  out.path = upgrade.path;
  out.peer_ip = upgrade.peer_ip;
  out.client_ip = upgrade.client_ip;
  out.request_id = upgrade.request_id;
  for (const auto& [name, value] : upgrade.headers) {
    if (name != "authorization" && name != "x-api-key") out.headers.emplace_back(name, value);
  }
  out.headers.emplace_back("authorization", "Bearer " + token);
  return out;
}

class Session final : public WebSocketPeer, public std::enable_shared_from_this<Session> {
 public:
  Session(WebSocketHost& host, asio::ip::tcp::socket socket)
      : host_(host), ws_(std::move(socket)), auth_timer_(ws_.get_executor()),
        abort_timer_(ws_.get_executor()) {}

  bool Send(std::shared_ptr<const std::string> text) override {
    std::unique_lock lock(mutex_);
    if (closing_) return false;
    const auto& endpoint = host_.endpoint;
    if (queue_.size() >= endpoint.queue_messages ||
        queued_bytes_ + text->size() > endpoint.queue_bytes) {
      closing_ = true;
      queue_.clear();
      queued_bytes_ = 0;
      lock.unlock();
      asio::post(ws_.get_executor(), [self = shared_from_this()] { self->Abort(); });
      return false;
    }
    queued_bytes_ += text->size();
    queue_.push_back(std::move(text));
    if (ready_ && !writing_) {
      writing_ = true;
      lock.unlock();
      asio::post(ws_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
    }
    return true;
  }

  void Close(int code, std::string reason) override {
    std::unique_lock lock(mutex_);
    if (closing_) return;
    closing_ = true;
    close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    if (ready_ && !writing_) {
      writing_ = true;
      lock.unlock();
      asio::post(ws_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
    }
  }

  // By reference: the caller's frame outlives this one.
  asio::awaitable<void> Run(bhttp::request<bhttp::string_body>& upgrade, Request& request) {
    const auto self = shared_from_this();  // alive until the coroutine ends, whoever lets go
    const auto& endpoint = host_.endpoint;
    const auto start = std::chrono::steady_clock::now();
    // A token in the query string is a credential like the header; it is never logged (the
    // access log records the path only).
    if (!HasCredentials(request)) {
      if (auto token = request.Query("access_token"); token && !token->empty()) {
        request = WithBearer(request, *token);
      }
    }
    std::optional<core::Principal> principal;
    if (HasCredentials(request)) {
      auto who = co_await Authenticate(request);
      if (!who || !who->authenticated()) {
        core::Error error = who ? core::Unauthenticated() : who.error();
        if (!error.internal_message.empty()) {
          spdlog::info("request {} websocket authentication refused: {}", request.request_id,
                       error.internal_message);
        }
        co_await Refuse(upgrade, request, error, start);
        co_return;
      }
      principal = std::move(*who);
    }

    beast::get_lowest_layer(ws_).expires_never();
    if (endpoint.send_buffer_bytes > 0) {
      const int size = endpoint.send_buffer_bytes;
      setsockopt(beast::get_lowest_layer(ws_).socket().native_handle(), SOL_SOCKET, SO_SNDBUF,
                 &size, sizeof size);
    }
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = std::chrono::seconds(5);
    timeout.idle_timeout = endpoint.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(bhttp::field::server, "gatehouse"); }));
    ws_.read_message_max(endpoint.max_client_message);
    ws_.auto_fragment(false);
    ws_.text(true);

    // Registered before the 101 goes out: a client that saw its upgrade succeed misses nothing
    // that happens afterwards (frames wait in the queue until the handshake is done).
    if (principal) co_await Open(*principal);

    auto [accept_ec] = co_await ws_.async_accept(upgrade, kUseTuple);
    host_.dispatcher.LogAccess(request, accept_ec ? 400 : 101, 0,
                               std::chrono::steady_clock::now() - start);
    if (accept_ec) {
      if (opened_ && endpoint.on_close) endpoint.on_close(hub_id_);
      co_return;
    }
    upgrade = {};  // the handshake is done; free its headers
    {
      std::lock_guard lock(mutex_);
      ready_ = true;
      if (!queue_.empty() || closing_) {
        writing_ = true;
        asio::post(ws_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
      }
    }
    const std::uint64_t tracked = host_.track(weak_from_this());

    if (!principal) {
      auth_timer_.expires_after(endpoint.auth_timeout);
      auth_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec && !self->opened_) self->Close(kCloseUnauthorized, "authentication timeout");
      });
    }

    if (opened_) request = Request{};  // credentials and headers are no longer needed
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(buffer, kUseTuple);
      if (ec) break;
      if (!opened_ && !closing()) {
        const std::string text = beast::buffers_to_string(buffer.data());
        const bool ok = co_await AuthenticateMessage(request, text);
        if (!ok) Close(kCloseUnauthorized, "authentication failed");
      }
      // Other client messages carry nothing the server acts on; they only count as activity.
      if (opened_ && !request.headers.empty()) request = Request{};  // keep idle sockets small
      buffer.consume(buffer.size());
      if (buffer.capacity() > 4096) buffer.shrink_to_fit();
    }

    auth_timer_.cancel();
    abort_timer_.cancel();
    if (opened_ && host_.endpoint.on_close) host_.endpoint.on_close(hub_id_);
    host_.untrack(tracked);
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      queue_.clear();
    }
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

 private:
  bool closing() {
    std::lock_guard lock(mutex_);
    return closing_;
  }

  asio::awaitable<core::Result<core::Principal>> Authenticate(const Request& request) {
    // (optional: co_spawn's result type must be default-constructible)
    auto authenticate =
        [this, &request]() -> asio::awaitable<std::optional<core::Result<core::Principal>>> {
      if (!host_.endpoint.authenticate) co_return core::Unauthenticated();
      try {
        co_return host_.endpoint.authenticate(request);
      } catch (const std::exception& e) {
        co_return core::Internal(e.what());
      }
    };
    auto result = co_await asio::co_spawn(host_.workers, std::move(authenticate),
                                          asio::use_awaitable);
    co_return std::move(*result);
  }

  // {"type":"auth","token":"…"}; false when the message is not that or the token is refused.
  asio::awaitable<bool> AuthenticateMessage(const Request& upgrade, const std::string& text) {
    auto parsed = core::ParseJsonObject(text);
    if (!parsed) co_return false;
    const auto* type = parsed->if_contains("type");
    const auto* token = parsed->if_contains("token");
    if (type == nullptr || !type->is_string() || type->get_string() != "auth" ||
        token == nullptr || !token->is_string() || token->get_string().empty()) {
      co_return false;
    }
    const Request request = WithBearer(upgrade, std::string(token->get_string()));
    auto who = co_await Authenticate(request);
    if (!who || !who->authenticated()) {
      if (!who && !who.error().internal_message.empty()) {
        spdlog::info("request {} websocket authentication refused: {}", upgrade.request_id,
                     who.error().internal_message);
      }
      co_return false;
    }
    auth_timer_.cancel();
    co_await Open(*who);
    co_return true;
  }

  asio::awaitable<void> Open(core::Principal& principal) {
    if (!host_.endpoint.on_open) co_return;
    // No temporaries with destructors inside a co_await expression: GCC 12 may destroy them
    // twice (a captured shared_ptr released twice), hence the named lambda.
    auto self = shared_from_this();
    auto open = [self, &principal]() -> asio::awaitable<std::uint64_t> {
      co_return self->host_.endpoint.on_open(self, principal);
    };
    hub_id_ = co_await asio::co_spawn(host_.workers, std::move(open), asio::use_awaitable);
    opened_ = true;
  }

  // Answers an upgrade whose credentials were refused with the usual error envelope.
  asio::awaitable<void> Refuse(const bhttp::request<bhttp::string_body>& upgrade,
                               const Request& request, const core::Error& error,
                               std::chrono::steady_clock::time_point start) {
    Response response = FromError(error);
    host_.dispatcher.Decorate(request, response);
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status),
                                            upgrade.version()};
    out.set(bhttp::field::server, "gatehouse");
    out.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) out.set(name, value);
    const int status = response.status;
    const std::size_t bytes = response.body.size();
    out.body() = std::move(response.body);
    out.prepare_payload();
    out.keep_alive(false);
    auto& stream = beast::get_lowest_layer(ws_);
    stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, out, kUseTuple);
    host_.dispatcher.LogAccess(request, status, bytes, std::chrono::steady_clock::now() - start);
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream.close();
  }

  // On the strand: the next queued frame, or the close frame once the queue is empty.
  void WriteNext() {
    std::shared_ptr<const std::string> next;
    std::optional<websocket::close_reason> close;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        if (!close_) {
          writing_ = false;
          return;
        }
        close = std::move(close_);
        close_.reset();
      } else {
        next = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= next->size();
      }
    }
    if (close) {
      ws_.async_close(*close, [self = shared_from_this()](const boost::system::error_code&) {});
      return;
    }
    ws_.async_write(asio::buffer(*next), [self = shared_from_this(), next](
                                             const boost::system::error_code& ec, std::size_t) {
      if (ec) {
        std::lock_guard lock(self->mutex_);
        self->closing_ = true;
        self->queue_.clear();
        self->queued_bytes_ = 0;
        self->writing_ = false;
        return;
      }
      self->WriteNext();
    });
  }

  // On the strand: the queue overflowed. The close frame goes out after the write in flight;
  // a peer that does not read at all is cut off shortly after.
  void Abort() {
    boost::system::error_code ec;
    const auto peer = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    spdlog::warn("websocket {} closed: too slow (send queue full)",
                 ec ? std::string("-") : peer.address().to_string());
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(kCloseTooSlow),
                                            "too slow"),
                    [self = shared_from_this()](const boost::system::error_code&) {});
    abort_timer_.expires_after(std::chrono::seconds(2));
    abort_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) beast::get_lowest_layer(self->ws_).close();
    });
  }

  WebSocketHost& host_;
  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer auth_timer_;
  asio::steady_timer abort_timer_;
  bool opened_ = false;  // strand only
  std::uint64_t hub_id_ = 0;

  std::mutex mutex_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool ready_ = false;    // handshake done: writes may start
  bool writing_ = false;  // a write or the close is in flight (or posted)
  bool closing_ = false;  // no more frames are accepted
  std::optional<websocket::close_reason> close_;
};

}  // namespace

bool IsWebSocketUpgrade(const bhttp::request<bhttp::string_body>& request) {
  return websocket::is_upgrade(request);
}

asio::awaitable<void> ServeWebSocket(WebSocketHost& host, asio::ip::tcp::socket socket,
                                     bhttp::request<bhttp::string_body> upgrade,
                                     Request request) {
  auto session = std::make_shared<Session>(host, std::move(socket));
  try {
    co_await session->Run(upgrade, request);
    // Let go of the stream from a fresh handler, not from inside the completion of its last
    // read (which is still on the call stack here).
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  } catch (const std::exception& e) {
    spdlog::error("websocket session failed: {}", e.what());
  }
  host.finished();
}

}  // namespace gatehouse::http::detail
