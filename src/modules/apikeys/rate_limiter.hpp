// Per-key request limits (optional, like Unkey's): a fixed window of `window_seconds` aligned to
// the Unix epoch, at most `limit` requests in each. In memory and per node: a deployment of N
// nodes behind a balancer admits up to N times the limit.
//
//   RateLimiter limiter;
//   RateDecision d = limiter.Hit(key_id, {.limit = 100, .window_seconds = 60}, now_ms);
//   if (!d.allowed) return core::RateLimited();   // with d.retry_after_seconds
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gatehouse::modules::apikeys {

struct RateLimit {
  std::int64_t limit = 0;           // requests per window, >= 1
  std::int64_t window_seconds = 0;  // >= 1
  bool operator==(const RateLimit&) const = default;
};

struct RateDecision {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;            // after this request
  std::int64_t reset_unix_seconds = 0;   // when the current window ends
  std::int64_t retry_after_seconds = 0;  // > 0 when refused
};

class RateLimiter {
 public:
  // Counts one request for `key_id` at `now_ms` (Unix milliseconds) and decides on it. A refused
  // request is not counted.
  RateDecision Hit(const std::string& key_id, const RateLimit& limit, std::int64_t now_ms);
  // Forgets a key's window (its limit changed, or it was revoked).
  void Forget(const std::string& key_id);
  std::size_t size() const;

 private:
  struct Window {
    std::int64_t start_ms = 0;
    std::int64_t length_ms = 0;
    std::int64_t count = 0;
  };
  void PruneLocked(std::int64_t now_ms);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace gatehouse::modules::apikeys
