// Key usage (lastUsedAt, usageCount) gathered in memory and written in batches: one UPDATE per
// used key every few seconds instead of a write per request.
//
//   usage.Note(key_id, now_ms);                 // on every authenticated request
//   auto batch = usage.Drain();                 // the flusher takes everything so far
//   if (!written) usage.Restore(std::move(batch));   // and gives it back if the write failed
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gatehouse::modules::apikeys {

struct Usage {
  std::int64_t count = 0;
  std::int64_t last_used_ms = 0;
};

using UsageBatch = std::unordered_map<std::string, Usage>;

class UsageAccumulator {
 public:
  void Note(const std::string& key_id, std::int64_t now_ms);
  UsageBatch Drain();
  // Merges a batch that could not be written back in (counts add, latest time wins).
  void Restore(UsageBatch batch);
  bool empty() const;

 private:
  mutable std::mutex mutex_;
  UsageBatch pending_;
};

}  // namespace gatehouse::modules::apikeys
