#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace gatehouse::testing {
namespace {

using Clock = std::chrono::steady_clock;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

bool ContainsToken(std::string_view value, std::string_view token) {
  std::string lower;
  for (char c : value) lower += Lower(c);
  return lower.find(token) != std::string::npos;
}

// Decodes a chunked body starting at `raw[pos]`; returns the end offset or npos if incomplete.
std::size_t DecodeChunked(std::string_view raw, std::size_t pos, std::string& body, bool& bad) {
  bad = false;
  for (;;) {
    std::size_t eol = raw.find("\r\n", pos);
    if (eol == std::string_view::npos) return std::string_view::npos;
    std::string_view size_text = raw.substr(pos, eol - pos);
    if (auto semi = size_text.find(';'); semi != std::string_view::npos) {
      size_text = size_text.substr(0, semi);
    }
    size_text = Trim(size_text);
    std::size_t size = 0;
    auto [ptr, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (ec != std::errc() || ptr != size_text.data() + size_text.size()) {
      bad = true;
      return std::string_view::npos;
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailers end with an empty line.
      for (;;) {
        std::size_t end = raw.find("\r\n", pos);
        if (end == std::string_view::npos) return std::string_view::npos;
        if (end == pos) return end + 2;
        pos = end + 2;
      }
    }
    if (raw.size() < pos + size + 2) return std::string_view::npos;
    body.append(raw.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

void Headers::Add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Headers::Get(std::string_view name) const {
  for (const auto& [n, v] : items_) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : items_) {
    if (EqualsIgnoreCase(n, name)) out.push_back(v);
  }
  return out;
}

boost::json::value Response::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) {
    json_error = "body is not JSON (" + ec.message() + "): " + body.substr(0, 200);
    return nullptr;
  }
  json_error.clear();
  return v;
}

std::string Response::Describe() const {
  if (status == 0) return "no response: " + error;
  std::string out = std::to_string(status) + " " + reason;
  if (!body.empty()) out += " " + (body.size() > 600 ? body.substr(0, 600) + "…" : body);
  if (connection_closed) out += " [connection closed]";
  return out;
}

std::optional<std::pair<Response, std::size_t>> ParseResponse(std::string_view raw, bool head_only,
                                                              bool complete_at_eof) {
  std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  std::string_view head = raw.substr(0, head_end);
  Response r;

  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  std::size_t sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos || !status_line.starts_with("HTTP/")) {
    r.error = "malformed status line: " + std::string(status_line.substr(0, 100));
    return std::make_pair(std::move(r), raw.size());
  }
  r.version = std::string(status_line.substr(0, sp1));
  std::string_view rest = status_line.substr(sp1 + 1);
  std::size_t sp2 = rest.find(' ');
  std::string_view code = rest.substr(0, sp2);
  auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), r.status);
  if (ec != std::errc() || code.size() != 3) {
    r.status = 0;
    r.error = "malformed status code: " + std::string(status_line.substr(0, 100));
    return std::make_pair(std::move(r), raw.size());
  }
  if (sp2 != std::string_view::npos) r.reason = std::string(rest.substr(sp2 + 1));

  std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      r.headers.Add(std::string(Trim(line.substr(0, colon))),
                    std::string(Trim(line.substr(colon + 1))));
    }
    pos = eol + 2;
  }

  std::size_t body_start = head_end + 4;
  bool no_body =
      head_only || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  if (no_body) return std::make_pair(std::move(r), body_start);

  if (auto te = r.headers.Get("Transfer-Encoding"); te && ContainsToken(*te, "chunked")) {
    bool bad = false;
    std::size_t end = DecodeChunked(raw, body_start, r.body, bad);
    if (bad) {
      r.error = "malformed chunked body";
      return std::make_pair(std::move(r), raw.size());
    }
    if (end == std::string_view::npos) return std::nullopt;
    return std::make_pair(std::move(r), end);
  }
  if (auto cl = r.headers.Get("Content-Length")) {
    std::size_t length = 0;
    auto [p, e] = std::from_chars(cl->data(), cl->data() + cl->size(), length);
    if (e != std::errc()) {
      r.error = "malformed Content-Length: " + *cl;
      return std::make_pair(std::move(r), raw.size());
    }
    if (raw.size() < body_start + length) return std::nullopt;
    r.body = std::string(raw.substr(body_start, length));
    return std::make_pair(std::move(r), body_start + length);
  }
  // No length: the body runs to the end of the connection.
  if (!complete_at_eof) return std::nullopt;
  r.body = std::string(raw.substr(body_start));
  return std::make_pair(std::move(r), raw.size());
}

std::string BuildRequest(std::string_view method, std::string_view target, const Headers& headers,
                         std::string_view body) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!headers.Has("Host")) out += "Host: 127.0.0.1\r\n";
  for (const auto& [n, v] : headers) out.append(n).append(": ").append(v).append("\r\n");
  bool body_method = method == "POST" || method == "PUT" || method == "PATCH";
  if (!headers.Has("Content-Length") && !headers.Has("Transfer-Encoding") &&
      (!body.empty() || body_method)) {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n";
  out.append(body);
  return out;
}

int ConnectTcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
               std::string* error) {
  auto fail = [&](int fd, const std::string& what) {
    if (error) *error = what;
    if (fd >= 0) ::close(fd);
    return -1;
  };
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail(-1, std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return fail(fd, "bad IPv4 address " + host);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return fail(fd, std::string("connect: ") + std::strerror(errno));
    pollfd p{fd, POLLOUT, 0};
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n == 0) return fail(fd, "connect: timed out");
    if (n < 0) return fail(fd, std::string("poll: ") + std::strerror(errno));
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(fd, std::string("connect: ") + std::strerror(err));
  }
  return fd;
}

HttpClient::HttpClient(std::uint16_t port, std::string host)
    : host_(std::move(host)), port_(port) {}

HttpClient::~HttpClient() { Close(); }

HttpClient::HttpClient(HttpClient&& other) noexcept
    : host_(std::move(other.host_)),
      port_(other.port_),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      timeout_(other.timeout_),
      last_error_(std::move(other.last_error_)) {}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    Close();
    host_ = std::move(other.host_);
    port_ = other.port_;
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    timeout_ = other.timeout_;
    last_error_ = std::move(other.last_error_);
  }
  return *this;
}

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool HttpClient::Connect() {
  Close();
  fd_ = ConnectTcp(host_, port_, timeout_, &last_error_);
  return fd_ >= 0;
}

bool HttpClient::SendRaw(std::string_view bytes) {
  if (fd_ < 0) {
    last_error_ = "not connected";
    return false;
  }
  Clock::time_point deadline = Clock::now() + timeout_;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int left = RemainingMs(deadline);
      if (left == 0 || ::poll(&p, 1, left) == 0) {
        last_error_ = "send: timed out";
        return false;
      }
      continue;
    }
    last_error_ = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void HttpClient::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

int HttpClient::ReadSome(Clock::time_point deadline) {
  char chunk[16384];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return 1;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd_, POLLIN, 0};
      int left = RemainingMs(deadline);
      if (left == 0) {
        last_error_ = "timed out waiting for the server";
        return -1;
      }
      int r = ::poll(&p, 1, left);
      if (r < 0 && errno != EINTR) {
        last_error_ = std::string("poll: ") + std::strerror(errno);
        return -1;
      }
      continue;
    }
    if (errno == ECONNRESET) return 0;  // treated like a close; the caller records it
    last_error_ = std::string("recv: ") + std::strerror(errno);
    return -1;
  }
}

std::string HttpClient::ReadUntilClose(Millis timeout, bool* closed) {
  if (closed) *closed = false;
  if (fd_ < 0) {
    if (closed) *closed = true;
    return std::exchange(buffer_, {});
  }
  Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    int r = ReadSome(deadline);
    if (r == 1) continue;
    if (r == 0) {
      if (closed) *closed = true;
      std::string out = std::exchange(buffer_, {});
      Close();
      return out;
    }
    return std::exchange(buffer_, {});
  }
}

Response HttpClient::ReadResponse(Millis timeout, bool head_only) {
  Response out;
  if (fd_ < 0 && buffer_.empty()) {
    out.error = "not connected";
    return out;
  }
  Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (auto parsed = ParseResponse(buffer_, head_only, false)) {
      out = std::move(parsed->first);
      buffer_.erase(0, parsed->second);
      break;
    }
    int r = fd_ >= 0 ? ReadSome(deadline) : 0;
    if (r == 1) continue;
    if (r == 0) {
      // Peer closed: whatever is buffered is all there is.
      if (auto parsed = ParseResponse(buffer_, head_only, true)) {
        out = std::move(parsed->first);
        buffer_.erase(0, parsed->second);
      } else {
        out.error = buffer_.empty() ? "connection closed by the server before any response"
                                    : "connection closed mid-response: " + buffer_.substr(0, 200);
      }
      out.connection_closed = true;
      Close();
      return out;
    }
    out.error = last_error_ + (buffer_.empty() ? "" : " (partial: " + buffer_.substr(0, 200) + ")");
    return out;
  }
  // Did the server announce or perform a close?
  auto conn = out.headers.Get("Connection");
  bool close_announced =
      (conn && ContainsToken(*conn, "close")) ||
      (out.version == "HTTP/1.0" && !(conn && ContainsToken(*conn, "keep-alive")));
  if (close_announced) {
    out.connection_closed = true;
    Close();
  }
  return out;
}

Response HttpClient::RequestOnce(std::string_view method, const std::string& wire,
                                 bool* retryable) {
  *retryable = false;
  bool reused = fd_ >= 0;
  if (!reused && !Connect()) {
    Response r;
    r.error = last_error_;
    return r;
  }
  buffer_.clear();
  bool sent = SendRaw(wire);
  Response r = ReadResponse(timeout_, method == "HEAD");
  if (r.status == 0 && reused && r.connection_closed &&
      r.error.find("before any") != std::string::npos) {
    *retryable = true;  // a stale keep-alive connection; nothing was processed
  }
  if (!sent && r.status == 0) r.error = last_error_ + "; " + r.error;
  if (r.status == 0) Close();  // the connection's state is unknown; never reuse it
  return r;
}

Response HttpClient::Request(std::string_view method, std::string_view target,
                             const Headers& headers, std::string_view body) {
  std::string wire = BuildRequest(method, target, headers, body);
  bool retryable = false;
  Response r = RequestOnce(method, wire, &retryable);
  if (retryable) r = RequestOnce(method, wire, &retryable);
  return r;
}

Response HttpClient::Post(std::string_view target, std::string_view body, const Headers& headers) {
  Headers h = headers;
  if (!h.Has("Content-Type")) h.Add("Content-Type", "application/json");
  return Request("POST", target, h, body);
}

bool HttpClient::WaitForClose(Millis wait, std::string* drained) {
  if (fd_ < 0) return true;
  Clock::time_point deadline = Clock::now() + wait;
  for (;;) {
    int r = ReadSome(deadline);
    if (r == 1) {
      if (drained) drained->append(buffer_);
      buffer_.clear();
      continue;
    }
    if (r == 0) {
      Close();
      return true;
    }
    return false;
  }
}

bool HttpClient::PeerClosed() {
  if (fd_ < 0) return true;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n > 0) return false;
  return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

}  // namespace gatehouse::testing
