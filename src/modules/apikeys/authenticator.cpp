#include "modules/apikeys/authenticator.hpp"

#include "audit/event_types.hpp"
#include "modules/apikeys/key_format.hpp"
#include "modules/apikeys/scopes.hpp"
#include "security/digest.hpp"

namespace gatehouse::modules::apikeys {
namespace {

// One public answer for every refused key; the reason is only logged.
core::Error Refused(const char* reason) {
  core::Error error = core::Unauthenticated();
  error.internal_message = reason;
  return error;
}

}  // namespace

HeaderList RateLimitHeaders(const RateDecision& decision) {
  return {{"X-RateLimit-Limit", std::to_string(decision.limit)},
          {"X-RateLimit-Remaining", std::to_string(decision.remaining)},
          {"X-RateLimit-Reset", std::to_string(decision.reset_unix_seconds)}};
}

ApiKeyAuthenticator::ApiKeyAuthenticator(ApiKeyService& keys, users::UserService& users,
                                         store::Database& db, const audit::Recorder& recorder,
                                         const core::Clock& clock, std::string_view root_key)
    : keys_(keys),
      users_(users),
      db_(db),
      recorder_(recorder),
      clock_(clock),
      root_digest_(root_key.empty() ? std::string() : security::Sha256(root_key)) {}

core::Result<core::Principal> ApiKeyAuthenticator::Authenticate(std::string_view presented_key,
                                                                const core::RequestMeta& meta,
                                                                const AuthAttempt& attempt) {
  // Digests of equal length, compared in constant time: neither the root key's length nor its
  // contents leak through timing.
  if (!root_digest_.empty() &&
      security::ConstantTimeEquals(security::Sha256(presented_key), root_digest_)) {
    return AuthenticateRoot(meta, attempt);
  }

  const std::optional<ParsedKey> parsed = ParseKey(presented_key);
  if (!parsed) return Refused("api key malformed");
  auto cached = keys_.Lookup(std::string(parsed->public_id));
  if (!cached) return cached.error();
  if (*cached == nullptr) return Refused("api key unknown");
  const ApiKey& key = (*cached)->key;
  if (!security::ConstantTimeEquals(security::Sha256Hex(parsed->plaintext), key.secret_hash)) {
    return Refused("api key secret mismatch");
  }
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  if (!key.Usable(now)) {
    if (key.Expired(now)) return Refused("api key expired");
    return key.Rotated() ? Refused("api key past its rotation grace period")
                         : Refused("api key deactivated");
  }

  auto profile = users_.Access(key.user_id);
  if (!profile) {
    if (profile.error().code == core::ErrorCode::kNotFound) return Refused("api key owner gone");
    return profile.error();
  }
  if ((*profile)->status != users::UserStatus::kActive) {
    return Refused("api key owner not active");
  }

  if (key.rate_limit) {
    const RateDecision decision = limiter_.Hit(key.id, *key.rate_limit, now);
    HeaderList headers = RateLimitHeaders(decision);
    if (attempt.headers != nullptr) *attempt.headers = headers;
    if (!decision.allowed) {
      core::Error error = core::RateLimited("API key rate limit exceeded");
      error.retry_after_seconds = static_cast<int>(decision.retry_after_seconds);
      error.headers = std::move(headers);
      return error;
    }
  }

  keys_.NoteUse(key.id, now);
  core::Principal principal;
  principal.kind = core::Principal::Kind::kApiKey;
  principal.user_id = key.user_id;
  principal.api_key_id = key.id;
  principal.permissions =
      std::make_shared<const IntersectionSet>((*cached)->grants, (*profile)->grants);
  return principal;
}

core::Result<core::Principal> ApiKeyAuthenticator::AuthenticateRoot(const core::RequestMeta& meta,
                                                                    const AuthAttempt& attempt) {
  // Every use is audited before it is honoured; if the audit write fails, the key is refused.
  core::RequestMeta root_meta = meta;
  root_meta.actor_id.clear();
  root_meta.api_key_id = "root";
  boost::json::object metadata{{"requestId", meta.request_id}};
  if (!attempt.method.empty()) metadata.emplace("method", attempt.method);
  if (!attempt.path.empty()) metadata.emplace("path", attempt.path);
  auto written = db_.Write([&](soci::session& s) -> core::Status {
    recorder_.Record(s, root_meta,
                     {.event_type = audit::types::kRootKeyUsed,
                      .user_id = "",
                      .resource_type = "api_key",
                      .resource_id = "root",
                      .description = "Root API key used",
                      .metadata = std::move(metadata)});
    return {};
  });
  if (!written) return written.error();
  core::Principal principal;
  principal.kind = core::Principal::Kind::kRoot;
  principal.api_key_id = "root";
  return principal;
}

}  // namespace gatehouse::modules::apikeys
