// Password authentication seen from outside (issue 3): register, login, refresh rotation and
// reuse detection, logout, password change, forged and foreign JWTs, brute-force throttling,
// `gatehouse admin create`, and secrets that must never reach the store or the logs. Runs
// against SQLite and again against PostgreSQL.
#include <chrono>
#include <map>
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

const std::set<std::string> kLoginDataKeys = {"user", "accessToken", "refreshToken", "sessionId",
                                              "expiresIn"};
// Seed 002's user object; we may add fields ("status"), never drop one.
const std::vector<std::string> kSeedUserKeys = {"id",    "name",  "email",     "login",
                                                "image", "roles", "createdAt", "updatedAt"};

std::string Body(const json::object& o) { return JsonText(o); }

// Checks the data of a register / login answer: the seed-002 user, tokens of the right shape.
void ExpectLoginData(const Response& r) {
  json::value data = At(r, "/data");
  ASSERT_TRUE(KeysAre(data, kLoginDataKeys));
  const json::object& d = data.get_object();
  ASSERT_TRUE(d.at("user").is_object()) << r.body;
  for (const auto& key : kSeedUserKeys) {
    EXPECT_TRUE(d.at("user").get_object().contains(key)) << "user lacks " << key << ": " << r.body;
  }
  EXPECT_TRUE(IsUuidV7(json::value_to<std::string>(d.at("user").at("id")))) << r.body;
  EXPECT_TRUE(IsIsoTimestamp(d.at("user").at("createdAt"))) << r.body;
  const std::string access = json::value_to<std::string>(d.at("accessToken"));
  EXPECT_EQ(SplitJwt(access).size(), 3u) << "access token is not a compact JWS: " << access;
  const std::string refresh = json::value_to<std::string>(d.at("refreshToken"));
  EXPECT_GE(refresh.size(), 43u) << "refresh token shorter than 256 bits of base64url";
  EXPECT_EQ(refresh.find('.'), std::string::npos) << "refresh token should be opaque";
  EXPECT_TRUE(IsUuidV7(json::value_to<std::string>(d.at("sessionId")))) << r.body;
  EXPECT_TRUE(HasJson(r, "/data/expiresIn", 900));
}

int CountStatus(const std::vector<Response>& responses, int status) {
  int n = 0;
  for (const auto& r : responses) n += r.status == status ? 1 : 0;
  return n;
}

std::string StatusHistogram(const std::vector<Response>& responses) {
  std::map<int, int> counts;
  for (const auto& r : responses) ++counts[r.status];
  std::string out;
  for (const auto& [status, n] : counts) {
    out += std::to_string(status) + "x" + std::to_string(n) + " ";
  }
  return out;
}

Headers FromIp(int i) {
  return {{"X-Forwarded-For",
           "10." + std::to_string(i / 62500 % 250) + "." + std::to_string(i / 250 % 250) + "." +
               std::to_string(i % 250 + 1)}};
}

class Identity : public BackendTest {};

// ---- register ----------------------------------------------------------------------------

TEST_P(Identity, RegisterIssuesTokensAndValidatesInput) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  const std::string smiley = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes
  std::string emoji8, emoji7;
  for (int i = 0; i < 8; ++i) emoji8 += smiley;
  for (int i = 0; i < 7; ++i) emoji7 += smiley;
  auto path_is = [](json::array path) {
    return std::pair<std::string, json::value>{"/errors/0/path", std::move(path)};
  };
  const std::string url = "/v1/auth/register";
  RunScenarios(server, {
      {.name = "register trims and lower-cases the email",
       .method = "POST", .path = url,
       .body = Body({{"email", "  Alice@Example.COM "}, {"password", kPassword},
                     {"name", "Alice"}, {"login", "Alice_W"}}),
       .expected_status = 201,
       .expected_fragments = {{"/data/user/email", "alice@example.com"},
                              {"/data/user/login", "alice_w"},
                              {"/data/user/name", "Alice"},
                              {"/data/user/roles", json::array{"user"}},
                              {"/message", "Registered successfully!"}},
       .expected_audit_events = {},
       .check = ExpectLoginData},
      {.name = "same email again is 409",
       .method = "POST", .path = url,
       .body = Body({{"email", "alice@example.com"}, {"password", kPassword}}),
       .expected_status = 409,
       .expected_fragments = {{"/error", "UserAlreadyExists"}}},
      {.name = "same email in another spelling is 409",
       .method = "POST", .path = url,
       .body = Body({{"email", " ALICE@example.com"}, {"password", kPassword}}),
       .expected_status = 409,
       .expected_fragments = {{"/error", "UserAlreadyExists"}}},
      {.name = "same login in another case is 409",
       .method = "POST", .path = url,
       .body = Body({{"email", "alice2@example.com"}, {"password", kPassword},
                     {"login", "ALICE_W"}}),
       .expected_status = 409,
       .expected_fragments = {{"/error", "UserAlreadyExists"}}},
      {.name = "7-character password is 400",
       .method = "POST", .path = url,
       .body = Body({{"email", "weak@example.com"}, {"password", "1234567"}}),
       .expected_status = 400,
       .expected_fragments = {{"/error", "ValidationError"}, path_is({"password"})}},
      {.name = "129-character password is 400",
       .method = "POST", .path = url,
       .body = Body({{"email", "long@example.com"}, {"password", std::string(129, 'p')}}),
       .expected_status = 400,
       .expected_fragments = {{"/error", "ValidationError"}, path_is({"password"})}},
      {.name = "128-character password is fine",
       .method = "POST", .path = url,
       .body = Body({{"email", "long@example.com"}, {"password", std::string(128, 'p')}}),
       .expected_status = 201},
      {.name = "8 emoji are 8 characters: fine",
       .method = "POST", .path = url,
       .body = Body({{"email", "emoji@example.com"}, {"password", emoji8}}),
       .expected_status = 201},
      {.name = "7 emoji are 7 characters (28 bytes): too short",
       .method = "POST", .path = url,
       .body = Body({{"email", "emoji7@example.com"}, {"password", emoji7}}),
       .expected_status = 400,
       .expected_fragments = {path_is({"password"})}},
      {.name = "mass assignment: roles",
       .method = "POST", .path = url,
       .body = Body({{"email", "mallory@example.com"}, {"password", kPassword},
                     {"roles", json::array{"super_admin"}}}),
       .expected_status = 400,
       .expected_fragments = {{"/error", "ValidationError"}, path_is({"roles"})}},
      {.name = "mass assignment: isAdmin",
       .method = "POST", .path = url,
       .body = Body({{"email", "mallory@example.com"}, {"password", kPassword},
                     {"isAdmin", true}}),
       .expected_status = 400,
       .expected_fragments = {path_is({"isAdmin"})}},
      {.name = "mass assignment: permissions",
       .method = "POST", .path = url,
       .body = Body({{"email", "mallory@example.com"}, {"password", kPassword},
                     {"permissions", json::array{"*"}}}),
       .expected_status = 400,
       .expected_fragments = {path_is({"permissions"})}},
      {.name = "mass assignment: status",
       .method = "POST", .path = url,
       .body = Body({{"email", "mallory@example.com"}, {"password", kPassword},
                     {"status", "active"}}),
       .expected_status = 400,
       .expected_fragments = {path_is({"status"})}},
      {.name = "the refused registrations created nothing",
       .method = "POST", .path = url,
       .body = Body({{"email", "mallory@example.com"}, {"password", kPassword}}),
       .expected_status = 201,
       .expected_fragments = {{"/data/user/roles", json::array{"user"}}}},
      {.name = "not an email",
       .method = "POST", .path = url,
       .body = Body({{"email", "not-an-email"}, {"password", kPassword}}),
       .expected_status = 400,
       .expected_fragments = {path_is({"email"})}},
      {.name = "password missing",
       .method = "POST", .path = url,
       .body = Body({{"email", "nopass@example.com"}}),
       .expected_status = 400,
       .expected_fragments = {path_is({"password"})}},
      {.name = "password not a string",
       .method = "POST", .path = url,
       .body = R"({"email":"num@example.com","password":12345678})",
       .expected_status = 400,
       .expected_fragments = {path_is({"password"})}},
      {.name = "body not JSON",
       .method = "POST", .path = url,
       .body = "email=a@b.c&password=x",
       .expected_status = 400,
       .expected_fragments = {{"/error", "ValidationError"}}},
  });

  // The emoji password is taken byte for byte.
  HttpClient client(server.port());
  Account emoji;
  EXPECT_TRUE(Login(client, "emoji@example.com", emoji8, &emoji));
  // The first registration's token works at once.
  Account alice;
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &alice));
  Response me = client.Get("/v1/user/@me", alice.Auth());
  EXPECT_EQ(me.status, 200) << me.Describe();
  EXPECT_TRUE(HasJson(me, "/data/email", "alice@example.com"));
}

TEST_P(Identity, ConcurrentRegistrationsOfOneEmailCreateOneUser) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  auto same = Burst(server.port(), 10, 10, [](int i, HttpClient& c) {
    const std::string email = i % 2 == 0 ? "alice@example.com" : " Alice@Example.com";
    return c.Post("/v1/auth/register", LoginBody(email, kPassword));
  });
  EXPECT_EQ(CountStatus(same, 201), 1) << StatusHistogram(same);
  EXPECT_EQ(CountStatus(same, 409), 9) << StatusHistogram(same);
  for (const auto& r : same) {
    if (r.status == 409) {
      EXPECT_TRUE(HasJson(r, "/error", "UserAlreadyExists"));
    }
  }
  auto different = Burst(server.port(), 10, 10, [](int i, HttpClient& c) {
    return c.Post("/v1/auth/register",
                  LoginBody("user" + std::to_string(i) + "@example.com", kPassword));
  });
  EXPECT_EQ(CountStatus(different, 201), 10) << StatusHistogram(different);
}

TEST_P(Identity, RegistrationCanBeTurnedOff) {
  ServerProcess& server = NewServer(FastHashFlags({"--allow-registration", "false"}));
  ASSERT_EQ(AdminCreate(server, "root@example.com", kPassword).exit_code, 0);
  ASSERT_TRUE(server.Start());
  RunScenarios(server, {
      {.name = "register is 403 when turned off",
       .method = "POST", .path = "/v1/auth/register",
       .body = Body({{"email", "alice@example.com"}, {"password", kPassword}}),
       .expected_status = 403,
       .expected_fragments = {{"/error", "RegistrationDisabled"}}},
      {.name = "login still works",
       .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("root@example.com", kPassword),
       .expected_status = 200},
      {.name = "the refused user does not exist",
       .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", kPassword),
       .expected_status = 401,
       .expected_fragments = {{"/error", "InvalidCredentials"}}},
  });
}

// ---- login -------------------------------------------------------------------------------

TEST_P(Identity, LoginByEmailOrLogin) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice, {{"login", "alice_w"}}));
  const std::string url = "/v1/auth/login";
  auto is_alice = [&](const Response& r) {
    ExpectLoginData(r);
    EXPECT_TRUE(HasJson(r, "/data/user/id", alice.id));
    EXPECT_FALSE(HasJson(r, "/data/sessionId", alice.session_id)) << "a login reused a session";
  };
  RunScenarios(server, {
      {.name = "by email", .method = "POST", .path = url,
       .body = LoginBody("alice@example.com", kPassword),
       .expected_fragments = {{"/message", "Logged in successfully!"}}, .check = is_alice},
      {.name = "by email, upper case and padded", .method = "POST", .path = url,
       .body = LoginBody(" ALICE@EXAMPLE.COM ", kPassword), .check = is_alice},
      {.name = "by login", .method = "POST", .path = url,
       .body = Body({{"login", "alice_w"}, {"password", kPassword}}), .check = is_alice},
      {.name = "by login, other case and padded", .method = "POST", .path = url,
       .body = Body({{"login", " Alice_W "}, {"password", kPassword}}), .check = is_alice},
      {.name = "email and login both", .method = "POST", .path = url,
       .body = Body({{"email", "alice@example.com"}, {"login", "alice_w"},
                     {"password", kPassword}}),
       .expected_status = 400, .expected_fragments = {{"/error", "ValidationError"}}},
      {.name = "neither email nor login", .method = "POST", .path = url,
       .body = Body({{"password", kPassword}}),
       .expected_status = 400, .expected_fragments = {{"/errors/0/path", json::array{"email"}}}},
      {.name = "unknown field", .method = "POST", .path = url,
       .body = Body({{"email", "alice@example.com"}, {"password", kPassword},
                     {"rememberMe", true}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"rememberMe"}}}},
      {.name = "password is case-sensitive", .method = "POST", .path = url,
       .body = LoginBody("alice@example.com", "Correct horse battery staple"),
       .expected_status = 401, .expected_fragments = {{"/error", "InvalidCredentials"}}},
      {.name = "password is not trimmed", .method = "POST", .path = url,
       .body = LoginBody("alice@example.com", std::string(kPassword) + " "),
       .expected_status = 401, .expected_fragments = {{"/error", "InvalidCredentials"}}},
  });
}

TEST_P(Identity, WrongPasswordAndUnknownUserAnswerIdentically) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice, {{"login", "alice_w"}}));

  Response wrong = client.Post("/v1/auth/login", LoginBody("alice@example.com", "wrong password!"));
  Response unknown =
      client.Post("/v1/auth/login", LoginBody("nobody@example.com", "wrong password!"));
  Response unknown_login = client.Post(
      "/v1/auth/login", Body({{"login", "nobody"}, {"password", "wrong password!"}}));
  for (const Response* r : {&wrong, &unknown, &unknown_login}) {
    EXPECT_EQ(r->status, 401) << r->Describe();
    EXPECT_TRUE(IsEnvelope(*r));
    EXPECT_TRUE(HasJson(*r, "/error", "InvalidCredentials"));
    EXPECT_FALSE(r->Header("Retry-After").has_value());
  }
  EXPECT_EQ(wrong.body, unknown.body) << "wrong password and unknown user must not differ";
  EXPECT_EQ(wrong.body, unknown_login.body);
  // Failures below the throttle's free allowance do not lock the account.
  Account again;
  EXPECT_TRUE(Login(client, "alice@example.com", kPassword, &again));
}

TEST_P(Identity, BannedUserCannotLogIn) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Response unknown = client.Post("/v1/auth/login", LoginBody("nobody@example.com", "bad guess!"));
  ASSERT_EQ(PatchUser(client, cast.super, cast.alice.id, R"({"status":"banned"})").status, 200);

  Response right = client.Post("/v1/auth/login", LoginBody("alice@example.com", kPassword));
  EXPECT_EQ(right.status, 403) << right.Describe();
  EXPECT_TRUE(HasJson(right, "/error", "AccountBanned"));
  // Without the right password a banned account looks like any other failure.
  Response wrong = client.Post("/v1/auth/login", LoginBody("alice@example.com", "bad guess!"));
  EXPECT_EQ(wrong.status, 401) << wrong.Describe();
  EXPECT_EQ(wrong.body, unknown.body);

  ASSERT_EQ(PatchUser(client, cast.super, cast.alice.id, R"({"status":"active"})").status, 200);
  Account back;
  EXPECT_TRUE(Login(client, "alice@example.com", kPassword, &back));
}

// ---- refresh and logout ------------------------------------------------------------------

TEST_P(Identity, RefreshRotatesAndReuseKillsTheSession) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account s1, s2;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &s1));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &s2));

  // 1. Header, as in seed 002.
  Response first = client.Post("/v1/auth/refresh", "", {{"x-refresh-token", s1.refresh}});
  ASSERT_EQ(first.status, 201) << first.Describe();
  EXPECT_TRUE(IsEnvelope(first));
  EXPECT_TRUE(HasJson(first, "/message", "Token refreshed successfully!"));
  const std::string access1 = json::value_to<std::string>(At(first, "/data/accessToken"));
  const std::string refresh1 = json::value_to<std::string>(At(first, "/data/refreshToken"));
  EXPECT_NE(refresh1, s1.refresh);
  EXPECT_NE(access1, s1.access);
  EXPECT_EQ(client.Get("/v1/user/@me", Bearer(access1)).status, 200);
  EXPECT_EQ(client.Get("/v1/user/@me", s1.Auth()).status, 200) << "same session, still live";

  // 2. JSON body.
  Response second = client.Post("/v1/auth/refresh", Body({{"refreshToken", refresh1}}));
  ASSERT_EQ(second.status, 201) << second.Describe();
  const std::string access2 = json::value_to<std::string>(At(second, "/data/accessToken"));
  const std::string refresh2 = json::value_to<std::string>(At(second, "/data/refreshToken"));
  EXPECT_EQ(client.Get("/v1/user/@me", Bearer(access2)).status, 200);

  // 3. The first refresh token again: refused, and the whole session dies at once.
  Response reused = client.Post("/v1/auth/refresh", "", {{"x-refresh-token", s1.refresh}});
  EXPECT_EQ(reused.status, 401) << reused.Describe();
  EXPECT_TRUE(IsEnvelope(reused));
  Response after = client.Get("/v1/user/@me", Bearer(access2));
  EXPECT_EQ(after.status, 401) << "the session's newest access token survived reuse detection: "
                               << after.Describe();
  EXPECT_EQ(client.Get("/v1/user/@me", s1.Auth()).status, 401);
  EXPECT_EQ(client.Post("/v1/auth/refresh", "", {{"x-refresh-token", refresh2}}).status, 401)
      << "the session's newest refresh token survived reuse detection";
  Response listed = client.Get("/v1/sessions", s2.Auth());
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  std::vector<std::string> ids;
  for (const auto& s : ArrayAt(listed, "/data/sessions")) {
    ids.push_back(json::value_to<std::string>(s.at("id")));
  }
  EXPECT_EQ(ids, std::vector<std::string>{s2.session_id}) << listed.body;

  // The other session is untouched.
  Response other = client.Post("/v1/auth/refresh", "", {{"x-refresh-token", s2.refresh}});
  EXPECT_EQ(other.status, 201) << other.Describe();

  RunScenarios(server, {
      {.name = "no token at all", .method = "POST", .path = "/v1/auth/refresh",
       .expected_status = 401, .expected_fragments = {{"/error", "Unauthorized"}}},
      {.name = "unknown token", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", std::string(43, 'A')}},
       .expected_status = 401},
      {.name = "an access token is not a refresh token", .method = "POST",
       .path = "/v1/auth/refresh", .headers = {{"x-refresh-token", s2.access}},
       .expected_status = 401},
      {.name = "unknown body field", .method = "POST", .path = "/v1/auth/refresh",
       .body = Body({{"refreshToken", "x"}, {"sessionId", "y"}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"sessionId"}}}},
  });
}

TEST_P(Identity, ConcurrentRefreshHasExactlyOneWinner) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice));
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Account session;
    ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &session));
    auto responses = Burst(server.port(), 10, 10, [&](int, HttpClient& c) {
      return c.Post("/v1/auth/refresh", "", {{"x-refresh-token", session.refresh}});
    });
    EXPECT_EQ(CountStatus(responses, 201), 1) << StatusHistogram(responses);
    EXPECT_EQ(CountStatus(responses, 401), 9) << StatusHistogram(responses);
  }
}

TEST_P(Identity, ConcurrentRefreshWithinGraceKeepsTheWinnersSession) {
  ServerProcess& server = NewServer(FastHashFlags({"--refresh-reuse-grace", "30s"}));
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice));
  std::string refresh = alice.refresh;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto responses = Burst(server.port(), 10, 10, [&](int, HttpClient& c) {
      return c.Post("/v1/auth/refresh", "", {{"x-refresh-token", refresh}});
    });
    ASSERT_EQ(CountStatus(responses, 201), 1) << StatusHistogram(responses);
    EXPECT_EQ(CountStatus(responses, 401), 9) << StatusHistogram(responses);
    for (const auto& r : responses) {
      if (r.status != 201) continue;
      refresh = json::value_to<std::string>(At(r, "/data/refreshToken"));
      const std::string access = json::value_to<std::string>(At(r, "/data/accessToken"));
      EXPECT_EQ(client.Get("/v1/user/@me", Bearer(access)).status, 200)
          << "the winner's session died although the losers were inside the grace window";
    }
  }
}

TEST_P(Identity, LogoutEndsOnlyThisSession) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account s1, s2;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &s1));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &s2));
  RunScenarios(server, {
      {.name = "anonymous logout", .method = "POST", .path = "/v1/auth/logout",
       .expected_status = 401},
      {.name = "logout", .method = "POST", .path = "/v1/auth/logout", .headers = s1.Auth(),
       .expected_fragments = {{"/data/success", true}}},
      {.name = "the very next request with that token", .path = "/v1/user/@me",
       .headers = s1.Auth(), .expected_status = 401,
       .expected_fragments = {{"/error", "Unauthorized"}}},
      {.name = "logout twice", .method = "POST", .path = "/v1/auth/logout",
       .headers = s1.Auth(), .expected_status = 401},
      {.name = "its refresh token", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", s1.refresh}}, .expected_status = 401},
      {.name = "the other session still works", .path = "/v1/user/@me", .headers = s2.Auth()},
      {.name = "and no longer lists the ended one", .path = "/v1/sessions",
       .headers = s2.Auth(),
       .expected_fragments = {{"/data/sessions/0/id", s2.session_id}},
       .check = [](const Response& r) {
         EXPECT_EQ(ArrayAt(r, "/data/sessions").size(), 1u) << r.body;
       }},
  });
}

// ---- password change ---------------------------------------------------------------------

TEST_P(Identity, PasswordChange) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account a, b, c;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &a));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &b));
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &c));
  const std::string url = "/v1/user/@me/password";
  const std::string p2 = "second password 2", p3 = "third password 3";
  RunScenarios(server, {
      {.name = "anonymous", .method = "PATCH", .path = url,
       .body = Body({{"currentPassword", kPassword}, {"newPassword", p2}}),
       .expected_status = 401},
      {.name = "wrong current password", .method = "PATCH", .path = url, .headers = a.Auth(),
       .body = Body({{"currentPassword", "not my password"}, {"newPassword", p2}}),
       .expected_status = 400,
       .expected_fragments = {{"/error", "InvalidCredentials"},
                              {"/errors/0/path", json::array{"currentPassword"}}}},
      {.name = "the password did not change", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", kPassword)},
      {.name = "new password too short", .method = "PATCH", .path = url, .headers = a.Auth(),
       .body = Body({{"currentPassword", kPassword}, {"newPassword", "short"}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"newPassword"}}}},
      {.name = "unknown field", .method = "PATCH", .path = url, .headers = a.Auth(),
       .body = Body({{"currentPassword", kPassword}, {"newPassword", p2}, {"userId", "x"}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path", json::array{"userId"}}}},
      {.name = "change, keeping other sessions", .method = "PATCH", .path = url,
       .headers = a.Auth(), .body = Body({{"currentPassword", kPassword}, {"newPassword", p2}}),
       .expected_fragments = {{"/data/success", true}}},
      {.name = "other session kept", .path = "/v1/user/@me", .headers = b.Auth()},
      {.name = "change, revoking other sessions", .method = "PATCH", .path = url,
       .headers = a.Auth(),
       .body = Body({{"currentPassword", p2}, {"newPassword", p3},
                     {"revokeOtherSessions", true}}),
       .expected_fragments = {{"/data/success", true}}},
      {.name = "this session survives", .path = "/v1/user/@me", .headers = a.Auth()},
      {.name = "other session b is dead at once", .path = "/v1/user/@me", .headers = b.Auth(),
       .expected_status = 401},
      {.name = "other session c is dead at once", .path = "/v1/user/@me", .headers = c.Auth(),
       .expected_status = 401},
      {.name = "b's refresh token is dead", .method = "POST", .path = "/v1/auth/refresh",
       .headers = {{"x-refresh-token", b.refresh}}, .expected_status = 401},
      {.name = "only this session is listed", .path = "/v1/sessions", .headers = a.Auth(),
       .check = [&](const Response& r) {
         for (const auto& s : ArrayAt(r, "/data/sessions")) {
           const std::string id = json::value_to<std::string>(s.at("id"));
           EXPECT_NE(id, b.session_id);
           EXPECT_NE(id, c.session_id);
         }
       }},
      {.name = "new password logs in", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", p3)},
      {.name = "old password does not", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", kPassword), .expected_status = 401},
      {.name = "nor the one before", .method = "POST", .path = "/v1/auth/login",
       .body = LoginBody("alice@example.com", p2), .expected_status = 401},
  });
}

// ---- access tokens -----------------------------------------------------------------------

TEST_P(Identity, RejectsForgedAccessTokens) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice, bob;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice));
  ASSERT_TRUE(Register(client, "bob@example.com", kPassword, &bob));

  Response jwks = client.Get("/.well-known/jwks.json");
  ASSERT_EQ(jwks.status, 200) << jwks.Describe();
  json::value set = jwks.Json();
  ASSERT_TRUE(set.is_object() && set.at("keys").is_array() && !set.at("keys").as_array().empty())
      << jwks.body;
  const json::value& jwk = set.at("keys").as_array().front();
  EXPECT_EQ(jwk.at("kty"), "OKP");
  EXPECT_EQ(jwk.at("crv"), "Ed25519");
  EXPECT_FALSE(jwk.as_object().contains("d")) << "the JWKS publishes a private key!";
  const std::string kid = json::value_to<std::string>(jwk.at("kid"));
  const std::string x_text = json::value_to<std::string>(jwk.at("x"));
  const std::string x_raw = Base64UrlDecode(x_text);
  ASSERT_EQ(x_raw.size(), 32u);

  const auto parts = SplitJwt(alice.access);
  ASSERT_EQ(parts.size(), 3u);
  json::value header = DecodeJwtPart(parts[0]);
  json::value payload = DecodeJwtPart(parts[1]);
  ASSERT_TRUE(header.is_object() && payload.is_object()) << alice.access;
  EXPECT_EQ(header.at("alg"), "EdDSA");
  EXPECT_EQ(header.at("kid"), json::value(kid));
  EXPECT_EQ(payload.at("sub"), json::value(alice.id));
  EXPECT_EQ(payload.at("sid"), json::value(alice.session_id));
  for (const char* claim : {"iss", "aud", "exp", "iat"}) {
    EXPECT_TRUE(payload.as_object().contains(claim)) << "no " << claim << " in " << payload;
  }

  auto enc = [](const json::value& v) { return Base64UrlEncode(json::serialize(v)); };
  auto with = [](json::value v, const char* key, json::value value) {
    v.as_object()[key] = std::move(value);
    return v;
  };
  auto hs256 = [&](std::string_view key) {
    const std::string signing_input =
        enc(json::object{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}}) + "." + parts[1];
    return signing_input + "." + Base64UrlEncode(HmacSha256(key, signing_input));
  };
  Ed25519Key attacker;
  auto signed_by_attacker = [&](const json::value& h, const std::string& p) {
    const std::string signing_input = enc(h) + "." + p;
    return signing_input + "." + Base64UrlEncode(attacker.Sign(signing_input));
  };
  const json::object attacker_jwk{{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "attacker"},
                                  {"x", Base64UrlEncode(attacker.PublicRaw())}};
  const std::string none_header = enc(json::object{{"alg", "none"}, {"typ", "JWT"}});

  const std::vector<std::pair<std::string, std::string>> forged = {
      {"alg none, empty signature", none_header + "." + parts[1] + "."},
      {"alg none, signature kept", none_header + "." + parts[1] + "." + parts[2]},
      {"alg None", enc(json::object{{"alg", "None"}}) + "." + parts[1] + "."},
      {"alg NONE with our kid",
       enc(json::object{{"alg", "NONE"}, {"kid", kid}}) + "." + parts[1] + "."},
      {"HS256 keyed with the raw public key", hs256(x_raw)},
      {"HS256 keyed with the public key's base64url text", hs256(x_text)},
      {"HS256 keyed with the public key PEM", hs256(Ed25519PublicPem(x_raw))},
      {"HS256 keyed with the JWK JSON", hs256(json::serialize(jwk))},
      {"unknown kid, signature kept",
       enc(with(header, "kid", "attacker")) + "." + parts[1] + "." + parts[2]},
      {"no kid, signature kept",
       enc(json::object{{"alg", "EdDSA"}, {"typ", "JWT"}}) + "." + parts[1] + "." + parts[2]},
      {"EdDSA by another key, under our kid", signed_by_attacker(header, parts[1])},
      {"EdDSA by another key, embedded as jwk",
       signed_by_attacker(with(with(header, "kid", "attacker"), "jwk", attacker_jwk), parts[1])},
      {"EdDSA by another key, jku pointing at it",
       signed_by_attacker(with(with(header, "kid", "attacker"), "jku",
                               "https://attacker.example/jwks.json"),
                          parts[1])},
      {"exp pushed a day ahead",
       parts[0] + "." +
           enc(with(payload, "exp", payload.at("exp").to_number<std::int64_t>() + 86400)) + "." +
           parts[2]},
      {"exp in the past (edited)",
       parts[0] + "." + enc(with(payload, "exp", 1000)) + "." + parts[2]},
      {"aud changed", parts[0] + "." + enc(with(payload, "aud", "other-api")) + "." + parts[2]},
      {"iss changed", parts[0] + "." + enc(with(payload, "iss", "evil")) + "." + parts[2]},
      {"sub swapped to bob",
       parts[0] + "." + enc(with(payload, "sub", json::value(bob.id))) + "." + parts[2]},
      {"sid swapped to bob's session",
       parts[0] + "." + enc(with(payload, "sid", json::value(bob.session_id))) + "." + parts[2]},
      {"alice's header and payload with bob's signature",
       parts[0] + "." + parts[1] + "." + SplitJwt(bob.access)[2]},
      {"signature stripped", parts[0] + "." + parts[1] + "."},
      {"two parts only", parts[0] + "." + parts[1]},
      {"four parts", alice.access + ".x"},
      {"signature with a flipped bit",
       parts[0] + "." + parts[1] + "." +
           Base64UrlEncode([&] {
             std::string sig = Base64UrlDecode(parts[2]);
             sig[10] = static_cast<char>(sig[10] ^ 1);
             return sig;
           }())},
      {"garbage", "abc"},
      {"empty", ""},
  };
  for (const auto& [name, token] : forged) {
    SCOPED_TRACE(name);
    Response r = client.Get("/v1/user/@me", Bearer(token));
    EXPECT_EQ(r.status, 401) << "forged token accepted: " << r.Describe();
    EXPECT_TRUE(IsEnvelope(r));
    EXPECT_TRUE(HasJson(r, "/error", "Unauthorized"));
  }
  for (const std::string& header_value :
       {std::string("Basic xyz"), std::string("Basic ") + Base64UrlEncode("alice:" + std::string(kPassword)),
        std::string("Bearer"), std::string("Token ") + alice.access, alice.access}) {
    SCOPED_TRACE("Authorization: " + header_value.substr(0, 20));
    Response r = client.Get("/v1/user/@me", {{"Authorization", header_value}});
    EXPECT_EQ(r.status, 401) << r.Describe();
  }
  // Control: the untouched token works.
  EXPECT_EQ(client.Get("/v1/user/@me", alice.Auth()).status, 200);
}

// Tokens signed with the right key but minted for another audience or issuer (a second
// deployment sharing the key) are refused.
TEST_P(Identity, RejectsValidlySignedTokensOfAnotherAudienceOrIssuer) {
  ServerProcess& main = NewServer(FastHashFlags());
  ASSERT_TRUE(main.Start());
  HttpClient client(main.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice));

  ServerProcess& other_aud =
      NewServerIn(main.data_dir(), FastHashFlags({"--jwt-audience", "other-api"}));
  ASSERT_TRUE(other_aud.Start());
  ServerProcess& other_iss =
      NewServerIn(main.data_dir(), FastHashFlags({"--jwt-issuer", "someone-else"}));
  ASSERT_TRUE(other_iss.Start());
  for (ServerProcess* other : {&other_aud, &other_iss}) {
    SCOPED_TRACE(other->command_line().back());
    HttpClient there(other->port());
    Account foreign;
    ASSERT_TRUE(Login(there, "alice@example.com", kPassword, &foreign));
    EXPECT_EQ(SplitJwt(foreign.access)[0], SplitJwt(alice.access)[0]) << "same key, same kid";
    EXPECT_EQ(there.Get("/v1/user/@me", foreign.Auth()).status, 200) << "control";
    Response r = client.Get("/v1/user/@me", foreign.Auth());
    EXPECT_EQ(r.status, 401) << "token for " << DecodeJwtPart(SplitJwt(foreign.access)[1])
                             << " accepted: " << r.Describe();
    EXPECT_EQ(there.Get("/v1/user/@me", alice.Auth()).status, 401);
  }
}

// ---- brute force -------------------------------------------------------------------------

TEST_P(Identity, ThrottlesParallelWrongPasswords) {
  ServerProcess& server = NewServer(FastHashFlags(
      {"--login-failures-per-hour", "100", "--trusted-proxies", "127.0.0.1"}));
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice));

  // Every request from its own address, so only the per-account counter can stop them.
  auto flood = [&](const std::string& email, int ip_base) {
    return Burst(server.port(), 16, 200, [&](int i, HttpClient& c) {
      return c.Post("/v1/auth/login", LoginBody(email, "wrong password " + std::to_string(i)),
                    FromIp(ip_base + i));
    });
  };
  auto check_flood = [](const std::vector<Response>& responses) {
    const int evaluated = CountStatus(responses, 401), limited = CountStatus(responses, 429);
    EXPECT_LE(evaluated, 100) << StatusHistogram(responses);
    EXPECT_GE(evaluated, 1) << StatusHistogram(responses);
    EXPECT_EQ(evaluated + limited, 200) << StatusHistogram(responses);
    for (const auto& r : responses) {
      if (r.status == 401) {
        EXPECT_TRUE(HasJson(r, "/error", "InvalidCredentials"));
      }
      if (r.status != 429) continue;
      EXPECT_TRUE(HasJson(r, "/error", "TooManyAttempts"));
      auto retry = r.Header("Retry-After");
      EXPECT_TRUE(retry && !retry->empty() && std::stoi(*retry) >= 1) << r.Describe();
    }
  };
  auto real = flood("alice@example.com", 0);
  check_flood(real);
  auto ghost = flood("ghost@example.com", 1000);
  check_flood(ghost);
  RecordProperty("alice_flood", StatusHistogram(real));
  RecordProperty("ghost_flood", StatusHistogram(ghost));

  // Locked: even the right password is not evaluated, from a fresh address.
  Response locked = client.Post("/v1/auth/login", LoginBody("Alice@Example.com", kPassword),
                                FromIp(5000));
  EXPECT_EQ(locked.status, 429) << locked.Describe();
  Response locked_ghost =
      client.Post("/v1/auth/login", LoginBody("ghost@example.com", kPassword), FromIp(5001));
  EXPECT_EQ(locked_ghost.status, 429) << locked_ghost.Describe();
  EXPECT_EQ(locked.body, locked_ghost.body) << "a lock-out reveals whether the account exists";
  EXPECT_EQ(locked.Header("Retry-After").has_value(),
            locked_ghost.Header("Retry-After").has_value());
  // Someone else is not affected.
  Account bob;
  EXPECT_TRUE(Register(client, "bob@example.com", kPassword, &bob, {}, FromIp(5002)));
  EXPECT_TRUE(Login(client, "bob@example.com", kPassword, &bob, FromIp(5003)));
}

TEST_P(Identity, ThrottleCountsEverySpellingOfAnAccountTogether) {
  ServerProcess& server = NewServer(FastHashFlags({"--trusted-proxies", "127.0.0.1"}));
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice, {}, FromIp(1)));
  const std::vector<std::string> spellings = {"Alice@Example.com", " alice@example.com ",
                                              "ALICE@EXAMPLE.COM", "alice@example.com\t",
                                              "aLiCe@example.com"};
  int ip = 100;
  for (const auto& spelling : spellings) {
    SCOPED_TRACE("'" + spelling + "'");
    Response r = client.Post("/v1/auth/login", LoginBody(spelling, "bad guess"), FromIp(ip++));
    EXPECT_EQ(r.status, 401) << r.Describe();
  }
  // Five failures across five spellings: the account is now in its back-off delay, whichever
  // way it is written, right password or not.
  Response locked =
      client.Post("/v1/auth/login", LoginBody(" Alice@example.COM", kPassword), FromIp(ip++));
  EXPECT_EQ(locked.status, 429) << "spellings do not share one counter: " << locked.Describe();
  EXPECT_TRUE(HasJson(locked, "/error", "TooManyAttempts"));
  EXPECT_TRUE(HasHeader(locked, "Retry-After"));

  // An unknown account is throttled identically.
  for (const auto& spelling : {"Ghost@Example.com", " ghost@example.com ", "GHOST@EXAMPLE.COM",
                               "ghost@example.com\t", "gHoSt@example.com"}) {
    Response r = client.Post("/v1/auth/login", LoginBody(spelling, "bad guess"), FromIp(ip++));
    EXPECT_EQ(r.status, 401) << r.Describe();
  }
  Response locked_ghost =
      client.Post("/v1/auth/login", LoginBody("ghost@example.com", "bad guess"), FromIp(ip++));
  EXPECT_EQ(locked_ghost.status, 429) << locked_ghost.Describe();
  EXPECT_EQ(locked.body, locked_ghost.body);
}

// ---- the first administrator -------------------------------------------------------------

TEST_P(Identity, AdminCreateCommandMakesASuperAdmin) {
  ServerProcess& server = NewServer(FastHashFlags());
  CommandResult created = AdminCreate(server, " Root@Example.com ", kPassword);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  std::string id = created.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  EXPECT_TRUE(IsUuidV7(id)) << "stdout should be exactly the new id: '" << created.out << "'";

  // Refusals: too short, taken, password not on stdin.
  CommandResult short_password = AdminCreate(server, "short@example.com", "1234567");
  EXPECT_NE(short_password.exit_code, 0) << short_password.Describe();
  EXPECT_NE(short_password.exit_code, -1) << short_password.Describe();
  EXPECT_NE((short_password.err + short_password.out).find("password"), std::string::npos)
      << short_password.Describe();
  CommandResult taken = AdminCreate(server, "root@example.com", kPassword);
  EXPECT_NE(taken.exit_code, 0) << taken.Describe();
  CommandResult no_stdin = AdminCreate(server, "nostdin@example.com", kPassword, std::nullopt,
                                       /*password_stdin=*/false);
  EXPECT_NE(no_stdin.exit_code, 0) << no_stdin.Describe();

  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account root;
  ASSERT_TRUE(Login(client, "root@example.com", kPassword, &root));
  EXPECT_EQ(root.id, id);
  Response permissions = client.Get("/v1/user/users/" + id + "/permissions", root.Auth());
  ASSERT_EQ(permissions.status, 200) << permissions.Describe();
  EXPECT_TRUE(HasJson(permissions, "/data/is_super_admin", true));
  auto role_ids = At(permissions, "/data/role_ids");
  ASSERT_TRUE(role_ids.is_array()) << permissions.body;
  EXPECT_NE(std::find(role_ids.as_array().begin(), role_ids.as_array().end(),
                      json::value("role_super_admin")),
            role_ids.as_array().end())
      << permissions.body;
  // The refused ones do not exist.
  for (const char* email : {"short@example.com", "nostdin@example.com"}) {
    Response r = client.Get(std::string("/v1/user/users/") + email, root.Auth());
    EXPECT_EQ(r.status, 404) << email << ": " << r.Describe();
  }

  // A second one, created while the server runs, is a super admin at once.
  CommandResult second = AdminCreate(server, "root2@example.com", kPassword);
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  Account root2;
  ASSERT_TRUE(Login(client, "root2@example.com", kPassword, &root2));
  Response list = client.Get("/v1/user/users", root2.Auth());
  EXPECT_EQ(list.status, 200) << list.Describe();
}

// ---- secrets at rest and in logs ---------------------------------------------------------

TEST_P(Identity, PasswordsAndRefreshTokensNeverReachTheStoreOrLogs) {
  ServerProcess& server = NewServer(FastHashFlags({"--log-level", "debug"}));
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  const std::string password = "Zebra-Quartz-91-leakcheck";
  const std::string wrong = "Mango-Violet-27-leakcheck";
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", password, &alice));
  Account session;
  ASSERT_TRUE(Login(client, "alice@example.com", password, &session));
  EXPECT_EQ(client.Post("/v1/auth/login", LoginBody("alice@example.com", wrong)).status, 401);
  Response refreshed = client.Post("/v1/auth/refresh", "", {{"x-refresh-token", session.refresh}});
  ASSERT_EQ(refreshed.status, 201) << refreshed.Describe();
  const std::string current = json::value_to<std::string>(At(refreshed, "/data/refreshToken"));
  // A reuse, which the server logs.
  EXPECT_EQ(client.Post("/v1/auth/refresh", "", {{"x-refresh-token", session.refresh}}).status,
            401);
  ASSERT_EQ(server.Stop(), 0);  // flushes the logs and checkpoints the SQLite WAL

  const std::vector<std::pair<std::string, std::string>> secrets = {
      {"password", password},
      {"wrong password", wrong},
      {"registration refresh token", alice.refresh},
      {"rotated refresh token", session.refresh},
      {"current refresh token", current},
      {"access token", session.access},
  };
  for (const auto& [what, secret] : secrets) {
    auto hits = FilesContaining(server.data_dir(), secret);
    EXPECT_TRUE(hits.empty()) << what << " found in " << hits.front();
  }
  ASSERT_FALSE(server.StderrLog().empty());

  // Refresh tokens are stored as their SHA-256.
  if (backend().kind() == BackendKind::kSqlite) {
    EXPECT_FALSE(FilesContaining(server.data_dir(), Sha256Hex(current)).empty())
        << "the current refresh token's SHA-256 is not in the database";
  } else {
    std::string error;
    auto count = [&](const std::string& sql) {
      auto v = PgScalar(backend().database_url(), sql, &error);
      EXPECT_TRUE(v.has_value()) << error;
      return v.value_or("?");
    };
    EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE refresh_hash = '" + Sha256Hex(current) +
                    "'"),
              "1");
    EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE refresh_hash = '" + current + "'"), "0");
    EXPECT_EQ(count("SELECT count(*) FROM users WHERE password_hash LIKE '%leakcheck%'"), "0");
    EXPECT_EQ(count("SELECT count(*) FROM rotated_refresh_tokens WHERE token_hash = '" +
                    Sha256Hex(session.refresh) + "'"),
              "1");
  }
}

TEST_P(Identity, HashesPasswordsWithOwaspParametersByDefault) {
  ServerProcess& server = NewServer();  // default argon2id parameters
  ASSERT_TRUE(server.Start());
  HttpClient client(server.port());
  Account alice;
  ASSERT_TRUE(Register(client, "alice@example.com", kPassword, &alice));
  Account again;
  ASSERT_TRUE(Login(client, "alice@example.com", kPassword, &again));
  const std::string prefix = "$argon2id$v=19$m=19456,t=2,p=1$";
  if (backend().kind() == BackendKind::kSqlite) {
    ASSERT_EQ(server.Stop(), 0);
    EXPECT_FALSE(FilesContaining(server.data_dir(), prefix).empty())
        << "no argon2id hash with OWASP parameters in the SQLite files";
  } else {
    std::string error;
    auto hash = PgScalar(backend().database_url(),
                         "SELECT password_hash FROM users WHERE email = 'alice@example.com'",
                         &error);
    ASSERT_TRUE(hash.has_value()) << error;
    EXPECT_TRUE(hash->starts_with(prefix)) << *hash;
  }
}

GATEHOUSE_INSTANTIATE_BACKENDS(Identity);

}  // namespace
}  // namespace gatehouse::testing
