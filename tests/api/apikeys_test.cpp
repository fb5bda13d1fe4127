// API keys seen from outside (seed 003's Authentication, Root Key, Database API Keys, API Key
// Management and Security; DESIGN.md §3, §6): every key route tried by anonymous, a user,
// another user, an admin, a super admin and a scoped API key; the key format and one-time
// display; scopes beyond the owner's refused; effective permissions = scopes ∩ the owner's,
// following the owner's changes at once; deactivation, rotation with a grace period, expiry;
// identical 401s; the root key (works everywhere, audited, never stored); per-key rate limits;
// usage counted in batches; the `gatehouse keys` CLI; and keys never written anywhere — the
// database, the audit log, the server's logs. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/audit_log.hpp"
#include "support/authz_helpers.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;
using authz::StringSet;
using namespace std::chrono_literals;

// 48 characters; never used anywhere but as the configured root key.
const std::string kRootKey = "root-8f3c2a91d7e64b05a1c9e2f7b3d80c46-do-not-use";

const std::regex kKeyShape("^gh_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$");
const std::set<std::string> kKeyFields = {"id",          "userId",     "name",      "description",
                                          "scopes",      "prefix",     "isActive",  "expiresAt",
                                          "lastUsedAt",  "usageCount", "createdAt", "updatedAt",
                                          "rotatedFrom", "graceUntil", "rateLimit"};

std::vector<std::string> ServerFlags(std::vector<std::string> more = {}) {
  std::vector<std::string> flags = {"--root-api-key", kRootKey};
  flags.insert(flags.end(), more.begin(), more.end());
  return FastHashFlags(std::move(flags));
}

Headers KeyAuth(const std::string& key) { return {{"X-API-Key", key}}; }

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

std::string CreateBody(const std::string& user_id, const std::string& name,
                       const std::vector<std::string>& scopes, json::object extra = {}) {
  json::object body{{"name", name}, {"scopes", Strings(scopes)}};
  if (!user_id.empty()) body.emplace("userId", user_id);
  for (auto& kv : extra) body.emplace(kv.key(), kv.value());
  return JsonText(body);
}

// A key as created or rotated.
struct Key {
  std::string id;
  std::string key;
  std::string prefix;
  json::value data;
};

std::optional<Key> KeyFrom(const Response& r) {
  json::value data = At(r, "/data");
  if (!data.is_object() || !data.as_object().contains("key") || !data.at("key").is_string()) {
    return std::nullopt;
  }
  return Key{std::string(data.at("id").as_string()), std::string(data.at("key").as_string()),
             std::string(data.at("prefix").as_string()), data};
}

// POST /v1/admin/keys (for `user_id`) or, with user_id "", POST /v1/user/@me/keys, as `actor`;
// expects 201.
::testing::AssertionResult MakeKey(HttpClient& client, const Headers& actor,
                                   const std::string& user_id,
                                   const std::vector<std::string>& scopes, Key* out,
                                   json::object extra = {}, const std::string& name = "test key") {
  const std::string path = user_id.empty() ? "/v1/user/@me/keys" : "/v1/admin/keys";
  Response r = client.Request("POST", path, actor, CreateBody(user_id, name, scopes, extra));
  if (r.status != 201) {
    return ::testing::AssertionFailure() << "creating a key: " << r.Describe();
  }
  auto key = KeyFrom(r);
  if (!key) return ::testing::AssertionFailure() << "no key in " << r.body;
  *out = std::move(*key);
  return ::testing::AssertionSuccess();
}

// A key's current state as the super admin reads it.
json::value ReadKey(HttpClient& client, const Account& reader, const std::string& id) {
  Response r = client.Get("/v1/admin/keys/" + id, reader.Auth());
  if (r.status != 200) {
    ADD_FAILURE() << "reading key " << id << ": " << r.Describe();
    return nullptr;
  }
  return At(r, "/data");
}

void ExpectKeyShape(const json::value& key) {
  EXPECT_TRUE(KeysAre(key, kKeyFields));
  if (!key.is_object()) return;
  EXPECT_TRUE(IsUuidV7(key.at("id").as_string())) << json::serialize(key);
  EXPECT_TRUE(std::regex_match(std::string(key.at("prefix").as_string()),
                               std::regex("^gh_[0-9A-Za-z]{12}$")))
      << json::serialize(key);
  EXPECT_TRUE(key.at("isActive").is_bool());
  EXPECT_TRUE(key.at("usageCount").is_int64() || key.at("usageCount").is_uint64());
  EXPECT_TRUE(IsIsoTimestamp(key.at("createdAt")));
  EXPECT_TRUE(key.at("scopes").is_array());
  for (const char* nullable : {"expiresAt", "lastUsedAt", "graceUntil"}) {
    EXPECT_TRUE(key.at(nullable).is_null() || IsIsoTimestamp(key.at(nullable)))
        << nullable << " in " << json::serialize(key);
  }
}

// "<body>_<checksum>": CRC-32 of the body in six base62 characters, as documented.
std::string WithChecksum(const std::string& body) {
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : body) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
  }
  std::uint64_t value = crc ^ 0xFFFFFFFFu;
  std::string checksum(6, '0');
  for (int i = 5; i >= 0; --i) {
    checksum[i] = alphabet[value % 62];
    value /= 62;
  }
  return body + "_" + checksum;
}

// The exact body every refused key gets.
const std::string kUnauthorizedBody =
    R"({"status":401,"message":"Unauthorized","error":"Unauthorized","successful":false})";

// --------------------------------------------------------------------------------------------
// Rows for the six callers of STYLE.md: anonymous, user (alice), other user (bob), admin, super
// admin, and alice's API key scoped to the "read" preset. 401, 403 and 404 rows expect their
// error codes; `fragments` apply to the others, `audit_on_success` and `on_success` to 2xx.
struct Caller {
  std::string who;
  Headers headers;
};

std::vector<Caller> SixCallers(const Cast& cast, const std::string& alice_read_key) {
  return {{"anonymous", {}},
          {"user", cast.alice.Auth()},
          {"other user", cast.bob.Auth()},
          {"admin", cast.admin.Auth()},
          {"super admin", cast.super.Auth()},
          {"api key", KeyAuth(alice_read_key)}};
}

using Statuses = std::array<int, 6>;

void AddRows(std::vector<Scenario>& table, const std::vector<Caller>& callers,
             const std::string& name, const std::string& method,
             const std::function<std::string(int)>& path,
             const std::function<std::string(int)>& body, Statuses expected,
             std::vector<std::string> audit_on_success,
             std::function<void(const Response&)> on_success = {},
             std::vector<JsonFragment> fragments = {}) {
  for (int i = 0; i < 6; ++i) {
    Scenario row{.name = name + " by " + callers[i].who,
                 .method = method,
                 .path = path(i),
                 .headers = callers[i].headers,
                 .body = body ? body(i) : std::string()};
    row.expected_status = expected[i];
    if (expected[i] == 401) {
      row.expected_fragments = {{"/error", "Unauthorized"}};
    } else if (expected[i] == 403) {
      row.expected_fragments = {{"/error", "InsufficientPermission"}};
    } else if (expected[i] == 404) {
      row.expected_fragments = {{"/error", "ApiKeyNotFound"}};
    } else {
      row.expected_fragments = fragments;
    }
    if (expected[i] >= 200 && expected[i] < 300) {
      row.check = on_success;
      row.expected_audit_events = audit_on_success;
    }
    row.no_audit_events = row.expected_audit_events.empty();
    table.push_back(std::move(row));
  }
}

std::function<std::string(int)> Same(std::string text) {
  return [text](int) { return text; };
}

class ApiKeys : public BackendTest {};

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, EveryRouteBySixCallers) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key read_key;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"read"}, &read_key));
  const auto callers = SixCallers(cast, read_key.key);

  // One target key of alice's per caller, for the routes that change it.
  auto keys_for = [&](const std::string& label) {
    std::vector<std::string> ids;
    for (int i = 0; i < 6; ++i) {
      Key k;
      EXPECT_TRUE(MakeKey(client, cast.super.Auth(), cast.alice.id, {"user.read"}, &k, {},
                          label + " " + std::to_string(i)));
      ids.push_back(k.id);
    }
    return ids;
  };
  const auto patch_targets = keys_for("patch");
  const auto delete_targets = keys_for("delete");
  const auto rotate_targets = keys_for("rotate");
  const auto self_delete_targets = keys_for("self delete");
  Key bob_key;
  ASSERT_TRUE(MakeKey(client, cast.bob.Auth(), "", {"user.read"}, &bob_key));

  std::vector<Scenario> t;
  AddRows(t, callers, "POST /v1/admin/keys", "POST", Same("/v1/admin/keys"),
          Same(CreateBody(cast.alice.id, "made by an admin", {"user.read"})),
          {401, 403, 403, 201, 201, 403}, {"api_key_created"},
          [&](const Response& r) {
            json::object shown = At(r, "/data").as_object();
            EXPECT_EQ(shown.erase("key"), 1u);
            ExpectKeyShape(shown);
            EXPECT_TRUE(std::regex_match(std::string(At(r, "/data/key").as_string()), kKeyShape));
            EXPECT_EQ(At(r, "/data/userId"), json::value(cast.alice.id));
          },
          {{"/data/name", "made by an admin"}, {"/data/scopes", json::array{"user.read"}}});
  AddRows(t, callers, "GET /v1/admin/keys", "GET", Same("/v1/admin/keys"), {},
          {401, 403, 403, 200, 200, 403}, {}, [&](const Response& r) {
            json::array keys = ArrayAt(r, "/data");
            EXPECT_GE(keys.size(), 26u);
            for (const auto& k : keys) {
              ExpectKeyShape(k);
              EXPECT_FALSE(k.as_object().contains("key"));
            }
            EXPECT_TRUE(At(r, "/pagination").is_object()) << r.body;
          });
  AddRows(t, callers, "GET /v1/admin/keys/:keyId", "GET", Same("/v1/admin/keys/" + read_key.id), {},
          {401, 403, 403, 200, 200, 403}, {},
          [&](const Response& r) { ExpectKeyShape(At(r, "/data")); },
          {{"/data/id", read_key.id}, {"/data/scopes", json::array{"read"}}});
  AddRows(t, callers, "GET /v1/admin/keys/:keyId by prefix", "GET",
          Same("/v1/admin/keys/" + read_key.prefix), {}, {401, 403, 403, 200, 200, 403}, {}, {},
          {{"/data/id", read_key.id}});
  AddRows(t, callers, "GET an unknown key", "GET",
          Same("/v1/admin/keys/0192f000-0000-7000-8000-000000000000"), {},
          {401, 403, 403, 404, 404, 403}, {});
  AddRows(
      t, callers, "PATCH /v1/admin/keys/:keyId", "PATCH",
      [&](int i) { return "/v1/admin/keys/" + patch_targets[i]; },
      [&](int i) { return R"({"name":"renamed )" + std::to_string(i) + R"("})"; },
      {401, 403, 403, 200, 200, 403}, {"api_key_updated"},
      [&](const Response& r) { ExpectKeyShape(At(r, "/data")); });
  AddRows(t, callers, "DELETE /v1/admin/keys/:keyId", "DELETE",
          [&](int i) { return "/v1/admin/keys/" + delete_targets[i]; }, {},
          {401, 403, 403, 200, 200, 403}, {"api_key_revoked"}, {}, {{"/data/isActive", false}});
  AddRows(
      t, callers, "POST /v1/admin/keys/:keyId/rotate", "POST",
      [&](int i) { return "/v1/admin/keys/" + rotate_targets[i] + "/rotate?gracePeriod=60"; }, {},
      {401, 403, 403, 201, 201, 403}, {"api_key_rotated"},
      [&](const Response& r) {
        EXPECT_TRUE(std::regex_match(std::string(At(r, "/data/key").as_string()), kKeyShape));
        EXPECT_TRUE(At(r, "/data/rotatedFrom").is_string()) << r.body;
      });
  AddRows(t, callers, "GET /v1/user/@me/keys", "GET", Same("/v1/user/@me/keys"), {},
          {401, 200, 200, 200, 200, 200}, {}, [&](const Response& r) {
            for (const auto& k : ArrayAt(r, "/data")) {
              ExpectKeyShape(k);
              EXPECT_FALSE(k.as_object().contains("key"));
            }
          });
  AddRows(t, callers, "POST /v1/user/@me/keys", "POST", Same("/v1/user/@me/keys"),
          Same(CreateBody("", "mine", {"user.read"})), {401, 201, 201, 201, 201, 403},
          {"api_key_created"}, {}, {{"/data/name", "mine"}});
  // Someone else's key is not found through the self-service route, whoever asks.
  AddRows(t, callers, "DELETE /v1/user/@me/keys/:keyId of alice's", "DELETE",
          [&](int i) { return "/v1/user/@me/keys/" + self_delete_targets[i]; }, {},
          {401, 200, 404, 404, 404, 403}, {"api_key_revoked"}, {}, {{"/data/isActive", false}});
  RunScenarios(server, t);

  // Each caller lists exactly their own keys.
  Response mine = client.Get("/v1/user/@me/keys?rpp=100", cast.bob.Auth());
  ASSERT_EQ(mine.status, 200) << mine.Describe();
  for (const auto& k : ArrayAt(mine, "/data")) {
    EXPECT_EQ(k.at("userId"), json::value(cast.bob.id)) << json::serialize(k);
  }
  Response alice_only =
      client.Get("/v1/admin/keys?rpp=100&userId=" + cast.alice.id, cast.admin.Auth());
  ASSERT_EQ(alice_only.status, 200) << alice_only.Describe();
  EXPECT_GE(ArrayAt(alice_only, "/data").size(), 25u);
  for (const auto& k : ArrayAt(alice_only, "/data")) {
    EXPECT_EQ(k.at("userId"), json::value(cast.alice.id));
  }
  EXPECT_EQ(
      StringSet(At(client.Get("/v1/admin/keys/" + bob_key.id, cast.admin.Auth()), "/data/scopes")),
      (std::set<std::string>{"user.read"}));
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, KeyIsShownOnceAndAuthenticatesAsItsOwner) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key key;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), cast.alice.id, {"user.read", "apikey.read"}, &key,
                      {{"description", "for the bot"}, {"expiresIn", 2592000}}));
  json::object shown = key.data.as_object();
  EXPECT_EQ(shown.erase("key"), 1u);
  ExpectKeyShape(shown);
  EXPECT_TRUE(std::regex_match(key.key, kKeyShape)) << key.key;
  EXPECT_EQ(key.key.substr(0, 15), key.prefix);
  EXPECT_EQ(key.data.at("description"), json::value("for the bot"));
  EXPECT_EQ(key.data.at("isActive"), json::value(true));
  EXPECT_EQ(key.data.at("usageCount"), json::value(0));
  EXPECT_TRUE(key.data.at("lastUsedAt").is_null());
  EXPECT_TRUE(key.data.at("rotatedFrom").is_null());
  EXPECT_TRUE(key.data.at("rateLimit").is_null());
  EXPECT_TRUE(IsIsoTimestamp(key.data.at("expiresAt")));

  // Never again: not in the key, not in any list.
  for (const std::string path :
       {"/v1/admin/keys/" + key.id, std::string("/v1/admin/keys?rpp=100")}) {
    Response r = client.Get(path, cast.super.Auth());
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.body.find(key.key), std::string::npos) << path;
    EXPECT_EQ(r.body.find(key.key.substr(16, 43)), std::string::npos) << "the secret in " << path;
  }
  Response own = client.Get("/v1/user/@me/keys", cast.alice.Auth());
  EXPECT_EQ(own.body.find(key.key.substr(16, 43)), std::string::npos);

  // The key acts as alice.
  Response me = client.Get("/v1/user/@me", KeyAuth(key.key));
  ASSERT_EQ(me.status, 200) << me.Describe();
  EXPECT_EQ(At(me, "/data/id"), json::value(cast.alice.id));
  Response listed = client.Get("/v1/user/@me/keys", KeyAuth(key.key));
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_EQ(ArrayAt(listed, "/data").size(), 1u);
  // Bearer and key together are refused: one credential per request.
  Headers both = cast.alice.Auth();
  both.Add("X-API-Key", key.key);
  EXPECT_EQ(client.Get("/v1/user/@me", both).status, 401);
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, RejectsMalformedRequests) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key key;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &key));

  auto bad = [&](std::string name, std::string method, std::string path, std::string body,
                 std::string field) {
    return Scenario{
        .name = std::move(name),
        .method = std::move(method),
        .path = std::move(path),
        .headers = cast.super.Auth(),
        .body = std::move(body),
        .expected_status = 400,
        .expected_fragments = {{"/error", "ValidationError"}, {"/errors/0/path/0", field}},
        .no_audit_events = true};
  };
  const std::string admin = "/v1/admin/keys";
  std::vector<Scenario> t = {
      bad("no name", "POST", admin, R"({"userId":")" + cast.alice.id + R"(","scopes":["read"]})",
          "name"),
      bad("no scopes", "POST", admin, R"({"userId":")" + cast.alice.id + R"(","name":"x"})",
          "scopes"),
      bad("empty scopes", "POST", admin, CreateBody(cast.alice.id, "x", {}), "scopes"),
      bad("invalid scope", "POST", admin, CreateBody(cast.alice.id, "x", {"read", "User.Read"}),
          "scopes"),
      bad("no userId", "POST", admin, CreateBody("", "x", {"read"}), "userId"),
      bad("unknown field", "POST", admin,
          CreateBody(cast.alice.id, "x", {"read"}, {{"isActive", false}}), "isActive"),
      bad("expiresIn 0", "POST", admin,
          CreateBody(cast.alice.id, "x", {"read"}, {{"expiresIn", 0}}), "expiresIn"),
      bad("expiresIn text", "POST", admin,
          CreateBody(cast.alice.id, "x", {"read"}, {{"expiresIn", "1d"}}), "expiresIn"),
      bad("rate limit 0", "POST", admin,
          CreateBody(cast.alice.id, "x", {"read"},
                     {{"rateLimit", json::object{{"limit", 0}, {"windowSeconds", 60}}}}),
          "rateLimit"),
      bad("rate limit without window", "POST", admin,
          CreateBody(cast.alice.id, "x", {"read"}, {{"rateLimit", json::object{{"limit", 5}}}}),
          "rateLimit"),
      bad("rate limit extra field", "POST", admin,
          CreateBody(
              cast.alice.id, "x", {"read"},
              {{"rateLimit", json::object{{"limit", 5}, {"windowSeconds", 60}, {"burst", 2}}}}),
          "rateLimit"),
      // CVE-2025-61928: self-service keys are for oneself; naming a user is not even parsed.
      bad("self-service with userId", "POST", "/v1/user/@me/keys",
          CreateBody(cast.bob.id, "x", {"user.read"}), "userId"),
      bad("PATCH unknown field", "PATCH", admin + "/" + key.id, R"({"userId":"x"})", "userId"),
      bad("PATCH empty scopes", "PATCH", admin + "/" + key.id, R"({"scopes":[]})", "scopes"),
      bad("PATCH isActive text", "PATCH", admin + "/" + key.id, R"({"isActive":"no"})", "isActive"),
      bad("gracePeriod negative", "POST", admin + "/" + key.id + "/rotate?gracePeriod=-1", "",
          "gracePeriod"),
      bad("gracePeriod text", "POST", admin + "/" + key.id + "/rotate?gracePeriod=soon", "",
          "gracePeriod"),
      bad("gracePeriod over 30 days", "POST", admin + "/" + key.id + "/rotate?gracePeriod=2592001",
          "", "gracePeriod"),
      bad("active filter", "GET", admin + "?active=maybe", "", "active"),
      bad("rpp filter", "GET", admin + "?rpp=0", "", "rpp"),
  };
  t.push_back({.name = "create for an unknown user",
               .method = "POST",
               .path = admin,
               .headers = cast.super.Auth(),
               .body = CreateBody("0192f000-0000-7000-8000-000000000000", "x", {"read"}),
               .expected_status = 404,
               .expected_fragments = {{"/error", "UserNotFound"}},
               .no_audit_events = true});
  t.push_back({.name = "PATCH an unknown key",
               .method = "PATCH",
               .path = admin + "/0192f000-0000-7000-8000-000000000000",
               .headers = cast.super.Auth(),
               .body = R"({"name":"x"})",
               .expected_status = 404,
               .expected_fragments = {{"/error", "ApiKeyNotFound"}},
               .no_audit_events = true});
  t.push_back({.name = "rotate an unknown key",
               .method = "POST",
               .path = admin + "/0192f000-0000-7000-8000-000000000000/rotate",
               .headers = cast.super.Auth(),
               .expected_status = 404,
               .expected_fragments = {{"/error", "ApiKeyNotFound"}},
               .no_audit_events = true});
  t.push_back({.name = "PATCH that changes nothing writes nothing",
               .method = "PATCH",
               .path = admin + "/" + key.id,
               .headers = cast.super.Auth(),
               .body = R"({"name":"test key"})",
               .expected_status = 200,
               .no_audit_events = true});
  RunScenarios(server, t);
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, ScopesBeyondTheOwnersAreRefused) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());

  auto refused = [&](std::string name, const Headers& who, std::string user_id,
                     std::vector<std::string> scopes) {
    const std::string path = user_id.empty() ? "/v1/user/@me/keys" : "/v1/admin/keys";
    return Scenario{.name = std::move(name),
                    .method = "POST",
                    .path = path,
                    .headers = who,
                    .body = CreateBody(user_id, "too much", scopes),
                    .expected_status = 403,
                    .expected_fragments = {{"/error", "InsufficientPermission"}},
                    .no_audit_events = true};
  };
  std::vector<Scenario> t = {
      refused("a user, a node they lack", cast.alice.Auth(), "", {"user.read", "company.fetch"}),
      refused("a user, a wildcard wider than theirs", cast.alice.Auth(), "", {"user.*"}),
      refused("a user, everything", cast.alice.Auth(), "", {"*"}),
      refused("a user, another user's node", cast.alice.Auth(), "", {"user.read.other"}),
      refused("an admin, for alice, a node alice lacks", cast.admin.Auth(), cast.alice.id,
              {"company.fetch"}),
      refused("an admin, for the super admin, a node the admin lacks", cast.admin.Auth(),
              cast.super.id, {"role.modify"}),
      refused("the super admin, for alice, a node alice lacks", cast.super.Auth(), cast.alice.id,
              {"user.read.other"}),
  };
  RunScenarios(server, t);
  Response listed = client.Get("/v1/admin/keys", cast.super.Auth());
  EXPECT_EQ(At(listed, "/pagination/totalRecords"), json::value(0)) << listed.body;

  // A narrower key cannot mint a wider one, even through presets.
  Key narrow;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"apikey.create", "user.read"}, &narrow));
  Response wider = client.Request("POST", "/v1/user/@me/keys", KeyAuth(narrow.key),
                                  CreateBody("", "wider", {"write"}));
  EXPECT_EQ(wider.status, 403) << wider.Describe();
  Response same = client.Request("POST", "/v1/user/@me/keys", KeyAuth(narrow.key),
                                 CreateBody("", "same", {"user.read"}));
  EXPECT_EQ(same.status, 201) << same.Describe();

  // Presets filter the owner's permissions: alice's "admin" key is still only alice.
  Key preset;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"admin"}, &preset));
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(preset.key)).status, 200);
  EXPECT_EQ(client.Get("/v1/user/users", KeyAuth(preset.key)).status, 403);
  EXPECT_EQ(client.Get("/v1/admin/keys", KeyAuth(preset.key)).status, 403);
  // An admin's "admin" key manages keys, as seed 003's examples do.
  Key admin_key;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), "", {"admin"}, &admin_key));
  EXPECT_EQ(client.Get("/v1/admin/keys", KeyAuth(admin_key.key)).status, 200);
  Key via_key;
  EXPECT_TRUE(MakeKey(client, KeyAuth(admin_key.key), cast.alice.id, {"read"}, &via_key));
  // PATCH adding a scope is held to the same rule; narrowing is always allowed.
  Response widen = client.Request("PATCH", "/v1/admin/keys/" + via_key.id, cast.admin.Auth(),
                                  R"({"scopes":["read","company.fetch"]})");
  EXPECT_EQ(widen.status, 403) << widen.Describe();
  Response narrowed = client.Request("PATCH", "/v1/admin/keys/" + via_key.id, cast.admin.Auth(),
                                     R"({"scopes":["user.read"]})");
  EXPECT_EQ(narrowed.status, 200) << narrowed.Describe();
  EXPECT_EQ(At(narrowed, "/data/scopes"), (json::array{"user.read"}));
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, EffectivePermissionsFollowTheOwnerAtOnce) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());

  // Scopes narrow: a key for user.read only cannot write, list sessions or check more.
  Key narrow;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &narrow));
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(narrow.key)).status, 200);
  EXPECT_EQ(client.Request("PATCH", "/v1/user/@me", KeyAuth(narrow.key), R"({"name":"x"})").status,
            403);
  EXPECT_EQ(client.Get("/v1/sessions", KeyAuth(narrow.key)).status, 403);
  Response checked = client.Request("POST", "/v1/user/@me/check-permission", KeyAuth(narrow.key),
                                    authz::NodesBody({"user.read", "user.write"}));
  ASSERT_EQ(checked.status, 200) << checked.Describe();
  EXPECT_EQ(At(checked, "/data/results/0/hasPermission"), json::value(true));
  EXPECT_EQ(At(checked, "/data/results/1/hasPermission"), json::value(false));

  // The admin's key reads other users; the admin loses user.* and so does the key, at once.
  Key admin_key;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), "", {"user.read", "user.read.other"}, &admin_key));
  const std::string other = "/v1/user/users/" + cast.alice.id;
  EXPECT_EQ(client.Get(other, KeyAuth(admin_key.key)).status, 200);
  ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.admin.id, {"user"}));
  Response after = client.Get(other, KeyAuth(admin_key.key));
  EXPECT_EQ(after.status, 403) << "the key kept a node its owner lost: " << after.Describe();
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(admin_key.key)).status, 200);
  ASSERT_TRUE(authz::SetRoles(client, cast.super, cast.admin.id, {"admin", "user"}));
  EXPECT_EQ(client.Get(other, KeyAuth(admin_key.key)).status, 200);
  // A direct negation on the owner applies to the key too.
  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.admin.id, {"-user.read.other"}));
  EXPECT_EQ(client.Get(other, KeyAuth(admin_key.key)).status, 403);
  ASSERT_TRUE(authz::SetDirectNodes(client, cast.super, cast.admin.id, {}));

  // A banned owner's keys stop working; unbanned, they work again.
  Response banned = PatchUser(client, cast.super, cast.alice.id, R"({"status":"banned"})");
  ASSERT_EQ(banned.status, 200) << banned.Describe();
  Response refused = client.Get("/v1/user/@me", KeyAuth(narrow.key));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.body, kUnauthorizedBody);
  ASSERT_EQ(PatchUser(client, cast.super, cast.alice.id, R"({"status":"active"})").status, 200);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(narrow.key)).status, 200);
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, DeactivatedKeysFailOnTheNextRequest) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key by_admin, by_self, by_patch;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), cast.alice.id, {"user.read"}, &by_admin));
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &by_self));
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &by_patch));
  for (const Key* k : {&by_admin, &by_self, &by_patch}) {
    ASSERT_EQ(client.Get("/v1/user/@me", KeyAuth(k->key)).status, 200);  // now cached
  }

  Response deleted = client.Request("DELETE", "/v1/admin/keys/" + by_admin.id, cast.admin.Auth());
  ASSERT_EQ(deleted.status, 200) << deleted.Describe();
  EXPECT_EQ(At(deleted, "/data/isActive"), json::value(false));
  Response r1 = client.Get("/v1/user/@me", KeyAuth(by_admin.key));
  EXPECT_EQ(r1.status, 401);
  EXPECT_EQ(r1.body, kUnauthorizedBody);

  ASSERT_EQ(client.Request("DELETE", "/v1/user/@me/keys/" + by_self.id, cast.alice.Auth()).status,
            200);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(by_self.key)).body, kUnauthorizedBody);
  // Again: idempotent, nothing more audited.
  const std::int64_t head = AuditHead(server);
  EXPECT_EQ(client.Request("DELETE", "/v1/user/@me/keys/" + by_self.id, cast.alice.Auth()).status,
            200);
  EXPECT_TRUE(AuditTypesAfter(server, head).empty());

  Response off = client.Request("PATCH", "/v1/admin/keys/" + by_patch.id, cast.super.Auth(),
                                R"({"isActive":false})");
  ASSERT_EQ(off.status, 200) << off.Describe();
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(by_patch.key)).status, 401);
  Response on = client.Request("PATCH", "/v1/admin/keys/" + by_patch.id, cast.super.Auth(),
                               R"({"isActive":true})");
  ASSERT_EQ(on.status, 200) << on.Describe();
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(by_patch.key)).status, 200);

  // active=true / active=false split the list.
  Response active = client.Get("/v1/admin/keys?active=true&rpp=100", cast.super.Auth());
  Response inactive = client.Get("/v1/admin/keys?active=false&rpp=100", cast.super.Auth());
  std::set<std::string> active_ids, inactive_ids;
  for (const auto& k : ArrayAt(active, "/data")) active_ids.emplace(k.at("id").as_string());
  for (const auto& k : ArrayAt(inactive, "/data")) inactive_ids.emplace(k.at("id").as_string());
  EXPECT_EQ(active_ids, (std::set<std::string>{by_patch.id}));
  EXPECT_EQ(inactive_ids, (std::set<std::string>{by_admin.id, by_self.id}));
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, RotationKeepsTheOldKeyForTheGracePeriodOnly) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key old;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), cast.alice.id, {"user.read"}, &old,
                      {{"description", "rotating"},
                       {"expiresIn", 3600},
                       {"rateLimit", json::object{{"limit", 1000}, {"windowSeconds", 86400}}}}));
  ASSERT_EQ(client.Get("/v1/user/@me", KeyAuth(old.key)).status, 200);

  const std::int64_t head = AuditHead(server);
  Response rotated = client.Request("POST", "/v1/admin/keys/" + old.id + "/rotate?gracePeriod=2",
                                    cast.admin.Auth());
  ASSERT_EQ(rotated.status, 201) << rotated.Describe();
  EXPECT_EQ(AuditTypesAfter(server, head), (std::vector<std::string>{"api_key_rotated"}));
  auto fresh = KeyFrom(rotated);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_NE(fresh->id, old.id);
  EXPECT_NE(fresh->key, old.key);
  EXPECT_EQ(fresh->data.at("rotatedFrom"), json::value(old.id));
  EXPECT_EQ(fresh->data.at("name"), old.data.at("name"));
  EXPECT_EQ(fresh->data.at("description"), json::value("rotating"));
  EXPECT_EQ(fresh->data.at("scopes"), old.data.at("scopes"));
  EXPECT_EQ(fresh->data.at("rateLimit"), old.data.at("rateLimit"));
  EXPECT_TRUE(IsIsoTimestamp(fresh->data.at("expiresAt")));
  // The audit row names both keys by id.
  auto metadata = QueryStore(server,
                             "SELECT metadata FROM audit_events WHERE event_type = "
                             "'api_key_rotated' AND resource_id = '" +
                                 old.id + "'");
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_NE(metadata.front().find(fresh->id), std::string::npos) << metadata.front();

  json::value old_state = ReadKey(client, cast.super, old.id);
  EXPECT_EQ(old_state.at("isActive"), json::value(false));
  EXPECT_TRUE(IsIsoTimestamp(old_state.at("graceUntil")));

  // Inside the grace period both work; after it, only the new one, with the same body as any
  // unknown key.
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(old.key)).status, 200);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(fresh->key)).status, 200);
  std::this_thread::sleep_for(2500ms);
  Response late = client.Get("/v1/user/@me", KeyAuth(old.key));
  EXPECT_EQ(late.status, 401);
  EXPECT_EQ(late.body, kUnauthorizedBody);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(fresh->key)).status, 200);

  // A rotated key is done: no second rotation, no reactivation.
  Response again =
      client.Request("POST", "/v1/admin/keys/" + old.id + "/rotate", cast.admin.Auth());
  EXPECT_EQ(again.status, 409) << again.Describe();
  EXPECT_TRUE(HasJson(again, "/error", "ApiKeyAlreadyRotated"));
  Response revive = client.Request("PATCH", "/v1/admin/keys/" + old.id, cast.admin.Auth(),
                                   R"({"isActive":true})");
  EXPECT_EQ(revive.status, 409) << revive.Describe();

  // Without a grace period (the default) the old key stops at once.
  Response now =
      client.Request("POST", "/v1/admin/keys/" + fresh->id + "/rotate", cast.admin.Auth());
  ASSERT_EQ(now.status, 201) << now.Describe();
  auto third = KeyFrom(now);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(fresh->key)).status, 401);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(third->key)).status, 200);

  // Deactivating a key inside its grace period ends the grace at once.
  Response graced = client.Request(
      "POST", "/v1/admin/keys/" + third->id + "/rotate?gracePeriod=600", cast.admin.Auth());
  ASSERT_EQ(graced.status, 201) << graced.Describe();
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(third->key)).status, 200);
  ASSERT_EQ(client.Request("DELETE", "/v1/admin/keys/" + third->id, cast.admin.Auth()).status, 200);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(third->key)).status, 401);

  // A deactivated key cannot be rotated back to life.
  Key dead;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), cast.alice.id, {"user.read"}, &dead));
  ASSERT_EQ(client.Request("DELETE", "/v1/admin/keys/" + dead.id, cast.admin.Auth()).status, 200);
  Response no = client.Request("POST", "/v1/admin/keys/" + dead.id + "/rotate", cast.admin.Auth());
  EXPECT_EQ(no.status, 409) << no.Describe();
  EXPECT_TRUE(HasJson(no, "/error", "ApiKeyInactive"));
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, ExpiresAfterExpiresInSeconds) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key key;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &key, {{"expiresIn", 1}}));
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(key.key)).status, 200);
  std::this_thread::sleep_for(1200ms);
  Response expired = client.Get("/v1/user/@me", KeyAuth(key.key));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.body, kUnauthorizedBody);
  Response active = client.Get("/v1/user/@me/keys?active=true", cast.alice.Auth());
  EXPECT_TRUE(ArrayAt(active, "/data").empty()) << active.body;
  Response inactive = client.Get("/v1/user/@me/keys?active=false", cast.alice.Auth());
  EXPECT_EQ(ArrayAt(inactive, "/data").size(), 1u) << inactive.body;
  Response rotate =
      client.Request("POST", "/v1/admin/keys/" + key.id + "/rotate", cast.super.Auth());
  EXPECT_EQ(rotate.status, 409);
  EXPECT_TRUE(HasJson(rotate, "/error", "ApiKeyExpired"));
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, EveryRefusedKeyGetsTheSameAnswer) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key key;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &key));
  // Well-formed keys with valid checksums: only the database can tell them apart.
  const std::string wrong_secret = WithChecksum(key.key.substr(0, 16) + std::string(43, 'Q'));
  const std::string unknown =
      WithChecksum("gh_" + std::string(12, 'Z') + "_" + std::string(43, 'Q'));
  ASSERT_EQ(WithChecksum(key.key.substr(0, 59)), key.key) << "the test's checksum is wrong";
  std::string typo = key.key;
  typo[20] = typo[20] == 'a' ? 'b' : 'a';

  for (const auto& [what, presented] : std::vector<std::pair<std::string, std::string>>{
           {"garbage", "hello"},
           {"typo", typo},
           {"wrong secret", wrong_secret},
           {"unknown id", unknown},
           {"empty-looking", "gh_"},
           {"root key with a suffix", kRootKey + "x"},
       }) {
    SCOPED_TRACE(what);
    Response r = client.Get("/v1/user/@me", KeyAuth(presented));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body, kUnauthorizedBody);
  }
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(key.key)).status, 200);
  // Public routes ignore keys entirely.
  EXPECT_EQ(client.Get("/health", KeyAuth("hello")).status, 200);
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, RootKeyWorksEverywhereAndEveryUseIsAudited) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const Headers root = KeyAuth(kRootKey);
  Key alice_key;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &alice_key));

  std::vector<Scenario> t = {
      {.name = "root lists keys",
       .path = "/v1/admin/keys",
       .headers = root,
       .expected_audit_events = {"root_key_used"}},
      {.name = "root lists users",
       .path = "/v1/user/users",
       .headers = root,
       .expected_audit_events = {"root_key_used"}},
      {.name = "root creates a role",
       .method = "POST",
       .path = "/v1/role",
       .headers = root,
       .body = authz::RoleBody("Root made", "root_made", {"company.fetch"}),
       .expected_status = 201,
       .expected_audit_events = {"root_key_used", "role_created"}},
      {.name = "root creates a key for alice",
       .method = "POST",
       .path = "/v1/admin/keys",
       .headers = root,
       .body = CreateBody(cast.alice.id, "by root", {"read"}),
       .expected_status = 201,
       .expected_audit_events = {"root_key_used", "api_key_created"}},
      {.name = "root deactivates alice's key",
       .method = "DELETE",
       .path = "/v1/admin/keys/" + alice_key.id,
       .headers = root,
       .expected_audit_events = {"root_key_used", "api_key_revoked"}},
      // The root key is nobody's: it has no own keys, and it is no key in the database.
      {.name = "root has no own keys",
       .path = "/v1/user/@me/keys",
       .headers = root,
       .expected_status = 404,
       .expected_audit_events = {"root_key_used"}},
      {.name = "the root key cannot be revoked",
       .method = "DELETE",
       .path = "/v1/admin/keys/root",
       .headers = root,
       .expected_status = 404,
       .expected_fragments = {{"/error", "ApiKeyNotFound"}},
       .expected_audit_events = {"root_key_used"}},
      {.name = "a root key with a typo",
       .path = "/v1/admin/keys",
       .headers = KeyAuth(kRootKey.substr(0, kRootKey.size() - 1)),
       .expected_status = 401,
       .no_audit_events = true},
  };
  RunScenarios(server, t);
  EXPECT_EQ(client.Get("/v1/admin/keys", root).status, 200) << "still works after all that";

  // The audit rows say where the root key was used, never what it is.
  auto rows = QueryStore(server,
                         "SELECT metadata FROM audit_events WHERE event_type = "
                         "'root_key_used' ORDER BY seq");
  ASSERT_GE(rows.size(), 8u);
  EXPECT_NE(rows.front().find("/v1/admin/keys"), std::string::npos) << rows.front();
  for (const auto& row : rows) EXPECT_EQ(row.find(kRootKey), std::string::npos) << row;

  // A server without a root key knows nothing of it.
  ASSERT_EQ(server.Stop(), 0);
  ServerProcess& plain = NewServerIn(server.data_dir(), FastHashFlags());
  ASSERT_TRUE(plain.Start());
  HttpClient other(plain.port());
  Response refused = other.Get("/v1/admin/keys", root);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.body, kUnauthorizedBody);
}

TEST_P(ApiKeys, AShortRootKeyIsRefusedAtStartup) {
  ServerProcess& server = NewServer(FastHashFlags({"--root-api-key", "too-short"}));
  EXPECT_FALSE(server.Start());
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, RateLimitedKeysGet429WithHeaders) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  // A day-long window: the test cannot straddle a window boundary in practice.
  Key limited, free;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &limited,
                      {{"rateLimit", json::object{{"limit", 3}, {"windowSeconds", 86400}}}}));
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &free));
  EXPECT_EQ(limited.data.at("rateLimit"),
            (json::value(json::object{{"limit", 3}, {"windowSeconds", 86400}})));

  std::vector<Scenario> t;
  for (int i = 0; i < 3; ++i) {
    t.push_back({.name = "request " + std::to_string(i + 1),
                 .path = "/v1/user/@me",
                 .headers = KeyAuth(limited.key),
                 .expected_headers = {{"X-RateLimit-Limit", "3"},
                                      {"X-RateLimit-Remaining", std::to_string(2 - i)},
                                      {"X-RateLimit-Reset", "*"}}});
  }
  t.push_back({.name = "one too many",
               .path = "/v1/user/@me",
               .headers = KeyAuth(limited.key),
               .expected_status = 429,
               .expected_fragments = {{"/error", "RateLimited"}},
               .expected_headers = {{"Retry-After", "*"},
                                    {"X-RateLimit-Limit", "3"},
                                    {"X-RateLimit-Remaining", "0"},
                                    {"X-RateLimit-Reset", "*"}},
               .no_audit_events = true});
  t.push_back({.name = "other keys are not limited",
               .path = "/v1/user/@me",
               .headers = KeyAuth(free.key),
               .absent_headers = {"X-RateLimit-Limit", "Retry-After"}});
  t.push_back({.name = "nor is the owner's bearer token",
               .path = "/v1/user/@me",
               .headers = cast.alice.Auth(),
               .absent_headers = {"X-RateLimit-Limit"}});
  RunScenarios(server, t);
  Response limited_again = client.Get("/v1/user/@me", KeyAuth(limited.key));
  ASSERT_EQ(limited_again.status, 429);
  const int retry_after = std::stoi(limited_again.Header("Retry-After").value_or("0"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 86400);

  // Lifting the limit applies at once.
  Response lifted = client.Request("PATCH", "/v1/admin/keys/" + limited.id, cast.super.Auth(),
                                   R"({"rateLimit":null})");
  ASSERT_EQ(lifted.status, 200) << lifted.Describe();
  EXPECT_TRUE(At(lifted, "/data/rateLimit").is_null());
  Response unlimited = client.Get("/v1/user/@me", KeyAuth(limited.key));
  EXPECT_EQ(unlimited.status, 200) << unlimited.Describe();
  EXPECT_FALSE(unlimited.Header("X-RateLimit-Limit").has_value());
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, UsageIsCountedInBatches) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key key;
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &key));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client.Get("/v1/user/@me", KeyAuth(key.key)).status, 200);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(key.key + "x")).status, 401);  // not counted
  // Written on shutdown at the latest.
  ASSERT_TRUE(server.Restart());
  HttpClient again(server.port());
  Account super;
  ASSERT_TRUE(Login(again, "root@example.com", kPassword, &super));
  json::value state = ReadKey(again, super, key.id);
  EXPECT_EQ(state.at("usageCount"), json::value(5)) << json::serialize(state);
  EXPECT_TRUE(IsIsoTimestamp(state.at("lastUsedAt"))) << json::serialize(state);
  // And every few seconds while running.
  ASSERT_EQ(again.Get("/v1/user/@me", KeyAuth(key.key)).status, 200);
  bool counted = false;
  for (int i = 0; i < 100 && !counted; ++i) {
    std::this_thread::sleep_for(100ms);
    counted = ReadKey(again, super, key.id).at("usageCount") == json::value(6);
  }
  EXPECT_TRUE(counted) << "usage not written within 10 s";
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, OperatorsManageKeysFromTheCommandLine) {
  ServerProcess& server = NewServer(ServerFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  auto keys = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"keys"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data-dir", server.data_dir()});
    for (const auto& flag : backend().DatabaseFlags()) argv.push_back(flag);
    return RunGatehouse(argv);
  };
  HttpClient client(server.port());

  CommandResult created =
      keys({"create", "--user", "alice@example.com", "--scopes", "read,user.read", "--name", "ops",
            "--expires-in", "30d", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  json::value issued = json::parse(created.out);
  const std::string key = std::string(issued.at("key").as_string());
  const std::string id = std::string(issued.at("id").as_string());
  EXPECT_TRUE(std::regex_match(key, kKeyShape));
  EXPECT_EQ(issued.at("userId"), json::value(cast.alice.id));
  EXPECT_EQ(issued.at("scopes"), (json::array{"read", "user.read"}));
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(key)).status, 200);

  CommandResult listed = keys({"list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.Describe();
  EXPECT_EQ(listed.out.find(key.substr(16, 43)), std::string::npos);
  EXPECT_NE(listed.out.find(id), std::string::npos);
  CommandResult table = keys({"list", "--user", cast.alice.id});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_NE(table.out.find("ops"), std::string::npos) << table.out;

  // Scopes beyond the owner's are refused here too.
  CommandResult beyond = keys({"create", "--user", cast.alice.id, "--scopes", "company.fetch"});
  EXPECT_EQ(beyond.exit_code, 1) << beyond.Describe();

  // Rotate and revoke with the server stopped (a running SQLite server sees changes made by
  // another process within its key cache lifetime, not at once).
  ASSERT_EQ(server.Stop(), 0);
  CommandResult rotated = keys({"rotate", id, "--grace-period", "0", "--json"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.Describe();
  const json::value next = json::parse(rotated.out);
  const std::string next_key = std::string(next.at("key").as_string());
  const std::string next_id = std::string(next.at("id").as_string());
  CommandResult again = keys({"rotate", id});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
  ASSERT_TRUE(server.Start());
  HttpClient after(server.port());
  EXPECT_EQ(after.Get("/v1/user/@me", KeyAuth(key)).status, 401);
  EXPECT_EQ(after.Get("/v1/user/@me", KeyAuth(next_key)).status, 200);
  ASSERT_EQ(server.Stop(), 0);
  CommandResult revoked = keys({"revoke", std::string(next.at("prefix").as_string())});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.Describe();
  ASSERT_TRUE(server.Start());
  HttpClient last(server.port());
  EXPECT_EQ(last.Get("/v1/user/@me", KeyAuth(next_key)).status, 401);
  // Every CLI change is in the audit log, from the operator's console.
  auto types = QueryStore(server,
                          "SELECT event_type FROM audit_events WHERE source_service = "
                          "'backend' AND resource_type = 'api_key' ORDER BY seq");
  EXPECT_EQ(types,
            (std::vector<std::string>{"api_key_created", "api_key_rotated", "api_key_revoked"}));
  EXPECT_NE(next_id, id);
}

// --------------------------------------------------------------------------------------------
TEST_P(ApiKeys, KeysAreNeverWrittenAnywhere) {
  ServerProcess& server = NewServer(ServerFlags({"--log-level", "debug"}));
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Key admin_made, self_made;
  ASSERT_TRUE(MakeKey(client, cast.admin.Auth(), cast.alice.id, {"read"}, &admin_made));
  ASSERT_TRUE(MakeKey(client, cast.alice.Auth(), "", {"user.read"}, &self_made,
                      {{"rateLimit", json::object{{"limit", 1}, {"windowSeconds", 86400}}}}));
  Response rotated = client.Request(
      "POST", "/v1/admin/keys/" + admin_made.id + "/rotate?gracePeriod=60", cast.admin.Auth());
  ASSERT_EQ(rotated.status, 201) << rotated.Describe();
  const auto rotated_key = KeyFrom(rotated);
  ASSERT_TRUE(rotated_key.has_value());
  // Use them every way: accepted, rate-limited, refused with typos, revoked.
  for (const std::string& k :
       std::vector<std::string>{admin_made.key, self_made.key, rotated_key->key}) {
    EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(k)).status, 200);
    std::string typo = k;
    typo.back() = typo.back() == 'a' ? 'b' : 'a';
    EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(typo)).status, 401);
  }
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(self_made.key)).status, 429);
  ASSERT_EQ(client.Request("DELETE", "/v1/admin/keys/" + self_made.id, cast.admin.Auth()).status,
            200);
  EXPECT_EQ(client.Get("/v1/user/@me", KeyAuth(self_made.key)).status, 401);
  EXPECT_EQ(client.Get("/v1/admin/keys", KeyAuth(kRootKey)).status, 200);

  // Stored as SHA-256 of the key, nothing else.
  auto hashes =
      QueryStore(server, "SELECT secret_hash FROM api_keys WHERE id = '" + self_made.id + "'");
  ASSERT_EQ(hashes.size(), 1u);
  EXPECT_EQ(hashes.front(), Sha256Hex(self_made.key));
  // The audit log names keys by id.
  auto created = QueryStore(server,
                            "SELECT resource_id FROM audit_events WHERE event_type = "
                            "'api_key_created' ORDER BY seq");
  EXPECT_EQ(created, (std::vector<std::string>{admin_made.id, self_made.id}));
  if (backend().kind() == BackendKind::kPostgres) {
    // Every row of every table, as text.
    for (const std::string& secret :
         std::vector<std::string>{admin_made.key, self_made.key, rotated_key->key, kRootKey}) {
      auto hits = QueryStore(
          server,
          "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND position('" +
              secret.substr(16, 43) +
              "' IN query_to_xml(format('SELECT * FROM %I.%I', n.nspname, c.relname), true, "
              "false, '')::text) > 0");
      EXPECT_TRUE(hits.empty()) << "a key's secret is in table " << hits.front();
    }
  }
  ASSERT_EQ(server.Stop(), 0);  // flushes logs and checkpoints the SQLite WAL
  ASSERT_FALSE(server.StderrLog().empty());
  for (const auto& [what, secret] : std::vector<std::pair<std::string, std::string>>{
           {"admin-made key", admin_made.key},
           {"self-made key", self_made.key},
           {"rotated key", rotated_key->key},
           {"a key's secret part", self_made.key.substr(16, 43)},
           {"root key", kRootKey}}) {
    auto hits = FilesContaining(server.data_dir(), secret);
    EXPECT_TRUE(hits.empty()) << what << " found in " << hits.front();
  }
}

GATEHOUSE_INSTANTIATE_BACKENDS(ApiKeys);

}  // namespace
}  // namespace gatehouse::testing
