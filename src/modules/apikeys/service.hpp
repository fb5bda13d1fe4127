// API keys (seed 003): create (the key is returned once), list, read, update, deactivate and
// rotate with a grace period, every change audited in its own transaction; plus what
// authentication needs: a short-lived cache of keys by public id, dropped on every change on
// every node (events::Bus "apikey.changed"), and usage counted in memory and written in batches.
//
//   auto issued = keys.Create(actor, {.owner = id, .name = "ci", .scopes = {"read"}}, meta);
//   std::cout << issued->plaintext;                 // shown once, stored only as SHA-256
//   keys.Rotate(actor, issued->key.id, /*grace_seconds=*/300, meta);
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "audit/recorder.hpp"
#include "authz/matcher.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "events/bus.hpp"
#include "modules/apikeys/model.hpp"
#include "modules/apikeys/usage.hpp"
#include "modules/users/service.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::apikeys {

inline constexpr std::int64_t kMaxExpiresInSeconds = 10LL * 366 * 24 * 3600;  // ten years
inline constexpr std::int64_t kMaxGraceSeconds = 30LL * 24 * 3600;            // thirty days
inline constexpr std::int64_t kMaxRateLimit = 1000000;
inline constexpr std::int64_t kMaxRateWindowSeconds = 24 * 3600;

struct ApiKeyOptions {
  // A safety net: changes made here or on a PostgreSQL peer invalidate at once; this bounds how
  // long a running SQLite server keeps a key that `gatehouse keys` (another process) changed.
  std::chrono::milliseconds cache_ttl{10000};
  std::chrono::milliseconds usage_flush_interval{5000};  // lastUsedAt/usageCount batch period
  bool background_flush = true;  // false for one-shot commands: Stop() flushes anyway
};

struct NewKey {
  std::string owner;  // user id, email or login
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> scopes;
  std::optional<std::int64_t> expires_in_seconds;
  std::optional<RateLimit> rate_limit;
};

// Absent fields stay as they are; the inner nullopt clears a nullable field.
struct KeyUpdate {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<std::vector<std::string>> scopes;
  std::optional<bool> is_active;
  std::optional<std::optional<RateLimit>> rate_limit;
};

struct KeyFilter {
  std::optional<std::string> user_id;
  std::optional<bool> active;  // true: active and unexpired now
  std::int64_t page = 1;
  std::int64_t per_page = 30;
};

struct KeyPage {
  std::vector<ApiKey> keys;
  std::int64_t total = 0;
};

// A key as created or rotated: the only object that ever holds the plaintext.
struct IssuedKey {
  ApiKey key;
  std::string plaintext;
};

// What authentication reads for every request with a key.
struct CachedKey {
  ApiKey key;                                     // with secret_hash
  std::shared_ptr<const authz::GrantSet> grants;  // ExpandScopes(key.scopes), compiled
  std::int64_t loaded_at = 0;                     // steady-clock ms, for the TTL
};

class ApiKeyService {
 public:
  // Subscribes to "apikey.changed" (and resyncs) on `bus`; starts the usage flusher unless
  // options.background_flush is false.
  ApiKeyService(store::Database& db, const core::Clock& clock, users::UserService& users,
                const audit::Recorder& recorder, events::Bus& bus, ApiKeyOptions options = {});
  ~ApiKeyService();  // Stop()
  ApiKeyService(const ApiKeyService&) = delete;
  ApiKeyService& operator=(const ApiKeyService&) = delete;

  // 404 UserNotFound for an unknown owner, 409 UserNotActive for a banned one, 403 when a scope
  // is beyond the owner's permissions or the actor's (scopes.hpp: CheckScopesAllowed).
  core::Result<IssuedKey> Create(const core::Principal& actor, const NewKey& input,
                                 const core::RequestMeta& meta);
  core::Result<KeyPage> List(const KeyFilter& filter);
  // `key_id`: id, public id or "gh_<publicId>"; 404 ApiKeyNotFound. With `owner`, a key of
  // anyone else is reported as not found.
  core::Result<ApiKey> Get(const std::string& key_id,
                           const std::optional<std::string>& owner = std::nullopt);
  core::Result<ApiKey> Update(const core::Principal& actor, const std::string& key_id,
                              const KeyUpdate& update, const core::RequestMeta& meta);
  // Deactivates at once (a rotated key's remaining grace ends too). Idempotent; audited when it
  // changes something.
  core::Result<ApiKey> Deactivate(const core::Principal& actor, const std::string& key_id,
                                  const std::optional<std::string>& owner,
                                  const core::RequestMeta& meta);
  // A new key with the same owner, name, scopes and limits (and the same lifetime, if the old
  // one expires); the old one keeps working for `grace_seconds`, then never again. 409 for a
  // key already rotated, deactivated or expired.
  core::Result<IssuedKey> Rotate(const core::Principal& actor, const std::string& key_id,
                                 std::int64_t grace_seconds, const core::RequestMeta& meta);

  // --- for authentication ---
  // The key with this public id, from the cache or the store; null when there is none.
  core::Result<std::shared_ptr<const CachedKey>> Lookup(const std::string& public_id);
  // Drops a key (id or public id; "" = every key) from the cache here and, through the bus, on
  // every other node. Called after every change this service commits.
  void Invalidate(const std::string& key_id);
  // Counts one authenticated use; written by the flusher.
  void NoteUse(const std::string& key_id, std::int64_t now_ms);
  // Writes the usage gathered so far (kept for the next try if the write fails).
  core::Status FlushUsage();
  // Stops the flusher and flushes. Call before closing the database. Idempotent.
  void Stop();

 private:
  core::Result<std::shared_ptr<const users::AccessProfile>> OwnerAccess(const std::string& id);
  void DropCached(const std::string& key_id);
  void FlushLoop();
  std::int64_t NowMs() const { return core::ToUnixMillis(clock_.Now()); }

  store::Database& db_;
  const core::Clock& clock_;
  users::UserService& users_;
  const audit::Recorder& recorder_;
  events::Bus& bus_;
  ApiKeyOptions options_;

  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CachedKey>> cache_;  // by public id
  std::uint64_t generation_ = 0;

  UsageAccumulator usage_;
  std::mutex flush_mutex_;  // one flush at a time
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread flusher_;
};

// Input rules shared by the routes and the CLI (exposed for tests).
core::Status ValidateName(std::string_view name);
core::Status ValidateRateLimit(const RateLimit& limit, const char* field);

}  // namespace gatehouse::modules::apikeys
