#include "security/concurrency_limiter.hpp"

#include <algorithm>
#include <thread>

namespace gatehouse::security {

// A mutex + condition variable rather than std::counting_semaphore: libstdc++ 12's
// try_acquire_for has had lost-wakeup bugs (PR 104928), and we want the waiting gauge anyway.

ConcurrencyLimiter::ConcurrencyLimiter(unsigned max_concurrent, std::chrono::milliseconds max_wait)
    : capacity_(max_concurrent > 0 ? max_concurrent
                                   : std::max(1u, std::thread::hardware_concurrency())),
      max_wait_(std::max(max_wait, std::chrono::milliseconds(0))) {}

std::optional<ConcurrencyLimiter::Permit> ConcurrencyLimiter::Acquire() {
  std::unique_lock lock(mutex_);
  if (in_use_ >= capacity_) {
    ++waiting_;
    const bool got = freed_.wait_for(lock, max_wait_, [this] { return in_use_ < capacity_; });
    --waiting_;
    if (!got) return std::nullopt;
  }
  ++in_use_;
  return Permit(this);
}

std::optional<ConcurrencyLimiter::Permit> ConcurrencyLimiter::TryAcquire() {
  std::lock_guard lock(mutex_);
  if (in_use_ >= capacity_) return std::nullopt;
  ++in_use_;
  return Permit(this);
}

unsigned ConcurrencyLimiter::InUse() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

std::size_t ConcurrencyLimiter::Waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

void ConcurrencyLimiter::Release() {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
  }
  freed_.notify_one();
}

ConcurrencyLimiter::Permit& ConcurrencyLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->Release();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

ConcurrencyLimiter::Permit::~Permit() {
  if (owner_) owner_->Release();
}

}  // namespace gatehouse::security
