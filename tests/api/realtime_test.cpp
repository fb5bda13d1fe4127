// The realtime channel (issue 8, seed 001's ServerMessage union) seen from outside: GET /v1/ws
// with each way of authenticating and the refusals; sessionRevoked, accountBanned and
// accountDeleted followed by the close; rolesUpdated, permissionsUpdated and
// rolePermissionsChanged reaching exactly the sockets they concern; two nodes on one
// PostgreSQL database; a reader too slow to drain its socket cut off while the server's memory
// stays bounded. SQLite and PostgreSQL.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/authz_helpers.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/server_process.hpp"
#include "support/ws_client.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auto kWait = 15s;  // generous: a message normally arrives in milliseconds
constexpr int kUnauthorized = 4401;
constexpr int kForbidden = 4403;
constexpr int kGoingAway = 1001;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

HeaderList BearerHeader(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string Type(const json::value& message) {
  const auto* type = message.as_object().if_contains("type");
  return type != nullptr && type->is_string() ? std::string(type->as_string()) : "";
}

std::set<std::string> Strings(const json::value& array) {
  std::set<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& v : array.as_array()) {
    if (v.is_string()) out.emplace(v.as_string());
  }
  return out;
}

// Every message has exactly {type, data, timestamp}, data an object, timestamp ISO 8601 UTC ms.
void ExpectEnvelope(const json::value& message) {
  EXPECT_TRUE(KeysAre(message, {"type", "data", "timestamp"})) << json::serialize(message);
  EXPECT_TRUE(message.at("data").is_object()) << json::serialize(message);
  EXPECT_TRUE(IsIsoTimestamp(message.at("timestamp"))) << json::serialize(message);
}

// A key for `owner`, created by `actor` (POST /v1/admin/keys); "" on failure (reported).
std::string CreateKey(HttpClient& client, const Account& actor, const std::string& owner) {
  Response r = client.Post("/v1/admin/keys",
                           JsonText(json::object{{"userId", owner},
                                                 {"name", "realtime"},
                                                 {"scopes", json::array{"read"}}}),
                           actor.Auth());
  if (r.status != 201) {
    ADD_FAILURE() << "creating a key: " << r.Describe();
    return "";
  }
  return std::string(At(r, "/data/key").as_string());
}

std::string KeyId(HttpClient& client, const Account& actor, const std::string& owner,
                  std::string* key) {
  Response r = client.Post("/v1/admin/keys",
                           JsonText(json::object{{"userId", owner},
                                                 {"name", "realtime"},
                                                 {"scopes", json::array{"read"}}}),
                           actor.Auth());
  if (r.status != 201) {
    ADD_FAILURE() << "creating a key: " << r.Describe();
    return "";
  }
  *key = std::string(At(r, "/data/key").as_string());
  return std::string(At(r, "/data/id").as_string());
}

// Resident memory of a process in KiB, from /proc.
long VmRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// A raw TCP client that upgrades to a WebSocket and then never reads: the slowest consumer.
class RawSocket {
 public:
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  ::testing::AssertionResult Upgrade(std::uint16_t port, const std::string& token) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;  // the kernel keeps little on our side either
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      return ::testing::AssertionFailure() << "connect failed";
    }
    const std::string request =
        "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Authorization: Bearer " +
        token + "\r\n\r\n";
    if (send(fd_, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
      return ::testing::AssertionFailure() << "send failed";
    }
    // The response head, byte by byte, so no frame is consumed with it.
    std::string head;
    while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
      if (!Readable(10s)) return ::testing::AssertionFailure() << "no upgrade response";
      char c;
      if (recv(fd_, &c, 1, 0) != 1) return ::testing::AssertionFailure() << "closed: " << head;
      head += c;
    }
    if (head.rfind("HTTP/1.1 101", 0) != 0) return ::testing::AssertionFailure() << head;
    return ::testing::AssertionSuccess();
  }
  // Drains what the server sent until the connection ends; false if it is still open after
  // `timeout`. `bytes` receives the count.
  bool DrainUntilClosed(std::chrono::milliseconds timeout, std::size_t* bytes) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    *bytes = 0;
    for (;;) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= 0s) return false;
      if (!Readable(std::chrono::duration_cast<std::chrono::milliseconds>(left))) return false;
      const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return true;  // EOF or reset: the server let go
      *bytes += static_cast<std::size_t>(n);
    }
  }

 private:
  bool Readable(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(timeout.count())) > 0;
  }
  int fd_ = -1;
};

class Realtime : public BackendTest {};

// Header bearer, access_token query parameter, first message, X-API-Key, an API key as the
// token: each socket is registered as alice's (each gets her permissionsUpdated). Tokens never
// reach the logs. Shutdown closes open sockets with 1001.
TEST_P(Realtime, AuthenticatesEveryWay) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const std::string key = CreateKey(client, cast.super, cast.alice.id);
  ASSERT_FALSE(key.empty());

  // A socket authenticated by its first message is registered once the server has read that
  // message, which the client cannot observe: change alice's nodes until it has seen one.
  auto registered = [&](WsClient& socket) {
    for (int i = 0; i < 100; ++i) {
      if (!authz::SetDirectNodes(client, cast.super, cast.alice.id,
                                 {i % 2 == 0 ? "user.read" : "company.fetch"})) {
        return false;
      }
      if (socket.WaitFor("permissionsUpdated", 200ms)) return true;
      if (socket.closed()) return false;
    }
    return false;
  };
  std::vector<WsClient> sockets(6);
  ASSERT_TRUE(sockets[2].Connect(server.port(), "/v1/ws"));
  ASSERT_TRUE(sockets[2].Send(JsonText(json::object{{"type", "auth"}, {"token", cast.alice.access}})));
  ASSERT_TRUE(registered(sockets[2])) << "closed with " << sockets[2].close_code();
  ASSERT_TRUE(sockets[5].Connect(server.port(), "/v1/ws"));
  ASSERT_TRUE(sockets[5].Send(JsonText(json::object{{"type", "auth"}, {"token", key}})));
  ASSERT_TRUE(registered(sockets[5])) << "closed with " << sockets[5].close_code();
  // Upgrades with credentials are registered before the 101 is sent.
  ASSERT_TRUE(sockets[0].Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  ASSERT_TRUE(sockets[1].Connect(server.port(), "/v1/ws?access_token=" + cast.alice.access));
  ASSERT_TRUE(sockets[3].Connect(server.port(), "/v1/ws", {{"X-API-Key", key}}));
  ASSERT_TRUE(sockets[4].Connect(server.port(), "/v1/ws?access_token=" + key));
  EXPECT_EQ(sockets[0].http_status(), 101);

  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.alice.id, {"company.fetch.address"}));
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    SCOPED_TRACE("socket " + std::to_string(i));
    std::optional<json::value> message;
    do {  // skips what the registration loop above sent
      message = sockets[i].WaitFor("permissionsUpdated", kWait);
    } while (message && !Strings(message->at("data").at("permissions")).contains(
                            "company.fetch.address"));
    ASSERT_TRUE(message.has_value()) << "closed " << sockets[i].closed() << " code "
                                     << sockets[i].close_code();
    ExpectEnvelope(*message);
    EXPECT_EQ(message->at("data").at("userId").as_string(), cast.alice.id);
  }

  // A plain GET is told to upgrade.
  Response plain = client.Get("/v1/ws", cast.alice.Auth());
  EXPECT_EQ(plain.status, 426) << plain.Describe();
  EXPECT_EQ(At(plain, "/error"), json::value("UpgradeRequired")) << plain.body;

  // The sockets answer the server's close frames while it shuts down.
  int exit_code = -1;
  std::thread stopper([&] { exit_code = server.Stop(); });
  for (auto& socket : sockets) EXPECT_EQ(socket.WaitClosed(kWait), std::optional<int>(kGoingAway));
  stopper.join();
  EXPECT_EQ(exit_code, 0);
  const std::string logs = server.StdoutLog() + server.StderrLog();
  EXPECT_EQ(logs.find(cast.alice.access), std::string::npos) << "an access token was logged";
  EXPECT_EQ(logs.find(key), std::string::npos) << "an API key was logged";
  EXPECT_NE(logs.find("\"/v1/ws\""), std::string::npos) << "the upgrade is in the access log";
}

TEST_P(Realtime, RefusesBadOrMissingCredentials) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  std::string forged = cast.alice.access;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';

  WsClient header;
  EXPECT_FALSE(header.Connect(server.port(), "/v1/ws", BearerHeader(forged)));
  EXPECT_EQ(header.http_status(), 401);
  EXPECT_NE(header.http_body().find("\"Unauthorized\""), std::string::npos) << header.http_body();

  WsClient query;
  EXPECT_FALSE(query.Connect(server.port(), "/v1/ws?access_token=" + forged));
  EXPECT_EQ(query.http_status(), 401);

  WsClient bad_key;
  EXPECT_FALSE(bad_key.Connect(server.port(), "/v1/ws", {{"X-API-Key", "gh_nope"}}));
  EXPECT_EQ(bad_key.http_status(), 401);

  WsClient bad_message;
  ASSERT_TRUE(bad_message.Connect(server.port(), "/v1/ws"));
  ASSERT_TRUE(bad_message.Send(JsonText(json::object{{"type", "auth"}, {"token", forged}})));
  EXPECT_EQ(bad_message.WaitClosed(kWait), std::optional<int>(kUnauthorized));

  WsClient not_auth;
  ASSERT_TRUE(not_auth.Connect(server.port(), "/v1/ws"));
  ASSERT_TRUE(not_auth.Send(R"({"type":"hello"})"));
  EXPECT_EQ(not_auth.WaitClosed(kWait), std::optional<int>(kUnauthorized));

  WsClient silent;  // says nothing: closed once the 5 s allowed for the auth message are over
  ASSERT_TRUE(silent.Connect(server.port(), "/v1/ws"));
  EXPECT_EQ(silent.WaitClosed(kWait), std::optional<int>(kUnauthorized));
  EXPECT_EQ(silent.close_reason(), "authentication timeout");
  EXPECT_TRUE(silent.received().empty());
}

// Revoking a session from another device: that session's socket gets sessionRevoked and is
// closed; the other session's socket stays and keeps receiving.
TEST_P(Realtime, RevokedSessionIsToldAndClosed) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Account phone;
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &phone));

  WsClient laptop_ws, phone_ws;
  ASSERT_TRUE(laptop_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  ASSERT_TRUE(phone_ws.Connect(server.port(), "/v1/ws", BearerHeader(phone.access)));

  Response r = client.Post("/v1/sessions/revoke",
                           JsonText(json::object{{"sessionId", cast.alice.session_id}}),
                           phone.Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  auto message = laptop_ws.WaitFor("sessionRevoked", kWait);
  ASSERT_TRUE(message.has_value());
  ExpectEnvelope(*message);
  EXPECT_EQ(message->at("data").at("sessionId").as_string(), cast.alice.session_id);
  EXPECT_EQ(laptop_ws.WaitClosed(kWait), std::optional<int>(kUnauthorized));
  EXPECT_EQ(laptop_ws.close_reason(), "session revoked");
  EXPECT_EQ(client.Get("/v1/user/@me", cast.alice.Auth()).status, 401);

  ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.alice.id, {"user", "developer"}));
  auto still = phone_ws.Next(kWait);
  ASSERT_TRUE(still.has_value()) << "the other session's socket was closed too";
  EXPECT_EQ(Type(*still), "rolesUpdated") << json::serialize(*still);
}

TEST_P(Realtime, BannedAndDeletedAccountsAreToldThenClosed) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  WsClient alice_ws, bob_ws;
  ASSERT_TRUE(alice_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  ASSERT_TRUE(bob_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.bob.access)));

  Response ban = PatchUser(client, cast.super, cast.alice.id, R"({"status":"banned"})");
  ASSERT_EQ(ban.status, 200) << ban.Describe();
  EXPECT_EQ(alice_ws.WaitClosed(kWait), std::optional<int>(kForbidden));
  EXPECT_EQ(alice_ws.close_reason(), "account banned");
  ASSERT_EQ(alice_ws.received().size(), 1u) << "exactly one message before the close";
  EXPECT_EQ(Type(alice_ws.received()[0]), "accountBanned");
  ExpectEnvelope(alice_ws.received()[0]);
  EXPECT_EQ(alice_ws.received()[0].at("data").at("userId").as_string(), cast.alice.id);

  Response del = client.Request("DELETE", "/v1/user/users/" + cast.bob.id, cast.super.Auth());
  ASSERT_EQ(del.status, 200) << del.Describe();
  EXPECT_EQ(bob_ws.WaitClosed(kWait), std::optional<int>(kForbidden));
  EXPECT_EQ(bob_ws.close_reason(), "account deleted");
  ASSERT_EQ(bob_ws.received().size(), 1u);
  EXPECT_EQ(Type(bob_ws.received()[0]), "accountDeleted");
  EXPECT_EQ(bob_ws.received()[0].at("data").at("userId").as_string(), cast.bob.id);

  // A banned account cannot open a new socket.
  WsClient again;
  EXPECT_FALSE(again.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  EXPECT_EQ(again.http_status(), 401);
}

// Role and direct-node changes reach the user; a role's node change reaches every connected
// holder and nobody else (bob's first message afterwards is his own permissionsUpdated).
TEST_P(Realtime, PermissionChangesReachExactlyTheirHolders) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::string viewer_id;
  ASSERT_TRUE(authz::CreateRole(client, cast.super, "viewer", {"user.read"}, &viewer_id));

  WsClient alice_ws, admin_ws, bob_ws;
  ASSERT_TRUE(alice_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  ASSERT_TRUE(admin_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.admin.access)));
  ASSERT_TRUE(bob_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.bob.access)));

  ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.alice.id, {"user", "viewer"}));
  auto roles = alice_ws.Next(kWait);
  ASSERT_TRUE(roles.has_value());
  ExpectEnvelope(*roles);
  EXPECT_EQ(Type(*roles), "rolesUpdated");
  EXPECT_EQ(Strings(roles->at("data").at("roleIds")),
            (std::set<std::string>{"role_user", viewer_id}))
      << json::serialize(*roles);

  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.alice.id, {"company.fetch"}));
  auto nodes = alice_ws.Next(kWait);
  ASSERT_TRUE(nodes.has_value());
  EXPECT_EQ(Type(*nodes), "permissionsUpdated");
  EXPECT_TRUE(Strings(nodes->at("data").at("permissions")).contains("company.fetch"));

  ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.admin.id, {"admin", "user", "viewer"}));
  auto admin_roles = admin_ws.Next(kWait);
  ASSERT_TRUE(admin_roles.has_value());
  EXPECT_EQ(Type(*admin_roles), "rolesUpdated");

  Response add = client.Post("/v1/role/viewer/permissions",
                             authz::NodesBody({"company.fetch.address"}), cast.super.Auth());
  ASSERT_EQ(add.status, 200) << add.Describe();
  for (WsClient* holder : {&alice_ws, &admin_ws}) {
    auto changed = holder->Next(kWait);
    ASSERT_TRUE(changed.has_value());
    ExpectEnvelope(*changed);
    EXPECT_EQ(Type(*changed), "rolePermissionsChanged") << json::serialize(*changed);
    EXPECT_EQ(changed->at("data").at("roleId").as_string(), viewer_id);
    EXPECT_EQ(Strings(changed->at("data").at("permissions")),
              (std::set<std::string>{"user.read", "company.fetch.address"}));
  }
  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.bob.id, {"company.fetch"}));
  auto bob_first = bob_ws.Next(kWait);
  ASSERT_TRUE(bob_first.has_value());
  EXPECT_EQ(Type(*bob_first), "permissionsUpdated")
      << "bob holds no viewer role but got " << json::serialize(*bob_first);

  // Deleting the role tells its holders, once.
  Response gone = client.Request("DELETE", "/v1/role/viewer", cast.super.Auth());
  ASSERT_EQ(gone.status, 200) << gone.Describe();
  auto deleted = alice_ws.Next(kWait);
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(Type(*deleted), "rolePermissionsChanged");
  EXPECT_EQ(deleted->at("data").at("deleted"), json::value(true));
}

// An API key that stops working: its sockets get forceLogout and are closed.
TEST_P(Realtime, RevokedApiKeyIsLoggedOut) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::string key;
  const std::string key_id = KeyId(client, cast.super, cast.alice.id, &key);
  ASSERT_FALSE(key_id.empty());
  WsClient by_key, by_token;
  ASSERT_TRUE(by_key.Connect(server.port(), "/v1/ws", {{"X-API-Key", key}}));
  ASSERT_TRUE(by_token.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  Response r = client.Request("DELETE", "/v1/admin/keys/" + key_id, cast.super.Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  auto message = by_key.WaitFor("forceLogout", kWait);
  ASSERT_TRUE(message.has_value());
  ExpectEnvelope(*message);
  EXPECT_EQ(message->at("data").at("reason").as_string(), "apiKeyRevoked");
  EXPECT_EQ(by_key.WaitClosed(kWait), std::optional<int>(kUnauthorized));
  // Her session's socket is untouched.
  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.alice.id, {"company.fetch"}));
  auto next = by_token.Next(kWait);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(Type(*next), "permissionsUpdated");
}

// Two gatehouse processes on one PostgreSQL database: what happens on A reaches a socket on B,
// and a session revoked on A fails on B at the next request.
TEST_P(Realtime, EventsCrossNodes) {
  if (backend().kind() != BackendKind::kPostgres) {
    GTEST_SKIP() << "several nodes share one store only on PostgreSQL";
  }
  ServerProcess& a = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(a, &cast));
  ServerProcess& b = NewServerIn(a.data_dir(), FastHashFlags());
  ASSERT_TRUE(b.Start());
  HttpClient on_a(a.port()), on_b(b.port());
  std::string viewer_id;
  ASSERT_TRUE(authz::CreateRole(on_a, cast.super, "viewer", {"user.read"}, &viewer_id));

  WsClient alice_on_b, bob_on_b;
  ASSERT_TRUE(alice_on_b.Connect(b.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  ASSERT_TRUE(bob_on_b.Connect(b.port(), "/v1/ws", BearerHeader(cast.bob.access)));

  ASSERT_TRUE(authz::SetRoles(on_a, cast.super, cast.alice.id, {"user", "viewer"}));
  auto roles = alice_on_b.Next(kWait);
  ASSERT_TRUE(roles.has_value()) << "a role change on A did not reach B";
  EXPECT_EQ(Type(*roles), "rolesUpdated");

  Response add = on_a.Post("/v1/role/viewer/permissions", authz::NodesBody({"company.fetch"}),
                           cast.super.Auth());
  ASSERT_EQ(add.status, 200) << add.Describe();
  auto changed = alice_on_b.Next(kWait);
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(Type(*changed), "rolePermissionsChanged");
  EXPECT_EQ(changed->at("data").at("roleId").as_string(), viewer_id);

  Response revoke = on_a.Post("/v1/sessions/revoke",
                              JsonText(json::object{{"sessionId", cast.alice.session_id}}),
                              cast.super.Auth());
  ASSERT_EQ(revoke.status, 200) << revoke.Describe();
  auto revoked = alice_on_b.Next(kWait);
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(Type(*revoked), "sessionRevoked");
  EXPECT_EQ(alice_on_b.WaitClosed(kWait), std::optional<int>(kUnauthorized));
  EXPECT_EQ(on_b.Get("/v1/user/@me", cast.alice.Auth()).status, 401)
      << "a session revoked on A still works on B";

  Response ban = PatchUser(on_a, cast.super, cast.bob.id, R"({"status":"banned"})");
  ASSERT_EQ(ban.status, 200) << ban.Describe();
  auto banned = bob_on_b.Next(kWait);
  ASSERT_TRUE(banned.has_value());
  EXPECT_EQ(Type(*banned), "accountBanned");
  EXPECT_EQ(bob_on_b.WaitClosed(kWait), std::optional<int>(kForbidden));
}

// Events lost while the event channel is down are not replayed by PostgreSQL: after the
// listener reconnects, each node re-reads its sockets' accounts. A ban written behind the
// servers' backs (straight into the store) is found then.
TEST_P(Realtime, ResyncAfterReconnectRechecksSockets) {
  if (backend().kind() != BackendKind::kPostgres) {
    GTEST_SKIP() << "the event channel between nodes is PostgreSQL's LISTEN/NOTIFY";
  }
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  WsClient bob_ws, alice_ws;
  ASSERT_TRUE(bob_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.bob.access)));
  ASSERT_TRUE(alice_ws.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  ASSERT_EQ(backend().ExecSql("UPDATE users SET status = 'banned' WHERE id = '" + cast.bob.id + "'"),
            "");
  ASSERT_EQ(backend().ExecSql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE query LIKE 'LISTEN%' AND datname = current_database()"),
            "");
  auto banned = bob_ws.WaitFor("accountBanned", kWait);
  ASSERT_TRUE(banned.has_value()) << "the resync after the reconnect did not re-check bob";
  EXPECT_EQ(bob_ws.WaitClosed(kWait), std::optional<int>(kForbidden));
  EXPECT_TRUE(server.WaitForLog("resynchronising"));
  // Alice is still active: her socket stays open and keeps receiving.
  HttpClient client(server.port());
  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.alice.id, {"company.fetch"}));
  auto next = alice_ws.WaitFor("permissionsUpdated", kWait);
  EXPECT_TRUE(next.has_value()) << "alice's socket was closed by the resync";
}

// A consumer that never reads while the server pushes hundreds of large messages: the server
// cuts it off (bounded queue) instead of buffering, and its resident memory stays bounded.
TEST_P(Realtime, SlowReaderIsDisconnected) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  // A role with many long nodes makes every rolePermissionsChanged ~10 KB.
  std::vector<std::string> nodes;
  for (int i = 0; i < 200; ++i) {
    nodes.push_back("company.fetch.realtime_slow_reader_padding_node_" + std::to_string(i));
  }
  ASSERT_TRUE(authz::CreateRole(client, cast.super, "bulk", nodes));
  ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.alice.id, {"user", "bulk"}));

  RawSocket slow;
  ASSERT_TRUE(slow.Upgrade(server.port(), cast.alice.access));
  WsClient healthy;  // a reader that keeps up, on the same role
  ASSERT_TRUE(healthy.Connect(server.port(), "/v1/ws", BearerHeader(cast.alice.access)));
  const long before = VmRssKib(server.pid());
  ASSERT_GT(before, 0);

  constexpr int kPushes = 600;  // ~6 MB pushed to the slow socket
  int received = 0;
  for (int i = 0; i < kPushes; ++i) {
    const bool add = i % 2 == 0;
    Response r = client.Request(add ? "POST" : "DELETE", "/v1/role/bulk/permissions",
                                cast.super.Auth(), authz::NodesBody({"company.fetch.toggle"}));
    ASSERT_EQ(r.status, 200) << r.Describe();
    while (healthy.Next(1ms)) ++received;
  }
  const long after = VmRssKib(server.pid());
  std::size_t drained = 0;
  EXPECT_TRUE(slow.DrainUntilClosed(kWait, &drained))
      << "the slow reader is still connected after " << kPushes << " pushes";
  EXPECT_LT(drained, static_cast<std::size_t>(kPushes) * 10000)
      << "everything was delivered: nothing was bounded";
  EXPECT_TRUE(server.WaitForLog("too slow"));
  EXPECT_LT(after - before, 64 * 1024) << "resident memory grew from " << before << " KiB to "
                                       << after << " KiB";
  while (received < kPushes) {
    if (!healthy.Next(kWait)) break;
    ++received;
  }
  EXPECT_EQ(received, kPushes) << "the reader that kept up lost messages";
}

GATEHOUSE_INSTANTIATE_BACKENDS(Realtime);

}  // namespace
}  // namespace gatehouse::testing
