// A counting semaphore with a bounded wait, for work that is expensive in memory or CPU
// (argon2id: 19 MiB per hash). Callers that cannot get a slot soon are turned away with 503
// rather than queued, so a login flood cannot pile up memory or latency.
//
//   ConcurrencyLimiter limiter(/*max_concurrent=*/4, std::chrono::seconds(2));
//   auto permit = limiter.Acquire();                     // waits at most 2 s
//   if (!permit) return core::Unavailable("argon2 slots busy");
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>

namespace gatehouse::security {

class ConcurrencyLimiter {
 public:
  // Holds one slot until destroyed. Move-only.
  class Permit {
   public:
    Permit(Permit&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

   private:
    friend class ConcurrencyLimiter;
    explicit Permit(ConcurrencyLimiter* owner) : owner_(owner) {}
    ConcurrencyLimiter* owner_;
  };

  // `max_concurrent` 0 means one slot per hardware thread.
  ConcurrencyLimiter(unsigned max_concurrent, std::chrono::milliseconds max_wait);
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  // A slot, waiting up to max_wait() for one; nullopt when none came free in time.
  std::optional<Permit> Acquire();
  // A slot only if one is free right now.
  std::optional<Permit> TryAcquire();

  unsigned capacity() const { return capacity_; }
  std::chrono::milliseconds max_wait() const { return max_wait_; }
  // Gauges for metrics.
  unsigned InUse() const;
  std::size_t Waiting() const;

 private:
  void Release();

  const unsigned capacity_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  unsigned in_use_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace gatehouse::security
