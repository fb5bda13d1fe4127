// A blocking HTTP/1.1 client over POSIX sockets, for API tests: it speaks to 127.0.0.1:port,
// reuses one keep-alive connection, and also lets a test send raw bytes and watch what the
// server does with them (answer, close, or hang).
//
//   HttpClient client(server.port());
//   Response r = client.Request("GET", "/v1/health", {{"X-Request-Id", "abc"}});
//   EXPECT_EQ(r.status, 200) << r.Describe();  EXPECT_EQ(r.Json().at("successful"), true);
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::testing {

// Header name/value pairs in order; lookups ignore the case of the name.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> items) : items_(items) {}

  void Add(std::string name, std::string value);
  // First value for `name`, if any.
  std::optional<std::string> Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Response {
  int status = 0;  // 0 = no response; see `error`
  std::string reason;
  std::string version;  // "HTTP/1.1"
  Headers headers;
  std::string body;
  std::string error;  // transport problem (refused, reset, timeout, unparsable), else empty
  bool connection_closed = false;  // the server closed the connection after this response

  // The body parsed as JSON; a null value (and `json_error` set) when it does not parse.
  boost::json::value Json() const;
  std::optional<std::string> Header(std::string_view name) const { return headers.Get(name); }
  // One line for failure messages: "413 Payload Too Large {...body...}" or the transport error.
  std::string Describe() const;
  mutable std::string json_error;
};

// Parses one response from the front of `raw`. `head_only` for answers to HEAD. Returns the
// response and the number of bytes it used, or nullopt when `raw` holds no complete response
// (`complete_at_eof`: a body without length ends at the end of `raw`).
std::optional<std::pair<Response, std::size_t>> ParseResponse(std::string_view raw,
                                                              bool head_only = false,
                                                              bool complete_at_eof = false);

// Builds "METHOD target HTTP/1.1" with Host and Content-Length (when there is a body or the
// method usually carries one) unless `headers` sets them.
std::string BuildRequest(std::string_view method, std::string_view target, const Headers& headers,
                         std::string_view body);

class HttpClient {
 public:
  using Millis = std::chrono::milliseconds;

  explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;

  // Sends one request on the kept-alive connection (opening one if needed; retried once on a
  // fresh connection if a reused one turns out closed before any byte of the answer).
  Response Request(std::string_view method, std::string_view target, const Headers& headers = {},
                   std::string_view body = {});
  Response Get(std::string_view target, const Headers& headers = {}) {
    return Request("GET", target, headers);
  }
  Response Post(std::string_view target, std::string_view body, const Headers& headers = {});

  // --- raw access, for malformed input and connection behaviour ---
  // Opens a new connection (closing any current one). False, with last_error(), on failure.
  bool Connect();
  bool connected() const { return fd_ >= 0; }
  // Writes all of `bytes`; false if the connection is gone (EPIPE, ECONNRESET).
  bool SendRaw(std::string_view bytes);
  // Half-closes our side: the server sees end of input.
  void ShutdownWrite();
  // Reads whatever arrives until the server closes or `timeout` passes. `closed` tells which.
  std::string ReadUntilClose(Millis timeout, bool* closed = nullptr);
  // Reads one response (e.g. after SendRaw); status 0 with `error` set on timeout or close.
  Response ReadResponse(Millis timeout, bool head_only = false);
  // True if the server has closed (or reset) the connection within `wait`. Consumes and
  // discards any bytes that arrive meanwhile (see `drained`).
  bool WaitForClose(Millis wait, std::string* drained = nullptr);
  // Non-blocking check: has the peer closed? Unread bytes are left in place.
  bool PeerClosed();
  void Close();

  void set_timeout(Millis timeout) { timeout_ = timeout; }
  std::uint16_t port() const { return port_; }
  int fd() const { return fd_; }
  const std::string& last_error() const { return last_error_; }

 private:
  // Reads more bytes into buffer_; 1 = got bytes, 0 = peer closed, -1 = error or timeout.
  int ReadSome(std::chrono::steady_clock::time_point deadline);
  Response RequestOnce(std::string_view method, const std::string& wire, bool* retryable);

  std::string host_;
  std::uint16_t port_ = 0;
  int fd_ = -1;
  std::string buffer_;  // bytes received but not yet consumed
  Millis timeout_{10000};
  std::string last_error_;
};

// Opens a plain TCP connection to 127.0.0.1:port (non-blocking connect with a timeout), or -1.
int ConnectTcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
               std::string* error = nullptr);

}  // namespace gatehouse::testing
