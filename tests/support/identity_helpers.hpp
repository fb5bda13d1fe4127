// Helpers for identity API tests (auth, users, sessions): register / log in / create the first
// super admin through the real binary, bearer headers, a cast of five callers, JWT forging
// primitives (base64url, HMAC, Ed25519), concurrent request bursts, and raw looks at the store.
//
//   ServerProcess& server = NewServer(FastHashFlags());
//   Cast cast;
//   ASSERT_TRUE(StartWithCast(server, &cast));       // super admin (CLI), alice, bob, admin
//   Response r = client.Get("/v1/user/@me", cast.alice.Auth());
//   auto parts = SplitJwt(cast.alice.access);        // {header, payload, signature} (base64url)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {

// argon2id at its cheapest (8 KiB, t=1): every identity test but the one checking the OWASP
// defaults uses these, on `serve` and on `admin create` alike (so no login triggers a rehash).
std::vector<std::string> FastHashFlags(std::vector<std::string> more = {});

inline constexpr const char* kPassword = "correct horse battery staple";

Headers Bearer(std::string_view access_token);
std::string JsonText(const boost::json::value& value);  // serialize

// A signed-in user as seen by the tests.
struct Account {
  std::string id;
  std::string email;
  std::string password;
  std::string access;
  std::string refresh;
  std::string session_id;
  Headers Auth() const { return Bearer(access); }
};

// POST /v1/auth/register {email, password, ...extra}; expects 201 and fills `out`.
::testing::AssertionResult Register(HttpClient& client, const std::string& email,
                                    const std::string& password, Account* out,
                                    const boost::json::object& extra = {},
                                    const Headers& headers = {});
// POST /v1/auth/login {email|login, password}; expects 200 and fills `out`.
::testing::AssertionResult Login(HttpClient& client, const std::string& identifier,
                                 const std::string& password, Account* out,
                                 const Headers& headers = {}, bool by_login = false);
// Body for POST /v1/auth/login.
std::string LoginBody(const std::string& email, const std::string& password);

// `gatehouse admin create --email E --password-stdin` against `server`'s data dir and database
// (running or not), the password written to stdin. `flags` default to FastHashFlags().
CommandResult AdminCreate(const ServerProcess& server, const std::string& email,
                          const std::string& password_line,
                          std::optional<std::vector<std::string>> flags = std::nullopt,
                          bool password_stdin = true);

// The five callers of STYLE.md's tables (the API-key caller comes with issue 5).
struct Cast {
  Account super;  // created by `gatehouse admin create` (role_super_admin + role_user)
  Account alice;  // role_user; the target of most rows
  Account bob;    // role_user; "another user"
  Account admin;  // role_admin + role_user, given by the super admin
};
// Creates the super admin with the CLI, starts `server`, registers alice@example.com,
// bob@example.com and admin@example.com and makes the last an admin.
::testing::AssertionResult StartWithCast(ServerProcess& server, Cast* cast);

// PATCH /v1/user/users/:id as `actor`; returns the response.
Response PatchUser(HttpClient& client, const Account& actor, const std::string& id,
                   const std::string& body);

// --- JSON shape checks ---
// `value` is an object whose keys are exactly `keys`.
::testing::AssertionResult KeysAre(const boost::json::value& value,
                                   const std::set<std::string>& keys);
// The value at `pointer` in `r`'s body (null value if absent).
boost::json::value At(const Response& r, std::string_view pointer);
// The array at `pointer` (a copy, so it may be iterated directly); empty if absent or not one.
boost::json::array ArrayAt(const Response& r, std::string_view pointer);
bool IsIsoTimestamp(const boost::json::value& v);  // "2026-02-14T00:00:00.000Z"
bool IsUuidV7(std::string_view text);

// --- JWT and crypto primitives ---
std::string Base64UrlEncode(std::string_view bytes);
std::string Base64UrlDecode(std::string_view text);  // "" on bad input
std::vector<std::string> SplitJwt(std::string_view token);  // the three dot-separated parts
boost::json::value DecodeJwtPart(std::string_view part);     // base64url JSON
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string Sha256Hex(std::string_view data);
// PEM (SubjectPublicKeyInfo) of a raw 32-byte Ed25519 public key.
std::string Ed25519PublicPem(std::string_view raw_public_key);
// A fresh Ed25519 key pair: signs `data`, exposes the raw public key.
class Ed25519Key {
 public:
  Ed25519Key();
  ~Ed25519Key();
  Ed25519Key(const Ed25519Key&) = delete;
  Ed25519Key& operator=(const Ed25519Key&) = delete;
  std::string Sign(std::string_view data) const;  // raw 64 bytes
  std::string PublicRaw() const;                  // raw 32 bytes

 private:
  void* key_ = nullptr;  // EVP_PKEY*
};

// --- concurrency ---
// Runs `request(i, client)` for i in [0, total) on `threads` threads, each with its own
// connection to `port`, released together; returns the responses by index.
std::vector<Response> Burst(std::uint16_t port, int threads, int total,
                            const std::function<Response(int, HttpClient&)>& request);

// --- the store, from outside ---
// Every regular file under `dir` (recursively), read whole.
std::vector<std::pair<std::string, std::string>> ReadAllFiles(const std::string& dir);
// Files under `dir` whose bytes contain `needle` (empty when none).
std::vector<std::string> FilesContaining(const std::string& dir, std::string_view needle);
// First column of the first row of `sql` on a PostgreSQL `url`; nullopt (and `error`) on failure.
std::optional<std::string> PgScalar(const std::string& url, const std::string& sql,
                                    std::string* error = nullptr);

}  // namespace gatehouse::testing
