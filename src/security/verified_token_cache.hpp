// Remembers access tokens whose signature and claims already verified, until they expire, so
// a client sending the same bearer token on every request pays for one Ed25519 verification
// (~40 µs) rather than one per request. Only successful verifications are stored; revocation
// is still checked on every request by the caller.
//
//   if (auto hit = cache.Find(token, now_ms)) use(*hit);
//   else if (auto claims = tokens.Verify(token)) cache.Insert(token, {claims->sub, claims->sid, exp_ms});
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gatehouse::security {

struct CachedClaims {
  std::string sub;
  std::string sid;
  std::int64_t expires_at_ms = 0;
};

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(std::size_t max_entries = 65536);

  std::optional<CachedClaims> Find(std::string_view token, std::int64_t now_ms) const;
  void Insert(std::string_view token, CachedClaims claims);

 private:
  static constexpr std::size_t kShards = 16;
  // Transparent hashing: lookups by string_view allocate nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, CachedClaims, Hash, std::equal_to<>> entries;
  };
  Shard& ShardFor(std::string_view token) const;

  std::size_t max_per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace gatehouse::security
