#include "security/verified_token_cache.hpp"

#include <functional>

namespace gatehouse::security {

VerifiedTokenCache::VerifiedTokenCache(std::size_t max_entries)
    : max_per_shard_(max_entries / kShards + 1) {}

VerifiedTokenCache::Shard& VerifiedTokenCache::ShardFor(std::string_view token) const {
  return shards_[std::hash<std::string_view>{}(token) % kShards];
}

std::optional<CachedClaims> VerifiedTokenCache::Find(std::string_view token,
                                                     std::int64_t now_ms) const {
  Shard& shard = ShardFor(token);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(token);
  if (it == shard.entries.end()) return std::nullopt;
  if (it->second.expires_at_ms <= now_ms) {
    shard.entries.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void VerifiedTokenCache::Insert(std::string_view token, CachedClaims claims) {
  Shard& shard = ShardFor(token);
  std::lock_guard lock(shard.mutex);
  // Full: start the shard over. Entries are cheap to recompute, and the bound is what matters.
  if (shard.entries.size() >= max_per_shard_) shard.entries.clear();
  shard.entries.insert_or_assign(std::string(token), std::move(claims));
}

}  // namespace gatehouse::security
