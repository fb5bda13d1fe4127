#include "modules/apikeys/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <set>

#include "audit/event_types.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "modules/apikeys/key_format.hpp"
#include "modules/apikeys/repo.hpp"
#include "modules/apikeys/scopes.hpp"
#include "security/digest.hpp"

namespace gatehouse::modules::apikeys {
namespace {

constexpr const char* kChangedTopic = "apikey.changed";
constexpr const char* kResourceType = "api_key";

core::Error KeyNotFound() { return core::NotFound("API key not found.", "ApiKeyNotFound"); }

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Scopes as stored: trimmed of duplicates, order kept.
std::vector<std::string> Unique(const std::vector<std::string>& scopes) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& scope : scopes) {
    if (seen.insert(scope).second) out.push_back(scope);
  }
  return out;
}

core::Status ValidateDescription(const std::optional<std::string>& description) {
  if (!description) return {};
  auto length = core::Utf8Length(*description);
  if (!length || *length > 500) {
    return core::Validation({{{"description"}, "Must be at most 500 characters"}});
  }
  return {};
}

}  // namespace

core::Status ValidateName(std::string_view name) {
  auto length = core::Utf8Length(name);
  if (!length || *length < 1 || *length > 100) {
    return core::Validation({{{"name"}, "Must be 1 to 100 characters"}});
  }
  return {};
}

core::Status ValidateRateLimit(const RateLimit& limit, const char* field) {
  std::vector<core::FieldError> problems;
  if (limit.limit < 1 || limit.limit > kMaxRateLimit) {
    problems.push_back({{field, "limit"}, "Must be 1 to " + std::to_string(kMaxRateLimit)});
  }
  if (limit.window_seconds < 1 || limit.window_seconds > kMaxRateWindowSeconds) {
    problems.push_back(
        {{field, "windowSeconds"}, "Must be 1 to " + std::to_string(kMaxRateWindowSeconds)});
  }
  if (!problems.empty()) return core::Validation(std::move(problems));
  return {};
}

ApiKeyService::ApiKeyService(store::Database& db, const core::Clock& clock,
                             users::UserService& users, const audit::Recorder& recorder,
                             events::Bus& bus, ApiKeyOptions options)
    : db_(db), clock_(clock), users_(users), recorder_(recorder), bus_(bus), options_(options) {
  bus_.Subscribe(kChangedTopic, [this](const events::Event& event) {
    const auto* id = event.data.if_contains("id");
    DropCached(id != nullptr && id->is_string() ? std::string(id->get_string()) : std::string());
  });
  bus_.OnResync([this] { DropCached(""); });
  if (options_.background_flush) flusher_ = std::thread([this] { FlushLoop(); });
}

ApiKeyService::~ApiKeyService() { Stop(); }

core::Result<std::shared_ptr<const users::AccessProfile>> ApiKeyService::OwnerAccess(
    const std::string& id) {
  return users_.Access(id);
}

core::Result<IssuedKey> ApiKeyService::Create(const core::Principal& actor, const NewKey& input,
                                              const core::RequestMeta& meta) {
  if (auto s = ValidateName(input.name); !s) return s.error();
  if (auto s = ValidateDescription(input.description); !s) return s.error();
  if (auto s = ValidateScopes(input.scopes, "scopes"); !s) return s.error();
  if (input.expires_in_seconds &&
      (*input.expires_in_seconds < 1 || *input.expires_in_seconds > kMaxExpiresInSeconds)) {
    return core::Validation(
        {{{"expiresIn"}, "Must be 1 to " + std::to_string(kMaxExpiresInSeconds) + " seconds"}});
  }
  if (input.rate_limit) {
    if (auto s = ValidateRateLimit(*input.rate_limit, "rateLimit"); !s) return s.error();
  }

  auto owner = users_.FindByIdentifier(input.owner);
  if (!owner) return owner.error();
  if (owner->status != users::UserStatus::kActive) {
    return core::FailedPrecondition("API keys can only be created for active users.",
                                    "UserNotActive");
  }
  auto profile = OwnerAccess(owner->id);
  if (!profile) return profile.error();
  const std::vector<std::string> scopes = Unique(input.scopes);
  if (auto s = CheckScopesAllowed(actor, owner->id, (*profile)->grants.get(), scopes); !s) {
    return s.error();
  }

  const std::int64_t now = NowMs();
  GeneratedKey generated = GenerateKey();
  IssuedKey issued;
  ApiKey& key = issued.key;
  key.id = core::NewUuidV7();
  key.public_id = generated.public_id;
  key.user_id = owner->id;
  key.name = input.name;
  key.description = input.description;
  key.scopes = scopes;
  key.secret_hash = security::Sha256Hex(generated.plaintext);
  key.is_active = true;
  if (input.expires_in_seconds) key.expires_at = now + *input.expires_in_seconds * 1000;
  key.rate_limit = input.rate_limit;
  key.created_at = now;
  key.updated_at = now;
  issued.plaintext = std::move(generated.plaintext);

  boost::json::object metadata{{"name", key.name},
                               {"prefix", DisplayPrefix(key.public_id)},
                               {"scopes", core::JsonStrings(key.scopes)}};
  if (key.expires_at)
    metadata.emplace("expiresAt", core::FormatIso8601(core::FromUnixMillis(*key.expires_at)));
  if (key.rate_limit) {
    metadata.emplace("rateLimit",
                     boost::json::object{{"limit", key.rate_limit->limit},
                                         {"windowSeconds", key.rate_limit->window_seconds}});
  }
  auto written = db_.Write([&](soci::session& s) -> core::Status {
    repo::InsertKey(s, key);
    recorder_.Record(s, meta,
                     {.event_type = audit::types::kApiKeyCreated,
                      .user_id = key.user_id,
                      .resource_type = kResourceType,
                      .resource_id = key.id,
                      .description = "API key created",
                      .metadata = metadata});
    return {};
  });
  if (!written) return written.error();
  return issued;
}

core::Result<KeyPage> ApiKeyService::List(const KeyFilter& filter) {
  repo::ListQuery query;
  query.user_id = filter.user_id;
  query.active = filter.active;
  query.now = NowMs();
  query.limit = std::clamp<std::int64_t>(filter.per_page, 1, 100);
  query.offset = (std::max<std::int64_t>(filter.page, 1) - 1) * query.limit;
  return db_.Read([&](soci::session& s) -> core::Result<KeyPage> {
    KeyPage page;
    page.total = repo::CountKeys(s, query);
    page.keys = repo::ListKeys(s, query);
    return page;
  });
}

core::Result<ApiKey> ApiKeyService::Get(const std::string& key_id,
                                        const std::optional<std::string>& owner) {
  auto key = db_.Read([&](soci::session& s) -> core::Result<std::optional<ApiKey>> {
    return repo::FindKey(s, key_id);
  });
  if (!key) return key.error();
  if (!key->has_value() || (owner && (**key).user_id != *owner)) return KeyNotFound();
  return std::move(**key);
}

core::Result<ApiKey> ApiKeyService::Update(const core::Principal& actor, const std::string& key_id,
                                           const KeyUpdate& update, const core::RequestMeta& meta) {
  if (update.name) {
    if (auto s = ValidateName(*update.name); !s) return s.error();
  }
  if (update.description) {
    if (auto s = ValidateDescription(*update.description); !s) return s.error();
  }
  if (update.scopes) {
    if (auto s = ValidateScopes(*update.scopes, "scopes"); !s) return s.error();
  }
  if (update.rate_limit && *update.rate_limit) {
    if (auto s = ValidateRateLimit(**update.rate_limit, "rateLimit"); !s) return s.error();
  }
  auto current = Get(key_id);
  if (!current) return current.error();
  std::shared_ptr<const users::AccessProfile> profile;
  if (update.scopes) {
    auto access = OwnerAccess(current->user_id);
    if (!access) return access.error();
    profile = std::move(*access);
  }

  bool changed = false;
  auto updated = db_.Write([&](soci::session& s) -> core::Result<ApiKey> {
    auto found = repo::FindKey(s, current->id);
    if (!found) return KeyNotFound();
    ApiKey key = std::move(*found);
    const std::int64_t now = NowMs();
    std::vector<std::string> changes;
    if (update.name && *update.name != key.name) {
      key.name = *update.name;
      changes.push_back("name");
    }
    if (update.description && *update.description != key.description) {
      key.description = *update.description;
      changes.push_back("description");
    }
    if (update.scopes) {
      const std::vector<std::string> next = Unique(*update.scopes);
      if (next != key.scopes) {
        // Only what the change adds must pass the no-escalation rule; narrowing is always fine.
        std::vector<std::string> added;
        for (const auto& scope : next) {
          if (std::find(key.scopes.begin(), key.scopes.end(), scope) == key.scopes.end()) {
            added.push_back(scope);
          }
        }
        if (auto st = CheckScopesAllowed(actor, key.user_id, profile->grants.get(), added); !st) {
          return st.error();
        }
        key.scopes = next;
        changes.push_back("scopes");
      }
    }
    if (update.rate_limit && *update.rate_limit != key.rate_limit) {
      key.rate_limit = *update.rate_limit;
      changes.push_back("rateLimit");
    }
    if (update.is_active && *update.is_active != key.is_active) {
      if (*update.is_active && key.Rotated()) {
        return core::FailedPrecondition("A rotated API key cannot be reactivated.",
                                        "ApiKeyRotated");
      }
      key.is_active = *update.is_active;
      changes.push_back("isActive");
    }
    // Deactivating a rotated key ends what is left of its grace period.
    if (update.is_active && !*update.is_active && key.grace_until && *key.grace_until > now) {
      key.grace_until = now;
      if (std::find(changes.begin(), changes.end(), "isActive") == changes.end()) {
        changes.push_back("isActive");
      }
    }
    if (changes.empty()) return key;
    changed = true;
    key.updated_at = now;
    repo::UpdateKey(s, key);
    boost::json::object metadata{{"changes", core::JsonStrings(changes)},
                                 {"prefix", DisplayPrefix(key.public_id)}};
    if (std::find(changes.begin(), changes.end(), "scopes") != changes.end()) {
      metadata.emplace("scopes", core::JsonStrings(key.scopes));
    }
    if (std::find(changes.begin(), changes.end(), "isActive") != changes.end()) {
      metadata.emplace("isActive", key.is_active);
    }
    recorder_.Record(s, meta,
                     {.event_type = audit::types::kApiKeyUpdated,
                      .user_id = key.user_id,
                      .resource_type = kResourceType,
                      .resource_id = key.id,
                      .description = "API key updated",
                      .metadata = std::move(metadata)});
    return key;
  });
  if (updated && changed) Invalidate(updated->id);
  return updated;
}

core::Result<ApiKey> ApiKeyService::Deactivate(const core::Principal& actor,
                                               const std::string& key_id,
                                               const std::optional<std::string>& owner,
                                               const core::RequestMeta& meta) {
  bool changed = false;
  auto result = db_.Write([&](soci::session& s) -> core::Result<ApiKey> {
    auto found = repo::FindKey(s, key_id);
    if (!found || (owner && found->user_id != *owner)) return KeyNotFound();
    ApiKey key = std::move(*found);
    const std::int64_t now = NowMs();
    const bool in_grace = key.grace_until && *key.grace_until > now;
    if (!key.is_active && !in_grace) return key;
    key.is_active = false;
    if (in_grace) key.grace_until = now;
    key.updated_at = now;
    repo::UpdateKey(s, key);
    recorder_.Record(s, meta,
                     {.event_type = audit::types::kApiKeyRevoked,
                      .user_id = key.user_id,
                      .resource_type = kResourceType,
                      .resource_id = key.id,
                      .description = "API key revoked",
                      .metadata = {{"prefix", DisplayPrefix(key.public_id)}, {"name", key.name}}});
    changed = true;
    return key;
  });
  if (result && changed) Invalidate(result->id);
  return result;
}

core::Result<IssuedKey> ApiKeyService::Rotate(const core::Principal& actor,
                                              const std::string& key_id, std::int64_t grace_seconds,
                                              const core::RequestMeta& meta) {
  if (grace_seconds < 0 || grace_seconds > kMaxGraceSeconds) {
    return core::Validation(
        {{{"gracePeriod"}, "Must be 0 to " + std::to_string(kMaxGraceSeconds) + " seconds"}});
  }
  auto current = Get(key_id);
  if (!current) return current.error();
  // Whoever rotates receives a working key: they must hold what it grants (no escalation).
  if (auto s = CheckScopesAllowed(actor, current->user_id, nullptr, current->scopes); !s) {
    return s.error();
  }

  GeneratedKey generated = GenerateKey();
  IssuedKey issued;
  auto written = db_.Write([&](soci::session& s) -> core::Status {
    auto found = repo::FindKey(s, current->id);
    if (!found) return KeyNotFound();
    ApiKey old = std::move(*found);
    const std::int64_t now = NowMs();
    if (old.Rotated()) {
      return core::FailedPrecondition("This API key has already been rotated.",
                                      "ApiKeyAlreadyRotated");
    }
    if (!old.is_active) {
      return core::FailedPrecondition("A deactivated API key cannot be rotated.", "ApiKeyInactive");
    }
    if (old.Expired(now)) {
      return core::FailedPrecondition("An expired API key cannot be rotated.", "ApiKeyExpired");
    }
    ApiKey& key = issued.key;
    key.id = core::NewUuidV7();
    key.public_id = generated.public_id;
    key.user_id = old.user_id;
    key.name = old.name;
    key.description = old.description;
    key.scopes = old.scopes;
    key.secret_hash = security::Sha256Hex(generated.plaintext);
    key.is_active = true;
    if (old.expires_at) key.expires_at = now + (*old.expires_at - old.created_at);
    key.rotated_from = old.id;
    key.rate_limit = old.rate_limit;
    key.created_at = now;
    key.updated_at = now;
    repo::InsertKey(s, key);

    old.is_active = false;
    old.grace_until = now + grace_seconds * 1000;
    old.updated_at = now;
    repo::UpdateKey(s, old);
    recorder_.Record(s, meta,
                     {.event_type = audit::types::kApiKeyRotated,
                      .user_id = old.user_id,
                      .resource_type = kResourceType,
                      .resource_id = old.id,
                      .description = "API key rotated",
                      .metadata = {{"prefix", DisplayPrefix(old.public_id)},
                                   {"newKeyId", key.id},
                                   {"newPrefix", DisplayPrefix(key.public_id)},
                                   {"gracePeriodSeconds", grace_seconds},
                                   {"graceUntil",
                                    core::FormatIso8601(core::FromUnixMillis(*old.grace_until))}}});
    return {};
  });
  if (!written) return written.error();
  issued.plaintext = std::move(generated.plaintext);
  Invalidate(current->id);
  return issued;
}

core::Result<std::shared_ptr<const CachedKey>> ApiKeyService::Lookup(const std::string& public_id) {
  const std::int64_t steady = SteadyMs();
  std::uint64_t generation;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(public_id); it != cache_.end()) {
      if (steady - it->second->loaded_at < options_.cache_ttl.count()) return it->second;
      cache_.erase(it);
    }
    generation = generation_;
  }
  auto found = db_.Read([&](soci::session& s) -> core::Result<std::optional<ApiKey>> {
    return repo::FindByPublicId(s, public_id);
  });
  if (!found) return found.error();
  if (!found->has_value()) return std::shared_ptr<const CachedKey>();
  auto entry = std::make_shared<CachedKey>();
  entry->key = std::move(**found);
  entry->grants = std::make_shared<const authz::GrantSet>(
      authz::GrantSet::Compile(ExpandScopes(entry->key.scopes)));
  entry->loaded_at = steady;
  std::shared_ptr<const CachedKey> shared = std::move(entry);
  std::lock_guard lock(cache_mutex_);
  // Invalidated while we read: serve this request with what we read, but do not keep it.
  if (generation != generation_) return shared;
  if (cache_.size() > 100000) cache_.clear();  // bounded; a miss costs one query
  cache_[public_id] = shared;
  return shared;
}

void ApiKeyService::Invalidate(const std::string& key_id) {
  bus_.Publish(kChangedTopic,
               key_id.empty() ? boost::json::object{} : boost::json::object{{"id", key_id}});
}

void ApiKeyService::DropCached(const std::string& key_id) {
  std::lock_guard lock(cache_mutex_);
  ++generation_;
  if (key_id.empty()) {
    cache_.clear();
    return;
  }
  std::string public_id = key_id;
  if (public_id.starts_with(kKeyPrefix)) public_id.erase(0, kKeyPrefix.size());
  if (cache_.erase(public_id) > 0) return;
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->second->key.id == key_id) {
      cache_.erase(it);
      return;
    }
  }
}

void ApiKeyService::NoteUse(const std::string& key_id, std::int64_t now_ms) {
  usage_.Note(key_id, now_ms);
}

core::Status ApiKeyService::FlushUsage() {
  std::lock_guard flush_lock(flush_mutex_);
  UsageBatch batch = usage_.Drain();
  if (batch.empty()) return {};
  auto written = db_.Write([&](soci::session& s) -> core::Status {
    repo::AddUsage(s, batch);
    return {};
  });
  if (!written) usage_.Restore(std::move(batch));
  return written;
}

void ApiKeyService::FlushLoop() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.usage_flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (auto status = FlushUsage(); !status) {
      spdlog::warn("api key usage not written yet: {}", status.error().internal_message);
    }
    lock.lock();
  }
}

void ApiKeyService::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopped_) return;
    stopping_ = true;
    stopped_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (auto status = FlushUsage(); !status) {
    spdlog::warn("api key usage lost at shutdown: {}", status.error().internal_message);
  }
}

}  // namespace gatehouse::modules::apikeys
