// Access tokens: short-lived JWTs signed with EdDSA (Ed25519), carrying the user (sub) and the
// session (sid) so that revoking a session can reject its tokens at once. Verification trusts
// only our own keys and a fixed algorithm; see Verify for every check.
//
//   TokenService tokens(keys, clock, {.issuer = "gatehouse", .audience = "gatehouse-api"});
//   auto jwt = tokens.Issue({.sub = user_id, .sid = session_id});   // Result<std::string>
//   auto claims = tokens.Verify(bearer);  // Result<AccessClaims>; then check sid is not revoked
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "security/signing_key_store.hpp"

namespace gatehouse::security {

struct TokenOptions {
  std::string issuer = "gatehouse";
  std::string audience = "gatehouse-api";
  // Short, because a token stays valid until exp on nodes that have not yet heard of a
  // revocation; the session check in the auth middleware closes that gap.
  std::chrono::seconds access_ttl{15 * 60};
  // Tolerated clock difference between nodes, for exp, iat and nbf.
  std::chrono::seconds leeway{30};
};

// Every member has an initializer so that `{.sub = …, .sid = …}` compiles without
// -Wmissing-field-initializers noise on GCC 12.
struct AccessClaims {
  std::string sub{};  // user id
  std::string sid{};  // session id
  // Further private claims (e.g. {"scope":"…"}). On Issue, registered names (iss, sub, aud,
  // exp, nbf, iat, jti, sid) are skipped so they cannot override ours; on Verify, all other
  // payload members land here.
  boost::json::object extra{};
  // Set by Issue's token and returned by Verify; ignored on input to Issue.
  std::string jti{};
  core::TimePoint issued_at{};
  core::TimePoint expires_at{};
};

class TokenService {
 public:
  // `clock` must outlive the service.
  TokenService(std::shared_ptr<const SigningKeyStore> keys, const core::Clock& clock,
               TokenOptions options = {});

  // Signs a token for claims.sub and claims.sid (both required: Internal if empty) with
  // iat = now, exp = now + access_ttl and a random jti.
  core::Result<std::string> Issue(const AccessClaims& claims) const;

  // Accepts only a compact JWS that: has three base64url parts; has header alg exactly "EdDSA",
  // typ absent or "JWT", no crit, and a kid naming one of our keys; whose signature verifies
  // with that key; and whose payload has iss and aud as configured (aud a string or an array
  // containing it), exp > now - leeway, iat <= now + leeway, nbf (if any) <= now + leeway, and
  // non-empty string sub and sid. jku, x5u, jwk and x5c headers are never read. Every failure
  // is core::Unauthenticated("Unauthorized"); internal_message says which check failed.
  core::Result<AccessClaims> Verify(std::string_view token) const;

  // The JWK Set of every verification key, for GET /.well-known/jwks.json.
  boost::json::object JwksJson() const { return keys_->Jwks(); }

  const TokenOptions& options() const { return options_; }

 private:
  std::shared_ptr<const SigningKeyStore> keys_;
  const core::Clock& clock_;
  TokenOptions options_;
  std::string header_b64_cache_;  // base64url header for the current kid, built once
};

}  // namespace gatehouse::security
