// API keys as the apikeys module hands them out. Never holds the key itself: only the service's
// IssuedKey does, once, for the response that shows it.
//
//   Result<ApiKey> key = keys.Get(id);
//   if (key->Usable(now_ms)) ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modules/apikeys/rate_limiter.hpp"

namespace gatehouse::modules::apikeys {

struct ApiKey {
  std::string id;         // UUIDv7: the :keyId of the routes and the audit resource id
  std::string public_id;  // the 12 base62 characters after "gh_", unique, stored in clear
  std::string user_id;    // owner
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> scopes;  // as given: grants and presets
  std::string secret_hash;          // SHA-256 hex of the whole key
  bool is_active = true;
  std::optional<std::int64_t> expires_at;  // Unix ms
  std::optional<std::int64_t> last_used_at;
  std::int64_t usage_count = 0;
  std::optional<std::string> rotated_from;  // the key this one replaced
  std::optional<std::int64_t> grace_until;  // set once rotated: works until then, then never
  std::optional<RateLimit> rate_limit;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;

  bool Expired(std::int64_t now_ms) const { return expires_at && now_ms >= *expires_at; }
  bool Rotated() const { return grace_until.has_value(); }
  // Authenticates at `now_ms`: active (or a rotated key inside its grace period), not expired.
  bool Usable(std::int64_t now_ms) const {
    const bool live = is_active || (grace_until && now_ms < *grace_until);
    return live && !Expired(now_ms);
  }
};

}  // namespace gatehouse::modules::apikeys
