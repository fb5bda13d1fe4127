// Password storage: argon2id (libsodium's crypto_pwhash_str, PHC string format) at OWASP
// parameters, behind a concurrency limit so a login flood gets 503s instead of exhausting memory.
//
//   PasswordHasher hasher(PasswordParams{}, /*max_concurrent=*/2);
//   auto encoded = hasher.Hash(password);                 // "$argon2id$v=19$m=19456,t=2,p=1$..."
//   auto ok = user ? hasher.Verify(password, user->hash) : hasher.DummyVerify(password);
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "security/concurrency_limiter.hpp"

namespace gatehouse::security {

// OWASP Password Storage Cheat Sheet, argon2id option 2: m = 19 MiB, t = 2, p = 1
// (libsodium always uses p = 1). About 57 hashes/s per core on our machines (DESIGN.md §5).
inline constexpr unsigned long long kOwaspOpsLimit = 2;
inline constexpr std::size_t kOwaspMemLimit = 19u * 1024 * 1024;
// Long enough to ride out a burst, short enough that clients see 503 before they time out.
inline constexpr std::chrono::milliseconds kDefaultHashWait{2000};

// Password policy (NIST SP 800-63B): length in Unicode code points, no composition rules.
inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 128;

struct PasswordParams {
  unsigned long long ops_limit = kOwaspOpsLimit;  // argon2 t (passes over memory)
  std::size_t mem_limit = kOwaspMemLimit;         // bytes; argon2 m = mem_limit / 1024 KiB
};

class PasswordHasher {
 public:
  // Owns a limiter of `max_concurrent` slots (0 = one per hardware thread); a caller waiting
  // longer than `max_wait` for a slot gets core::Unavailable. Computes the dummy hash here,
  // so construction costs one hash. Throws std::invalid_argument if CheckParams fails.
  PasswordHasher(PasswordParams params, unsigned max_concurrent,
                 std::chrono::milliseconds max_wait = kDefaultHashWait);
  // Shares `limiter` with other users of the same memory budget.
  PasswordHasher(PasswordParams params, std::shared_ptr<ConcurrencyLimiter> limiter);

  // PHC-format argon2id string with a fresh random salt. Unavailable when saturated or out of
  // memory.
  core::Result<std::string> Hash(std::string_view password) const;

  // true = match, false = wrong password. Unavailable when saturated; Internal when `encoded`
  // is not an argon2 PHC string (a corrupt row: log it, answer as for a wrong password).
  // Verifies hashes made with other parameters or with argon2i too (see NeedsRehash).
  core::Result<bool> Verify(std::string_view password, std::string_view encoded) const;

  // Costs what Verify costs, for logins of unknown users or users without a password, so
  // response time does not reveal whether an account exists. Unavailable when saturated.
  core::Status DummyVerify(std::string_view password) const;

  // True when `encoded` was not made by Hash with the current params (or is not argon2id):
  // after a successful login, store a fresh Hash of the password.
  bool NeedsRehash(std::string_view encoded) const;

  const PasswordParams& params() const { return params_; }
  ConcurrencyLimiter& limiter() const { return *limiter_; }
  // The hash DummyVerify checks against: made by Hash, so it carries the current params.
  const std::string& dummy_hash() const { return dummy_hash_; }

  // Whether libsodium accepts the params (ops >= 1, mem >= 8 KiB, within its maxima).
  static core::Status CheckParams(const PasswordParams& params);

 private:
  PasswordParams params_;
  std::shared_ptr<ConcurrencyLimiter> limiter_;
  std::string dummy_hash_;
};

// New-password policy: valid UTF-8, kMinPasswordLength..kMaxPasswordLength code points. Fails
// with a validation error on `field`. Passwords are hashed byte for byte, never truncated or
// trimmed, so what the user typed is exactly what must be typed again.
core::Status ValidatePassword(std::string_view password, std::string_view field = "password");

}  // namespace gatehouse::security
