#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "http/deferred.hpp"
#include "http/envelope.hpp"
#include "http/websocket_session.hpp"

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// One accepted connection. `busy` is only touched on the connection's strand.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;
};

Request ToRequest(bhttp::request<bhttp::string_body>& in, const std::string& peer) {
  Request out;
  out.method_text = std::string(in.method_string());
  out.method = ParseMethod(out.method_text);
  out.target = std::string(in.target());
  const auto question = out.target.find('?');
  out.path = out.target.substr(0, question);
  if (question != std::string::npos) out.query = out.target.substr(question + 1);
  out.headers.reserve(16);
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(in.body());
  out.peer_ip = peer;
  out.client_ip = peer;
  return out;
}

bhttp::response<bhttp::string_body> ToBeast(Response& in, unsigned version, bool keep_alive,
                                            bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  out.set(bhttp::field::server, "gatehouse");
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) out.set(name, value);
  const auto length = in.body.size();
  if (!head) out.body() = std::move(in.body);
  out.content_length(length);
  out.keep_alive(keep_alive);
  return out;
}

// Waits for `pending` to be completed, without holding a thread: the completion (from any
// thread) posts the resumption to the waiter's executor. The shared state, not the coroutine
// frame, is what the completing thread touches.
template <typename Token>
auto AsyncWaitDeferred(const std::shared_ptr<Deferred>& pending, Token&& token) {
  return asio::async_initiate<Token, void()>(
      [](auto handler, std::shared_ptr<Deferred> deferred) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        deferred->OnComplete([executor, shared] {
          asio::post(executor, [shared] { std::move (*shared)(); });
        });
      },
      token, pending);
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Dispatcher& dispatcher)
      : options_(std::move(options)),
        dispatcher_(dispatcher),
        ioc_(static_cast<int>(options_.io_threads)),
        workers_(options_.workers),
        acceptor_(ioc_),
        signals_(ioc_) {
    if (options_.websocket != nullptr) {
      ws_host_ = std::make_unique<detail::WebSocketHost>(detail::WebSocketHost{
          .endpoint = *options_.websocket,
          .dispatcher = dispatcher_,
          .workers = workers_,
          .track = [this](std::weak_ptr<WebSocketPeer> peer) {
            std::lock_guard lock(mutex_);
            const auto id = next_id_++;
            sockets_.emplace(id, std::move(peer));
            return id;
          },
          .untrack =
              [this](std::uint64_t id) {
                std::lock_guard lock(mutex_);
                sockets_.erase(id);
              },
          .finished = [this] { --connections_; },
      });
    }
  }

  core::Result<std::uint16_t> Listen() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return core::InvalidArgument("invalid listen address '" + options_.host + "'");
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return core::Unavailable(ec.message(), "cannot listen on " + options_.host + ":" +
                                                 std::to_string(options_.port) + ": " +
                                                 ec.message());
    }
    return acceptor_.local_endpoint().port();
  }

  void Run() {
    if (options_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
        if (!ec) {
          spdlog::info("received signal {}, shutting down", signal);
          BeginShutdown();
        }
      });
    }
    asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    workers_.join();
    spdlog::info("server stopped");
  }

  void Stop() {
    asio::post(ioc_, [this] { BeginShutdown(); });
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kUseTuple);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors or similar: back off instead of spinning.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(ioc_, std::chrono::milliseconds(50));
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      if (connections_.load() >= options_.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++connections_;
      auto connection = std::make_shared<Connection>(std::move(socket));
      auto executor = connection->stream.get_executor();
      asio::co_spawn(executor, Serve(std::move(connection)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<Connection> connection) {
    const std::uint64_t id = Register(connection);
    std::string peer;
    {
      boost::system::error_code ec;
      auto remote = connection->stream.socket().remote_endpoint(ec);
      if (!ec) peer = remote.address().to_string();
    }
    beast::flat_buffer buffer;
    auto& stream = connection->stream;
    bool upgraded = false;  // the socket now belongs to a WebSocket session

    while (!stopping_) {
      if (buffer.size() == 0) {
        // Keep-alive wait for the first byte of the next request.
        stream.expires_after(options_.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
        if (ec) break;
        buffer.commit(n);
      }
      connection->busy = true;

      // From the first byte on, the whole request must arrive within read_timeout, so a
      // client trickling bytes cannot hold the connection.
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
      parser.body_limit(options_.body_limit);
      stream.expires_after(options_.read_timeout);
      auto [read_ec, read_n] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
      const auto start = std::chrono::steady_clock::now();

      if (read_ec) {
        if (read_ec == bhttp::error::end_of_stream || read_ec == beast::error::timeout ||
            read_ec == asio::error::eof || read_ec == asio::error::connection_reset ||
            read_ec == asio::error::operation_aborted || read_ec == bhttp::error::partial_message) {
          break;
        }
        co_await RejectMalformed(*connection, read_ec, peer);
        break;
      }

      auto& incoming = parser.get();
      const unsigned version = incoming.version();
      const bool keep_alive = incoming.keep_alive();
      Request request = ToRequest(incoming, peer);
      RouteMatch match = dispatcher_.Route(request);
      if (ws_host_ != nullptr && request.path == options_.websocket->path &&
          detail::IsWebSocketUpgrade(incoming) && !stopping_) {
        upgraded = true;
        // Only the socket moves on (a fresh stream around it), the connection's strand with it.
        auto executor = stream.get_executor();
        asio::co_spawn(executor,
                       detail::ServeWebSocket(*ws_host_, stream.release_socket(),
                                              parser.release(), std::move(request)),
                       asio::detached);
        break;
      }
      Response response;
      bool counted = false;  // holds a place in inflight_ until answered, deferred or not
      if (match.route != nullptr && match.route->options.inline_handler) {
        response = dispatcher_.Run(request, match);
      } else if (inflight_.fetch_add(1) >= options_.worker_queue) {
        --inflight_;
        core::Error busy = core::Unavailable("worker queue full", "Server is busy, retry shortly");
        busy.retry_after_seconds = 1;
        response = FromError(busy);
        dispatcher_.Decorate(request, response);
      } else {
        counted = true;
        response = co_await asio::co_spawn(
            workers_,
            [this, &request, &match]() -> asio::awaitable<Response> {
              co_return dispatcher_.Run(request, match);
            },
            asio::use_awaitable);
      }
      if (response.deferred) {
        // The handler answered "later" and its worker is free again; wait here, bounded.
        const std::shared_ptr<Deferred> pending = std::move(response.deferred);
        response.deferred.reset();
        asio::steady_timer limit(stream.get_executor(), options_.deferred_timeout);
        limit.async_wait([pending](const boost::system::error_code& ec) {
          if (ec) return;
          core::Error late = core::Unavailable("deferred response not completed in time",
                                               "The server could not answer in time; retry");
          late.retry_after_seconds = 1;
          pending->Complete(std::move(late));
        });
        co_await AsyncWaitDeferred(pending, asio::use_awaitable);
        limit.cancel();
        core::Result<Response> outcome = pending->Take();
        Response finished = dispatcher_.Finish(request, response, std::move(outcome));
        response = std::move(finished);
      }
      if (counted) --inflight_;

      const bool head = request.method == Method::kHead;
      const bool keep = keep_alive && !response.close && !stopping_;
      const int status = response.status;
      const std::size_t bytes = response.body.size();
      auto out = ToBeast(response, version, keep, head);
      stream.expires_after(options_.read_timeout);
      auto [write_ec, written] = co_await bhttp::async_write(stream, out, kUseTuple);
      dispatcher_.LogAccess(request, status, bytes, std::chrono::steady_clock::now() - start);
      connection->busy = false;
      if (write_ec || !keep) break;
    }

    if (upgraded) {
      Unregister(id);
      co_return;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
    Unregister(id);
    --connections_;
  }

  // Answers a request the parser refused, then the caller closes the connection.
  asio::awaitable<void> RejectMalformed(Connection& connection, beast::error_code ec,
                                        const std::string& peer) {
    Response response;
    if (ec == bhttp::error::header_limit) {
      response = Plain(431, "Request header fields too large", "HeaderTooLarge", false);
    } else if (ec == bhttp::error::body_limit) {
      core::Error error;
      error.code = core::ErrorCode::kPayloadTooLarge;
      error.public_message = "Request body too large";
      response = FromError(error);
    } else {
      core::Error error = core::InvalidArgument("Malformed HTTP request");
      error.name = "BadRequest";
      response = FromError(error);
    }
    Request request;
    request.method_text = "-";
    request.path = "-";
    request.peer_ip = peer;
    request.client_ip = peer;
    request.request_id = core::FastId();
    dispatcher_.Decorate(request, response);
    const int status = response.status;
    const std::size_t bytes = response.body.size();
    auto out = ToBeast(response, 11, false, false);
    connection.stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(connection.stream, out, kUseTuple);
    dispatcher_.LogAccess(request, status, bytes, {});
  }

  std::uint64_t Register(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    live_.emplace(id, connection);
    return id;
  }

  void Unregister(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    live_.erase(id);
  }

  void BeginShutdown() {
    if (stopping_.exchange(true)) return;
    spdlog::info("shutting down: no new connections, finishing in-flight requests");
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    {
      // Idle keep-alive connections are closed now; busy ones close after their response.
      std::lock_guard lock(mutex_);
      for (auto& [id, weak] : live_) {
        if (auto connection = weak.lock()) {
          asio::post(connection->stream.get_executor(), [connection] {
            if (!connection->busy) connection->stream.cancel();
          });
        }
      }
      for (auto& [id, weak] : sockets_) {
        if (auto peer = weak.lock()) peer->Close(kCloseGoingAway, "server shutting down");
      }
    }
    deadline_ = std::chrono::steady_clock::now() + options_.shutdown_timeout;
    WaitForDrain();
  }

  void WaitForDrain() {
    if (connections_.load() == 0 || std::chrono::steady_clock::now() >= deadline_) {
      if (connections_.load() != 0) {
        spdlog::warn("shutdown timeout: closing {} connection(s) still open",
                     connections_.load());
      }
      ioc_.stop();
      return;
    }
    drain_timer_.expires_after(std::chrono::milliseconds(20));
    drain_timer_.async_wait([this](const boost::system::error_code&) { WaitForDrain(); });
  }

  ServerOptions options_;
  const Dispatcher& dispatcher_;
  asio::io_context ioc_;
  asio::thread_pool workers_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer drain_timer_{ioc_};
  std::chrono::steady_clock::time_point deadline_;

  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> inflight_{0};
  std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> live_;
  std::unordered_map<std::uint64_t, std::weak_ptr<WebSocketPeer>> sockets_;
  std::unique_ptr<detail::WebSocketHost> ws_host_;
};

Server::Server(ServerOptions options, const Dispatcher& dispatcher)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher)) {}

Server::~Server() = default;

core::Result<std::uint16_t> Server::Listen() { return impl_->Listen(); }

void Server::Run() { impl_->Run(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace gatehouse::http
