#include "security/login_throttle.hpp"

#include <algorithm>

namespace gatehouse::security {
namespace {
constexpr std::int64_t kHourMs = 3600 * 1000;
}

LoginThrottle::LoginThrottle(const core::Clock& clock, LoginThrottleOptions options)
    : clock_(clock), options_(options) {}

std::int64_t LoginThrottle::WaitSeconds(Counter& counter, std::size_t cap,
                                        std::int64_t now) const {
  while (!counter.failures.empty() && counter.failures.front() <= now - kHourMs) {
    counter.failures.pop_front();
  }
  const std::size_t pending = counter.failures.size() + counter.in_flight;
  if (pending >= cap) {
    // Wait until the oldest failure leaves the hour window.
    if (counter.failures.empty()) return 1;
    return std::max<std::int64_t>(1, (counter.failures.front() + kHourMs - now + 999) / 1000);
  }
  if (pending < options_.free_failures) return 0;
  // Exponential back-off after the free failures, measured from the latest failure. Attempts
  // in flight count as failures, so parallel guesses queue behind each other.
  const std::size_t excess = pending - options_.free_failures;
  const std::int64_t delay_s = std::min<std::int64_t>(
      options_.max_delay.count(), std::int64_t{1} << std::min<std::size_t>(excess, 20));
  const std::int64_t last = counter.failures.empty() ? now : counter.failures.back();
  const std::int64_t ready = last + delay_s * 1000;
  if (counter.in_flight > 0 || ready > now) {
    return std::max<std::int64_t>(1, (ready - now + 999) / 1000);
  }
  return 0;
}

void LoginThrottle::Forget(std::int64_t now) {
  // Drop idle counters now and then so memory stays bounded under a spray of identifiers.
  if (now - last_sweep_ < 60 * 1000) return;
  last_sweep_ = now;
  auto stale = [&](const auto& entry) {
    const Counter& c = entry.second;
    return c.in_flight == 0 && c.last_seen <= now - kHourMs;
  };
  std::erase_if(accounts_, stale);
  std::erase_if(ips_, stale);
}

core::Result<LoginThrottle::Ticket> LoginThrottle::Begin(const std::string& account,
                                                         const std::string& ip) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  std::lock_guard lock(mutex_);
  Forget(now);
  Counter& by_account = accounts_[account];
  Counter& by_ip = ips_[ip];
  const std::int64_t wait = std::max(WaitSeconds(by_account, options_.account_failures_per_hour, now),
                                     WaitSeconds(by_ip, options_.ip_failures_per_hour, now));
  by_account.last_seen = now;
  by_ip.last_seen = now;
  if (wait > 0) {
    core::Error error = core::RateLimited("Too many failed login attempts. Try again later.");
    error.name = "TooManyAttempts";
    error.retry_after_seconds = static_cast<int>(wait);
    return error;
  }
  ++by_account.in_flight;
  ++by_ip.in_flight;
  return Ticket{account, ip};
}

void LoginThrottle::Finish(const Ticket& ticket, bool success) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  std::lock_guard lock(mutex_);
  Counter& by_account = accounts_[ticket.account];
  Counter& by_ip = ips_[ticket.ip];
  if (by_account.in_flight > 0) --by_account.in_flight;
  if (by_ip.in_flight > 0) --by_ip.in_flight;
  if (success) {
    by_account.failures.clear();
  } else {
    by_account.failures.push_back(now);
    by_ip.failures.push_back(now);
  }
}

}  // namespace gatehouse::security
