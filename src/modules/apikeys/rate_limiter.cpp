#include "modules/apikeys/rate_limiter.hpp"

namespace gatehouse::modules::apikeys {
namespace {

constexpr std::size_t kPruneAbove = 10000;  // windows kept before stale ones are swept

}  // namespace

RateDecision RateLimiter::Hit(const std::string& key_id, const RateLimit& limit,
                              std::int64_t now_ms) {
  const std::int64_t length = (limit.window_seconds > 0 ? limit.window_seconds : 1) * 1000;
  const std::int64_t start = now_ms - (now_ms % length + length) % length;
  std::lock_guard lock(mutex_);
  if (windows_.size() > kPruneAbove) PruneLocked(now_ms);
  Window& window = windows_[key_id];
  if (window.start_ms != start || window.length_ms != length) {
    window = {.start_ms = start, .length_ms = length, .count = 0};
  }
  RateDecision decision;
  decision.limit = limit.limit;
  const std::int64_t end = start + length;
  decision.reset_unix_seconds = (end + 999) / 1000;
  if (window.count >= limit.limit) {
    decision.allowed = false;
    decision.remaining = 0;
    decision.retry_after_seconds = (end - now_ms + 999) / 1000;
    if (decision.retry_after_seconds < 1) decision.retry_after_seconds = 1;
    return decision;
  }
  ++window.count;
  decision.remaining = limit.limit - window.count;
  return decision;
}

void RateLimiter::Forget(const std::string& key_id) {
  std::lock_guard lock(mutex_);
  windows_.erase(key_id);
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

void RateLimiter::PruneLocked(std::int64_t now_ms) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (it->second.start_ms + it->second.length_ms <= now_ms) {
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace gatehouse::modules::apikeys
