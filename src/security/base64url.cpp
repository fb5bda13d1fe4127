#include "security/base64url.hpp"

#include <sodium.h>

#include "security/sodium_init.hpp"

namespace gatehouse::security {

namespace {
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  EnsureSodium();
  // sodium_base64_ENCODED_LEN counts the trailing NUL that sodium_bin2base64 writes.
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  EnsureSodium();
  if (text.size() % 4 == 1) return std::nullopt;  // no byte count encodes to 4k+1 characters
  std::string out(text.size() / 4 * 3 + 2, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  // No ignore set; libsodium also rejects non-zero padding bits, which keeps decoding canonical.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace gatehouse::security
