// Hashes and comparisons for secrets at rest: SHA-256 for API keys and refresh tokens (stored
// hashed, looked up by hash), HMAC-SHA-256 for keyed digests, and constant-time equality.
//
//   std::string stored = Sha256Hex(api_key);                 // 64 lowercase hex chars
//   if (!ConstantTimeEquals(Sha256Hex(presented), stored)) return core::Unauthenticated();
//   std::string mac = HmacSha256(key, message);              // 32 raw bytes
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gatehouse::security {

inline constexpr std::size_t kSha256Bytes = 32;

// Raw 32-byte digest.
std::string Sha256(std::string_view data);

// Lowercase hex of Sha256(data).
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA-256 (RFC 2104); any key length.
std::string HmacSha256(std::string_view key, std::string_view data);

// True when `a` and `b` hold the same bytes. Time depends only on the lengths, never on where
// the contents differ; unequal lengths are simply false (lengths of digests are public anyway).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace gatehouse::security
