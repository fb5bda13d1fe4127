// The server's deferred path over real sockets: a handler answers later from another thread,
// without holding its worker, and the answer still gets the dispatcher's envelope and headers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/deferred.hpp"
#include "http/dispatcher.hpp"
#include "http/envelope.hpp"
#include "http/server.hpp"

namespace gatehouse::http {
namespace {

// Handlers hand their pending answers to the test, which completes them.
class Mailbox {
 public:
  void Put(std::shared_ptr<Deferred> pending) {
    std::lock_guard lock(mutex_);
    slot_ = std::move(pending);
    cv_.notify_all();
  }
  std::shared_ptr<Deferred> Take() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return slot_ != nullptr; });
    return std::exchange(slot_, nullptr);
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::shared_ptr<Deferred> slot_;
};

int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, const std::string& path, const std::string& extra = "") {
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + extra + "\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
}

// Everything until the server closes the connection.
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string Get(std::uint16_t port, const std::string& path, const std::string& extra = "") {
  const int fd = Connect(port);
  if (fd < 0) return "connect failed";
  Send(fd, path, extra);
  return ReadAll(fd);
}

core::Result<core::Principal> TokenAuth(const Request& request) {
  if (request.Header("authorization").empty()) return core::Principal{};
  core::Principal p;
  p.kind = core::Principal::Kind::kUser;
  p.user_id = "u1";
  p.response_headers = {{"X-RateLimit-Limit", "100"}};
  return p;
}

class ServerDeferredTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(Method::kGet, "/later", Access::Authenticated(),
                [this](Context&) -> core::Result<Response> {
                  auto pending = Deferred::Make();
                  mailbox_.Put(pending);
                  return pending->Later();
                });
    router_.Add(Method::kGet, "/never", Access::Public(),
                [this](Context&) -> core::Result<Response> {
                  auto pending = Deferred::Make();
                  abandoned_ = pending;  // kept alive, never completed
                  return pending->Later();
                });
    router_.Add(Method::kGet, "/now", Access::Public(),
                [](Context&) -> core::Result<Response> { return Ok("now", "Now"); });
    dispatcher_ = std::make_unique<Dispatcher>(router_, DispatcherOptions{}, TokenAuth);
    // One worker: a deferred answer that held it would block every other request.
    server_ = std::make_unique<Server>(
        ServerOptions{.host = "127.0.0.1",
                      .port = 0,
                      .workers = 1,
                      .deferred_timeout = deferred_timeout_,
                      .handle_signals = false},
        *dispatcher_);
    auto port = server_->Listen();
    ASSERT_TRUE(port);
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  // Long enough never to fire in these tests, however loaded the machine.
  std::chrono::milliseconds deferred_timeout_{std::chrono::minutes(5)};
  Router router_;
  Mailbox mailbox_;
  std::shared_ptr<Deferred> abandoned_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ServerDeferredTest, AnswersWhenCompletedFromAnotherThreadWithoutHoldingTheWorker) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  Send(fd, "/later", "Authorization: Bearer x\r\nX-Request-Id: req-1\r\n");
  auto pending = mailbox_.Take();  // the handler returned; its worker is free

  // The only worker serves another request meanwhile.
  EXPECT_NE(Get(port_, "/now").find("HTTP/1.1 200"), std::string::npos);

  std::thread completer([pending] { EXPECT_TRUE(pending->Complete(Ok("done", "Later", 201))); });
  const std::string answer = ReadAll(fd);
  completer.join();
  EXPECT_NE(answer.find("HTTP/1.1 201"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"data\":\"done\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("X-Request-Id: req-1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("X-RateLimit-Limit: 100"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Cache-Control: no-store"), std::string::npos) << answer;
}

TEST_F(ServerDeferredTest, ErrorCompletionBecomesTheEnvelope) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  Send(fd, "/later", "Authorization: Bearer x\r\n");
  auto pending = mailbox_.Take();
  core::Error error = core::NotFound("Thing not found", "ThingNotFound");
  error.internal_message = "internal detail";
  EXPECT_TRUE(pending->Complete(std::move(error)));
  const std::string answer = ReadAll(fd);
  EXPECT_NE(answer.find("HTTP/1.1 404"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"error\":\"ThingNotFound\""), std::string::npos) << answer;
  EXPECT_EQ(answer.find("internal detail"), std::string::npos) << answer;
  EXPECT_NE(answer.find("X-RateLimit-Limit: 100"), std::string::npos) << answer;
}

class ServerDeferredTimeoutTest : public ServerDeferredTest {
 protected:
  ServerDeferredTimeoutTest() { deferred_timeout_ = std::chrono::milliseconds(200); }
};

TEST_F(ServerDeferredTimeoutTest, NeverCompletedAnswers503AndIgnoresALateCompletion) {
  const std::string answer = Get(port_, "/never");
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("X-Request-Id: "), std::string::npos) << answer;
  ASSERT_NE(abandoned_, nullptr);
  EXPECT_FALSE(abandoned_->Complete(Ok("late", "Late")));
  EXPECT_NE(Get(port_, "/now").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(ServerDeferredTest, CompletionAfterTheClientLeftIsHarmless) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  Send(fd, "/later", "Authorization: Bearer x\r\n");
  auto pending = mailbox_.Take();
  ::close(fd);
  std::thread completer([pending] { EXPECT_TRUE(pending->Complete(Ok("nobody", "Gone"))); });
  completer.join();
  // The server is still serving, on the same single worker.
  EXPECT_NE(Get(port_, "/now").find("HTTP/1.1 200"), std::string::npos);
  // And the next deferred request on a fresh connection completes as usual.
  const int again = Connect(port_);
  ASSERT_GE(again, 0);
  Send(again, "/later", "Authorization: Bearer x\r\n");
  mailbox_.Take()->Complete(Ok("again", "Again"));
  EXPECT_NE(ReadAll(again).find("\"data\":\"again\""), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::http
