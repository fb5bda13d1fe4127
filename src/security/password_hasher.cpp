#include "security/password_hasher.hpp"

#include <sodium.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "core/json.hpp"
#include "security/random.hpp"
#include "security/sodium_init.hpp"

namespace gatehouse::security {

namespace {

using EncodedBuffer = std::array<char, crypto_pwhash_STRBYTES>;

// libsodium wants a NUL-terminated string of fewer than crypto_pwhash_STRBYTES bytes.
std::optional<EncodedBuffer> ToBuffer(std::string_view encoded) {
  if (encoded.size() >= crypto_pwhash_STRBYTES || encoded.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  EncodedBuffer buffer{};
  std::memcpy(buffer.data(), encoded.data(), encoded.size());
  return buffer;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

core::Error Saturated() {
  return core::Unavailable("password hashing: no argon2 slot free within the wait limit");
}

}  // namespace

core::Status PasswordHasher::CheckParams(const PasswordParams& params) {
  if (params.ops_limit < crypto_pwhash_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_OPSLIMIT_MAX) {
    return core::InvalidArgument("argon2 ops limit out of range");
  }
  if (params.mem_limit < crypto_pwhash_MEMLIMIT_MIN ||
      params.mem_limit > crypto_pwhash_MEMLIMIT_MAX) {
    return core::InvalidArgument("argon2 memory limit out of range (min 8 KiB)");
  }
  return {};
}

PasswordHasher::PasswordHasher(PasswordParams params, unsigned max_concurrent,
                               std::chrono::milliseconds max_wait)
    : PasswordHasher(params, std::make_shared<ConcurrencyLimiter>(max_concurrent, max_wait)) {}

PasswordHasher::PasswordHasher(PasswordParams params, std::shared_ptr<ConcurrencyLimiter> limiter)
    : params_(params), limiter_(std::move(limiter)) {
  EnsureSodium();
  if (!limiter_) throw std::invalid_argument("PasswordHasher: null limiter");
  if (auto status = CheckParams(params_); !status) {
    throw std::invalid_argument("PasswordHasher: " + status.error().public_message);
  }
  // A hash of a random password nobody knows, with our params, so DummyVerify costs a real
  // verification. Not taken through the limiter: this runs once, at start-up.
  const std::string secret = RandomToken();
  EncodedBuffer out{};
  if (crypto_pwhash_str(out.data(), secret.data(), secret.size(), params_.ops_limit,
                        params_.mem_limit) != 0) {
    throw std::runtime_error("PasswordHasher: argon2id failed (out of memory?)");
  }
  dummy_hash_ = out.data();
}

core::Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  auto permit = limiter_->Acquire();
  if (!permit) return Saturated();
  EncodedBuffer out{};
  errno = 0;
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), params_.ops_limit,
                        params_.mem_limit) != 0) {
    if (errno == ENOMEM) return core::Unavailable("argon2id hash: out of memory");
    return core::Internal("argon2id hash failed");
  }
  return std::string(out.data());
}

core::Result<bool> PasswordHasher::Verify(std::string_view password,
                                          std::string_view encoded) const {
  auto buffer = ToBuffer(encoded);
  if (!buffer || !(StartsWith(encoded, "$argon2id$") || StartsWith(encoded, "$argon2i$"))) {
    return core::Internal("stored password hash is not an argon2 PHC string");
  }
  // needs_rehash parses the string fully; -1 means it is malformed, which verify would
  // otherwise report as a plain mismatch.
  if (StartsWith(encoded, "$argon2id$") &&
      crypto_pwhash_str_needs_rehash(buffer->data(), params_.ops_limit, params_.mem_limit) == -1) {
    return core::Internal("stored argon2id hash is malformed");
  }
  auto permit = limiter_->Acquire();
  if (!permit) return Saturated();
  errno = 0;
  if (crypto_pwhash_str_verify(buffer->data(), password.data(), password.size()) == 0) {
    return true;
  }
  // A mismatch sets EINVAL; ENOMEM means we could not even try.
  if (errno == ENOMEM) return core::Unavailable("argon2 verify: out of memory");
  return false;
}

core::Status PasswordHasher::DummyVerify(std::string_view password) const {
  auto permit = limiter_->Acquire();
  if (!permit) return Saturated();
  const int rc = crypto_pwhash_str_verify(dummy_hash_.c_str(), password.data(), password.size());
  (void)rc;  // only the time spent matters
  return {};
}

bool PasswordHasher::NeedsRehash(std::string_view encoded) const {
  auto buffer = ToBuffer(encoded);
  if (!buffer) return true;
  // 1 = other params, -1 = not an argon2id string we can read: both deserve a fresh hash.
  return crypto_pwhash_str_needs_rehash(buffer->data(), params_.ops_limit, params_.mem_limit) != 0;
}

core::Status ValidatePassword(std::string_view password, std::string_view field) {
  const std::vector<std::string> path{std::string(field)};
  const auto length = core::Utf8Length(password);
  if (!length) return core::Validation({{path, "Must be valid UTF-8"}});
  if (*length < kMinPasswordLength) {
    return core::Validation(
        {{path, "Must be at least " + std::to_string(kMinPasswordLength) + " characters"}});
  }
  if (*length > kMaxPasswordLength) {
    return core::Validation(
        {{path, "Must be at most " + std::to_string(kMaxPasswordLength) + " characters"}});
  }
  return {};
}

}  // namespace gatehouse::security
