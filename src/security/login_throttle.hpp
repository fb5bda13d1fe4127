// Brute-force protection for password logins, per account identifier and per client IP.
//
// Every attempt first takes a ticket (Begin). A ticket is refused while the key is in its
// back-off delay, or when the failures of the last hour plus the attempts still in flight
// reach the hourly cap — counting in-flight attempts is what keeps 200 parallel wrong
// passwords from all being evaluated (CVE-2024-4629). Keys are normalised identifiers, so
// "Admin", "admin" and " admin " share one counter, and unknown accounts are throttled exactly
// like real ones, so a lock-out reveals nothing.
//
//   auto ticket = throttle.Begin(normalized_email, client_ip);   // RateLimited when locked
//   bool ok = VerifyPassword(...);
//   throttle.Finish(*ticket, ok);
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace gatehouse::security {

struct LoginThrottleOptions {
  std::size_t account_failures_per_hour = 100;  // at most this many evaluated per account
  std::size_t ip_failures_per_hour = 1000;
  std::size_t free_failures = 5;                // before delays start
  std::chrono::seconds max_delay{15 * 60};      // delays double from 1 s up to this
};

class LoginThrottle {
 public:
  struct Ticket {
    std::string account;
    std::string ip;
  };

  LoginThrottle(const core::Clock& clock, LoginThrottleOptions options = {});

  // RateLimited (with retry_after_seconds) when the attempt must not be evaluated.
  core::Result<Ticket> Begin(const std::string& account, const std::string& ip);
  // Records the outcome; success clears the account's failures (not the IP's).
  void Finish(const Ticket& ticket, bool success);

 private:
  struct Counter {
    std::deque<std::int64_t> failures;  // Unix ms of failures within the last hour
    std::size_t in_flight = 0;
    std::int64_t last_seen = 0;
  };
  struct Limits {
    std::size_t per_hour;
  };

  // Seconds to wait before `counter` may try again, 0 when it may now.
  std::int64_t WaitSeconds(Counter& counter, std::size_t cap, std::int64_t now) const;
  void Forget(std::int64_t now);

  const core::Clock& clock_;
  LoginThrottleOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Counter> accounts_;
  std::unordered_map<std::string, Counter> ips_;
  std::int64_t last_sweep_ = 0;
};

}  // namespace gatehouse::security
