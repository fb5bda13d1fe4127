// Identifiers: time-ordered UUIDv7 strings for rows, random tokens for secrets.
//
//   std::string id = NewUuidV7();            // "01929d3c-7a1e-7b2c-9f3e-4a5b6c7d8e9f"
//   std::string req = RandomHex(8);          // 16 hex characters
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gatehouse::core {

// RFC 9562 UUIDv7: 48-bit Unix milliseconds, then a 12-bit counter that keeps ids created in
// the same millisecond ordered, then 62 random bits.
std::string NewUuidV7();

// True for the canonical lower- or upper-case 8-4-4-4-12 form of any UUID version.
bool IsUuid(std::string_view text);

// `bytes` bytes from the operating system's CSPRNG, hex-encoded (2 * bytes characters).
std::string RandomHex(std::size_t bytes);

// 16 hex characters from a per-thread generator seeded by the CSPRNG: unique enough to label
// requests and log lines, cheap enough for every request, and never to be used as a secret.
std::string FastId();

}  // namespace gatehouse::core
