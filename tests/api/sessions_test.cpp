// Login sessions seen from outside (seed 000 session routes, seed 001 ActiveSession): listing,
// user-agent details, revoking one or all others, and an administrator's view of another
// user's sessions. Runs against SQLite and again against PostgreSQL.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;

const char* kChromeOnWindows =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36";
const char* kSafariOnIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

// Seed 001's ActiveSession, field for field.
const std::set<std::string> kActiveSessionKeys = {
    "id",           "ipAddress", "userAgent",      "deviceType", "browserName", "osName",
    "provider",     "providerName", "lastActivityAt", "createdAt", "expiresAt", "isCurrent"};

std::vector<std::string> SessionIds(const Response& r) {
  std::vector<std::string> ids;
  json::value sessions = At(r, "/data/sessions");
  if (!sessions.is_array()) return ids;
  for (const auto& s : sessions.as_array()) ids.push_back(json::value_to<std::string>(s.at("id")));
  return ids;
}

const json::object* FindSession(const json::value& sessions, const std::string& id) {
  if (!sessions.is_array()) return nullptr;
  for (const auto& s : sessions.as_array()) {
    if (s.is_object() && s.at("id") == json::value(id)) return &s.as_object();
  }
  return nullptr;
}

class Sessions : public BackendTest {};

TEST_P(Sessions, ListMatchesSeedShapeAndParsesUserAgents) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account bare, chrome, iphone;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &bare));
  ASSERT_TRUE(
      Login(client, "alice@example.com", kPassword, &iphone, {{"User-Agent", kSafariOnIphone}}));
  ASSERT_TRUE(
      Login(client, "alice@example.com", kPassword, &chrome, {{"User-Agent", kChromeOnWindows}}));

  Response r = client.Get("/v1/sessions", chrome.Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_TRUE(IsEnvelope(r));
  json::value data = At(r, "/data");
  ASSERT_TRUE(KeysAre(data, {"sessions", "currentSessionId"}));
  EXPECT_EQ(data.at("currentSessionId"), json::value(chrome.session_id));
  const json::value& sessions = data.at("sessions");
  ASSERT_TRUE(sessions.is_array());
  ASSERT_EQ(sessions.as_array().size(), 3u) << r.body;
  // Most recently used first: the caller's own session leads.
  EXPECT_EQ(SessionIds(r).front(), chrome.session_id);

  for (const auto& s : sessions.as_array()) {
    SCOPED_TRACE(json::serialize(s));
    EXPECT_TRUE(KeysAre(s, kActiveSessionKeys));
    EXPECT_TRUE(IsUuidV7(json::value_to<std::string>(s.at("id"))));
    EXPECT_EQ(s.at("ipAddress"), "127.0.0.1");
    EXPECT_EQ(s.at("provider"), "email");
    EXPECT_EQ(s.at("providerName"), "Email");
    EXPECT_TRUE(IsIsoTimestamp(s.at("lastActivityAt")));
    EXPECT_TRUE(IsIsoTimestamp(s.at("createdAt")));
    EXPECT_TRUE(IsIsoTimestamp(s.at("expiresAt")));
    if (IsIsoTimestamp(s.at("createdAt")) && IsIsoTimestamp(s.at("expiresAt"))) {
      // 30 days by default: a later month at least.
      EXPECT_GT(std::string(s.at("expiresAt").as_string()).substr(0, 10),
                std::string(s.at("createdAt").as_string()).substr(0, 10));
    }
    EXPECT_EQ(s.at("isCurrent"), json::value(s.at("id") == json::value(chrome.session_id)));
  }
  const json::object* c = FindSession(sessions, chrome.session_id);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->at("userAgent"), kChromeOnWindows);
  EXPECT_EQ(c->at("deviceType"), "desktop");
  EXPECT_EQ(c->at("browserName"), "Chrome");
  EXPECT_EQ(c->at("osName"), "Windows");
  const json::object* i = FindSession(sessions, iphone.session_id);
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->at("deviceType"), "mobile");
  EXPECT_EQ(i->at("browserName"), "Mobile Safari");
  EXPECT_EQ(i->at("osName"), "iOS");
  const json::object* b = FindSession(sessions, bare.session_id);
  ASSERT_NE(b, nullptr);
  for (const char* key : {"userAgent", "deviceType", "browserName", "osName"}) {
    EXPECT_TRUE(b->at(key).is_null() || b->at(key) == "Other" || b->at(key) == "other")
        << key << " of a session without User-Agent: " << b->at(key);
  }

  RunScenarios(server, {
      {.name = "anonymous", .path = "/v1/sessions", .expected_status = 401,
       .expected_fragments = {{"/error", "Unauthorized"}}},
      {.name = "another user sees only their own",
       .method = "POST", .path = "/v1/auth/register",
       .body = LoginBody("bob@example.com", kPassword), .expected_status = 201},
  });
  Account bob;
  ASSERT_TRUE(Login(client, "bob@example.com", kPassword, &bob));
  Response bobs = client.Get("/v1/sessions", bob.Auth());
  EXPECT_EQ(SessionIds(bobs).size(), 2u) << bobs.body;
  for (const auto& id : SessionIds(bobs)) {
    EXPECT_NE(id, chrome.session_id);
    EXPECT_NE(id, iphone.session_id);
    EXPECT_NE(id, bare.session_id);
  }
}

TEST_P(Sessions, RevokeOneSession) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Account a2, a3, a4;
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &a2));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &a3));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &a4));
  const Account& alice = cast.alice;
  const std::string url = "/v1/sessions/revoke";
  auto revoke = [](const std::string& key, const std::string& id) {
    return JsonText(json::object{{key, id}, {"reason", "user_initiated"}});
  };
  RunScenarios(server, {
      {.name = "anonymous", .method = "POST", .path = url,
       .body = revoke("sessionId", a2.session_id), .expected_status = 401},
      {.name = "another user's session is not found for a plain user", .method = "POST",
       .path = url, .headers = cast.bob.Auth(), .body = revoke("sessionId", a2.session_id),
       .expected_status = 404, .expected_fragments = {{"/error", "SessionNotFound"}}},
      {.name = "so it still works", .path = "/v1/user/@me", .headers = a2.Auth()},
      {.name = "unknown session id", .method = "POST", .path = url, .headers = alice.Auth(),
       .body = revoke("sessionId", "0192f000-0000-7000-8000-000000000000"),
       .expected_status = 404, .expected_fragments = {{"/error", "SessionNotFound"}}},
      {.name = "no session named", .method = "POST", .path = url, .headers = alice.Auth(),
       .body = R"({"reason":"x"})", .expected_status = 400,
       .expected_fragments = {{"/error", "ValidationError"}}},
      {.name = "unknown field", .method = "POST", .path = url, .headers = alice.Auth(),
       .body = JsonText(json::object{{"sessionId", a2.session_id}, {"userId", cast.bob.id}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"userId"}}}},
      {.name = "revoke my other session by id", .method = "POST", .path = url,
       .headers = alice.Auth(), .body = revoke("sessionId", a2.session_id),
       .expected_fragments = {{"/data", json::object{{"success", true}}}}},
      {.name = "its token fails on the very next request", .path = "/v1/user/@me",
       .headers = a2.Auth(), .expected_status = 401},
      {.name = "its refresh token too", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", a2.refresh}}, .expected_status = 401},
      {.name = "it is no longer listed", .path = "/v1/sessions", .headers = alice.Auth(),
       .check = [&](const Response& r) {
         auto ids = SessionIds(r);
         EXPECT_EQ(std::count(ids.begin(), ids.end(), a2.session_id), 0) << r.body;
         EXPECT_EQ(ids.size(), 3u) << r.body;
       }},
      {.name = "seed 000 names the field sessionToken", .method = "POST", .path = url,
       .headers = alice.Auth(), .body = revoke("sessionToken", a3.session_id),
       .expected_fragments = {{"/data/success", true}}},
      {.name = "a3 is dead", .path = "/v1/user/@me", .headers = a3.Auth(),
       .expected_status = 401},
      {.name = "an admin may revoke anyone's session", .method = "POST", .path = url,
       .headers = cast.admin.Auth(), .body = revoke("sessionId", a4.session_id),
       .expected_fragments = {{"/data/success", true}}},
      {.name = "a4 is dead", .path = "/v1/user/@me", .headers = a4.Auth(),
       .expected_status = 401},
      {.name = "revoking my current session", .method = "POST", .path = url,
       .headers = alice.Auth(), .body = revoke("sessionId", alice.session_id),
       .expected_fragments = {{"/data/success", true}}},
      {.name = "ends it too", .path = "/v1/user/@me", .headers = alice.Auth(),
       .expected_status = 401},
  });
}

TEST_P(Sessions, RevokeOthersKeepsTheCurrentOne) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::vector<Account> others(3);
  for (auto& other : others) ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &other));
  const Account& alice = cast.alice;
  const std::string url = "/v1/sessions/revoke-others";
  std::vector<Scenario> table = {
      {.name = "anonymous", .method = "POST", .path = url, .expected_status = 401},
      {.name = "someone else's session as the one to keep", .method = "POST", .path = url,
       .headers = alice.Auth(),
       .body = JsonText(json::object{{"currentSessionId", cast.bob.session_id}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"currentSessionId"}}}},
      {.name = "bob's session survived that", .path = "/v1/user/@me",
       .headers = cast.bob.Auth()},
      {.name = "revoke the three others", .method = "POST", .path = url, .headers = alice.Auth(),
       .body = JsonText(json::object{{"currentSessionId", alice.session_id}}),
       .expected_fragments = {{"/data", json::object{{"success", true}, {"revokedCount", 3}}}}},
      {.name = "current session still works", .path = "/v1/user/@me", .headers = alice.Auth()},
  };
  for (std::size_t i = 0; i < others.size(); ++i) {
    table.push_back({.name = "other session " + std::to_string(i) + " is dead",
                     .path = "/v1/user/@me", .headers = others[i].Auth(),
                     .expected_status = 401});
  }
  table.push_back({.name = "only the current one is listed", .path = "/v1/sessions",
                   .headers = alice.Auth(), .check = [&](const Response& r) {
                     EXPECT_EQ(SessionIds(r), std::vector<std::string>{alice.session_id});
                   }});
  table.push_back({.name = "again: nothing left to revoke", .method = "POST", .path = url,
                   .headers = alice.Auth(), .body = "{}",
                   .expected_fragments = {{"/data/success", true}, {"/data/revokedCount", 0}}});
  table.push_back({.name = "bob's sessions untouched", .path = "/v1/user/@me",
                   .headers = cast.bob.Auth()});
  RunScenarios(server, table);
}

TEST_P(Sessions, AnotherUsersSessionsNeedSessionReadOther) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Account second;
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &second));
  const std::string url = "/v1/user/users/" + cast.alice.id + "/sessions";
  auto lists_alice = [&](bool as_alice) {
    return [&, as_alice](const Response& r) {
      auto ids = SessionIds(r);
      std::sort(ids.begin(), ids.end());
      std::vector<std::string> expected = {second.session_id, cast.alice.session_id};
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(ids, expected) << r.body;
      EXPECT_EQ(At(r, "/data/currentSessionId"),
                as_alice ? json::value(cast.alice.session_id) : json::value(nullptr));
      for (const auto& s : ArrayAt(r, "/data/sessions")) {
        EXPECT_TRUE(KeysAre(s, kActiveSessionKeys));
        EXPECT_EQ(s.at("isCurrent"),
                  json::value(as_alice && s.at("id") == json::value(cast.alice.session_id)));
      }
    };
  };
  RunScenarios(server, {
      {.name = "anonymous", .path = url, .expected_status = 401},
      {.name = "alice, her own", .path = url, .headers = cast.alice.Auth(),
       .check = lists_alice(true)},
      {.name = "alice via @me", .path = "/v1/user/users/@me/sessions",
       .headers = cast.alice.Auth(), .check = lists_alice(true)},
      {.name = "bob, alice's", .path = url, .headers = cast.bob.Auth(), .expected_status = 403,
       .expected_fragments = {{"/error", "InsufficientPermission"}}},
      {.name = "admin, alice's", .path = url, .headers = cast.admin.Auth(),
       .check = lists_alice(false)},
      {.name = "super admin, alice's", .path = url, .headers = cast.super.Auth(),
       .check = lists_alice(false)},
  });
}

// Like every other /v1/user/users/:identifier route, an unknown user is a 404, not an empty
// list (which would read as "this user has no sessions").
TEST_P(Sessions, AnotherUsersSessionsOfAnUnknownUserIs404) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  const std::string ghost = "0192f000-0000-7000-8000-000000000000";
  RunScenarios(server, {
      {.name = "unknown id", .path = "/v1/user/users/" + ghost + "/sessions",
       .headers = cast.admin.Auth(), .expected_status = 404,
       .expected_fragments = {{"/error", "UserNotFound"},
                              {"/message", "User with identifier '" + ghost + "' was not found."}}},
      {.name = "alice by email lists alice's sessions",
       .path = "/v1/user/users/alice@example.com/sessions", .headers = cast.admin.Auth(),
       .check = [&](const Response& r) {
         EXPECT_EQ(SessionIds(r), std::vector<std::string>{cast.alice.session_id}) << r.body;
       }},
  });
}

TEST_P(Sessions, RevocationsSurviveARestart) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  Account a, b, c;
  {
    HttpClient client(server.port());
    ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &a));
    ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &b));
    ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &c));
    ASSERT_EQ(client.Post("/v1/auth/logout", "", b.Auth()).status, 200);
    ASSERT_EQ(client.Post("/v1/sessions/revoke", JsonText(json::object{{"sessionId", c.session_id}}),
                          a.Auth())
                  .status,
              200);
  }
  ASSERT_TRUE(server.Restart());
  RunScenarios(server, {
      {.name = "logged-out session stays dead", .path = "/v1/user/@me", .headers = b.Auth(),
       .expected_status = 401},
      {.name = "revoked session stays dead", .path = "/v1/user/@me", .headers = c.Auth(),
       .expected_status = 401},
      {.name = "live session survives the restart", .path = "/v1/user/@me",
       .headers = a.Auth()},
      {.name = "and so does its refresh token", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", a.refresh}}, .expected_status = 201},
  });
}

TEST_P(Sessions, IdleSessionsEnd) {
  ServerProcess& server = NewServer(FastHashFlags({"--session-idle-ttl", "2s"}));
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account idle, busy;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &idle));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &busy));
  std::string busy_refresh = busy.refresh, busy_access = busy.access;
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    Response r = client.Post("/v1/auth/refresh", "", {{"x-refresh-token", busy_refresh}});
    ASSERT_EQ(r.status, 201) << "a session refreshed every 0.9 s went idle: " << r.Describe();
    busy_refresh = json::value_to<std::string>(At(r, "/data/refreshToken"));
    busy_access = json::value_to<std::string>(At(r, "/data/accessToken"));
  }
  RunScenarios(server, {
      {.name = "the idle session is not listed", .path = "/v1/sessions",
       .headers = Bearer(busy_access),
       .check = [&](const Response& r) {
         EXPECT_EQ(SessionIds(r), std::vector<std::string>{busy.session_id}) << r.body;
       }},
      {.name = "and cannot be refreshed", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", idle.refresh}}, .expected_status = 401},
  });
}

// Issue 3: "A revoked session's access tokens stop working at once ... (and, with PostgreSQL,
// across nodes via LISTEN/NOTIFY)". Two nodes on one PostgreSQL database.
TEST_P(Sessions, RevocationReachesEveryNode) {
  if (backend().kind() != BackendKind::kPostgres) {
    GTEST_SKIP() << "several nodes share one store only on PostgreSQL";
  }
  ServerProcess& a = NewServer(FastHashFlags());
  ASSERT_TRUE(a.Start());
  ServerProcess& b = NewServerIn(a.data_dir(), FastHashFlags());  // same key, same database
  ASSERT_TRUE(b.Start());
  HttpClient on_a(a.port()), on_b(b.port());
  Account s1, s2;
  ASSERT_TRUE(Register(on_a, "alice@example.com", kPassword, &s1));
  ASSERT_TRUE(Login(on_a, "alice@example.com", kPassword, &s2));
  ASSERT_EQ(on_b.Get("/v1/user/@me", s1.Auth()).status, 200);
  ASSERT_EQ(on_b.Get("/v1/user/@me", s2.Auth()).status, 200);

  ASSERT_EQ(on_a.Post("/v1/auth/logout", "", s1.Auth()).status, 200);
  ASSERT_EQ(on_a.Get("/v1/user/@me", s1.Auth()).status, 401);
  auto rejected_within = [&](const Account& who, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (on_b.Get("/v1/user/@me", who.Auth()).status == 401) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  EXPECT_TRUE(rejected_within(s1, std::chrono::seconds(2)))
      << "a session logged out on node A still works on node B";
  ASSERT_EQ(on_a.Post("/v1/sessions/revoke", JsonText(json::object{{"sessionId", s2.session_id}}),
                      s2.Auth())
                .status,
            200);
  EXPECT_TRUE(rejected_within(s2, std::chrono::seconds(2)))
      << "a session revoked on node A still works on node B";
}

GATEHOUSE_INSTANTIATE_BACKENDS(Sessions);

}  // namespace
}  // namespace gatehouse::testing
