// SQL for API keys. Functions take the caller's soci::session so the service can check, change
// and audit in one transaction; SOCI exceptions become core::Error in store::Database.
//
//   auto key = repo::FindKey(s, key_id);            // by id or by "gh_<publicId>"/publicId
//   repo::UpdateKey(s, *key);
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modules/apikeys/model.hpp"
#include "modules/apikeys/usage.hpp"

namespace gatehouse::modules::apikeys::repo {

struct ListQuery {
  std::optional<std::string> user_id;
  std::optional<bool> active;  // true: is_active and not expired at `now`; false: the rest
  std::int64_t now = 0;
  std::int64_t limit = 30;
  std::int64_t offset = 0;
};

// `key_id`: the UUID, the public id, or the display prefix "gh_<publicId>".
std::optional<ApiKey> FindKey(soci::session& s, const std::string& key_id);
std::optional<ApiKey> FindByPublicId(soci::session& s, const std::string& public_id);
// Newest first.
std::vector<ApiKey> ListKeys(soci::session& s, const ListQuery& query);
std::int64_t CountKeys(soci::session& s, const ListQuery& query);
void InsertKey(soci::session& s, const ApiKey& key);
// Writes the mutable columns: name, description, scopes, is_active, grace_until, rate limit,
// updated_at.
void UpdateKey(soci::session& s, const ApiKey& key);
// Adds each batch entry to usage_count and moves last_used_at forward (never back).
void AddUsage(soci::session& s, const UsageBatch& batch);

}  // namespace gatehouse::modules::apikeys::repo
