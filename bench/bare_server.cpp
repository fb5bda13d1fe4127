// The ceiling for gatehouse's HTTP stack: a Beast server that answers every request with a fixed
// JSON envelope, using the same shape as gatehouse (one io_context run on one thread per core,
// a strand per connection, coroutines, keep-alive, a body limit and a read timeout), and no
// routing, middleware, logging or storage. bench/http.sh compares gatehouse against it.
//
//   bare_server --listen 127.0.0.1:0 --threads 2   # stderr: listening on http://127.0.0.1:PORT
//   wrk -t2 -c50 -d10s http://127.0.0.1:PORT/health
//   kill -TERM <pid>
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view kBody =
    R"({"status":200,"message":"OK","data":{"status":"ok"},"successful":true})";

asio::awaitable<void> Session(beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    parser.header_limit(16 * 1024);
    stream.expires_after(std::chrono::seconds(10));
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    const auto& request = parser.get();
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = kBody;
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> Listen(tcp::acceptor& acceptor, asio::io_context& io) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(
        asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    asio::co_spawn(socket.get_executor(), Session(beast::tcp_stream(std::move(socket))),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--listen") {
      listen = argv[i + 1];
    } else if (flag == "--threads") {
      threads = static_cast<unsigned>(std::max(1, std::atoi(argv[i + 1])));
    } else {
      std::cerr << "usage: bare_server [--listen HOST:PORT] [--threads N]\n";
      return 2;
    }
  }
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "bare_server: --listen must be HOST:PORT\n";
    return 2;
  }
  asio::io_context io(static_cast<int>(threads));
  tcp::endpoint endpoint(asio::ip::make_address(listen.substr(0, colon)),
                         static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1)));
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::cerr << "bare_server: listening on http://" << endpoint.address().to_string() << ":"
            << acceptor.local_endpoint().port() << " with " << threads << " threads" << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const beast::error_code&, int) { io.stop(); });
  asio::co_spawn(io, Listen(acceptor, io), asio::detached);

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
