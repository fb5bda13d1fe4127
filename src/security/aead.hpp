// Authenticated encryption of secret values: XChaCha20-Poly1305 (IETF) from libsodium, with a
// random 192-bit nonce per message, so one key can seal any number of values safely.
//
//   SecretKey key = NewSecretKey();
//   std::string sealed = Seal(key, "hunter2", "cred:0193…|field:password|v1");
//   auto plain = Open(key, sealed, "cred:0193…|field:password|v1");   // "hunter2"
//   auto moved = Open(key, sealed, "cred:OTHER|field:password|v1");   // error: AAD differs
//
// `sealed` is nonce (24 bytes) || ciphertext || tag (16 bytes), raw bytes in a std::string.
// The associated data is authenticated but not stored: the caller rebuilds it from where the
// value lives, so ciphertext copied to another row, field or key version fails to open.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace gatehouse::security {

inline constexpr std::size_t kSecretKeyBytes = 32;
inline constexpr std::size_t kSealOverheadBytes = 24 + 16;  // nonce + tag

// 256 bits of key material. Wiped from memory when destroyed; never logged or printed.
class SecretKey {
 public:
  SecretKey();  // all zero: only as a target to fill
  explicit SecretKey(std::string_view raw);  // exactly kSecretKeyBytes, else std::invalid_argument
  SecretKey(const SecretKey&);
  SecretKey& operator=(const SecretKey&);
  ~SecretKey();

  const unsigned char* data() const { return bytes_.data(); }
  unsigned char* data() { return bytes_.data(); }
  static constexpr std::size_t size() { return kSecretKeyBytes; }
  std::string_view view() const;  // the raw bytes, for wrapping; do not copy further

 private:
  std::array<unsigned char, kSecretKeyBytes> bytes_{};
};

SecretKey NewSecretKey();  // from the OS CSPRNG

std::string Seal(const SecretKey& key, std::string_view plaintext, std::string_view aad);

// Internal error ("decryption failed") when the value is truncated, was sealed under another
// key or AAD, or any byte of it changed. Never returns wrong plaintext.
core::Result<std::string> Open(const SecretKey& key, std::string_view sealed,
                               std::string_view aad);

}  // namespace gatehouse::security
