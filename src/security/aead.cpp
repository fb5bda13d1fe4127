#include "security/aead.hpp"

#include <sodium.h>

#include <stdexcept>

#include "security/sodium_init.hpp"

namespace gatehouse::security {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kSecretKeyBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                  crypto_aead_xchacha20poly1305_ietf_ABYTES ==
              kSealOverheadBytes);

namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

SecretKey::SecretKey() = default;

SecretKey::SecretKey(std::string_view raw) {
  if (raw.size() != kSecretKeyBytes) throw std::invalid_argument("a secret key is 32 bytes");
  std::copy(raw.begin(), raw.end(), bytes_.begin());
}

SecretKey::SecretKey(const SecretKey&) = default;
SecretKey& SecretKey::operator=(const SecretKey&) = default;

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

std::string_view SecretKey::view() const {
  return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
}

SecretKey NewSecretKey() {
  EnsureSodium();
  SecretKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
  return key;
}

std::string Seal(const SecretKey& key, std::string_view plaintext, std::string_view aad) {
  EnsureSodium();
  std::string sealed(kNonceBytes + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES,
                     '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(aad), aad.size(), nullptr,
                                             out, key.data());
  sealed.resize(kNonceBytes + written);
  return sealed;
}

core::Result<std::string> Open(const SecretKey& key, std::string_view sealed,
                               std::string_view aad) {
  EnsureSodium();
  if (sealed.size() < kSealOverheadBytes) return core::Internal("decryption failed: truncated");
  std::string plain(sealed.size() - kSealOverheadBytes, '\0');
  unsigned long long written = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr,
      Bytes(sealed) + kNonceBytes, sealed.size() - kNonceBytes, Bytes(aad), aad.size(),
      Bytes(sealed), key.data());
  if (rc != 0) {
    sodium_memzero(plain.data(), plain.size());
    return core::Internal("decryption failed: wrong key, wrong context or altered data");
  }
  plain.resize(written);
  return plain;
}

}  // namespace gatehouse::security
