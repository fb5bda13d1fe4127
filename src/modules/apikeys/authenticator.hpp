// X-API-Key authentication: the root key (configured, never stored, every use audited) and
// database keys (format and checksum first, then lookup by public id, a constant-time digest
// compare, state, owner, rate limit). Unknown, malformed, wrong, expired, deactivated and
// past-grace keys all get the same 401; the reason goes to internal_message (logged, never
// sent, never containing the key).
//
//   ApiKeyAuthenticator keys(service, users, db, recorder, clock, config.root_api_key);
//   auto who = keys.Authenticate(request.Header("x-api-key"), meta, {.method = "GET", .path = p});
//   // who->permissions = key scopes ∩ the owner's permissions right now
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/recorder.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "modules/apikeys/rate_limiter.hpp"
#include "modules/apikeys/service.hpp"
#include "modules/users/service.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::apikeys {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The X-RateLimit-* headers for a decision (Limit, Remaining, Reset as Unix seconds).
HeaderList RateLimitHeaders(const RateDecision& decision);

struct AuthAttempt {
  std::string_view method;  // recorded with root key use
  std::string_view path;
  // Receives X-RateLimit-* for keys with a rate limit (on success and on 429); may be null.
  HeaderList* headers = nullptr;
};

class ApiKeyAuthenticator {
 public:
  // `root_key` empty: no root key. Kept only as its SHA-256.
  ApiKeyAuthenticator(ApiKeyService& keys, users::UserService& users, store::Database& db,
                      const audit::Recorder& recorder, const core::Clock& clock,
                      std::string_view root_key);

  // kUnauthenticated (all alike), kRateLimited (Retry-After, and X-RateLimit-* in
  // error.headers), or a store error (503) when the key cannot be checked.
  core::Result<core::Principal> Authenticate(std::string_view presented_key,
                                             const core::RequestMeta& meta,
                                             const AuthAttempt& attempt = {});

  bool has_root_key() const { return !root_digest_.empty(); }

 private:
  core::Result<core::Principal> AuthenticateRoot(const core::RequestMeta& meta,
                                                 const AuthAttempt& attempt);

  ApiKeyService& keys_;
  users::UserService& users_;
  store::Database& db_;
  const audit::Recorder& recorder_;
  const core::Clock& clock_;
  std::string root_digest_;  // raw SHA-256 of the root key; empty = none
  RateLimiter limiter_;
};

}  // namespace gatehouse::modules::apikeys
