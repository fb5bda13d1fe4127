#include "security/random.hpp"

#include <sodium.h>

#include "security/base64url.hpp"
#include "security/sodium_init.hpp"

namespace gatehouse::security {

std::string RandomBytes(std::size_t n) {
  EnsureSodium();
  std::string out(n, '\0');
  if (n > 0) randombytes_buf(out.data(), out.size());
  return out;
}

std::string RandomToken(std::size_t bytes) {
  std::string raw = RandomBytes(bytes);
  std::string token = Base64UrlEncode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

}  // namespace gatehouse::security
