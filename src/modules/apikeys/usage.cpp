#include "modules/apikeys/usage.hpp"

#include <algorithm>

namespace gatehouse::modules::apikeys {

void UsageAccumulator::Note(const std::string& key_id, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Usage& usage = pending_[key_id];
  ++usage.count;
  usage.last_used_ms = std::max(usage.last_used_ms, now_ms);
}

UsageBatch UsageAccumulator::Drain() {
  std::lock_guard lock(mutex_);
  UsageBatch out;
  out.swap(pending_);
  return out;
}

void UsageAccumulator::Restore(UsageBatch batch) {
  std::lock_guard lock(mutex_);
  for (auto& [id, usage] : batch) {
    Usage& into = pending_[id];
    into.count += usage.count;
    into.last_used_ms = std::max(into.last_used_ms, usage.last_used_ms);
  }
}

bool UsageAccumulator::empty() const {
  std::lock_guard lock(mutex_);
  return pending_.empty();
}

}  // namespace gatehouse::modules::apikeys
