// Cryptographically secure randomness: raw bytes, and opaque tokens for the wire (refresh
// tokens, API key secrets, JWT ids). Backed by libsodium's randombytes (the OS CSPRNG).
//
//   std::string salt = RandomBytes(16);         // 16 raw bytes
//   std::string refresh = RandomToken();        // 43 base64url chars = 256 bits
//   std::string jti = RandomToken(16);          // 22 chars = 128 bits
#pragma once

#include <cstddef>
#include <string>

namespace gatehouse::security {

// 256 bits: beyond guessing even with many live tokens and unlimited online attempts.
inline constexpr std::size_t kDefaultTokenBytes = 32;

// `n` random bytes. Raw bytes travel in std::string throughout src/security.
std::string RandomBytes(std::size_t n);

// `bytes` random bytes, base64url-encoded without padding (URL, header and cookie safe).
std::string RandomToken(std::size_t bytes = kDefaultTokenBytes);

}  // namespace gatehouse::security
