// The API key wire format: "gh_<publicId>_<secret>_<checksum>", all base62 after the prefix.
//   publicId  12 chars (~71 bits), random, stored in clear: the lookup key and the display prefix
//   secret    43 chars (256 bits), random, never stored (the database keeps SHA-256 of the key)
//   checksum   6 chars: CRC-32 of everything before it, base62, so a typo or a leaked-key scanner
//             can tell a real key from noise without asking the server (GitHub's token scheme)
//
//   GeneratedKey key = GenerateKey();                 // key.plaintext shown once, never again
//   std::optional<ParsedKey> parsed = ParseKey(header);   // nullopt: not one of ours, no DB work
//   std::string stored = security::Sha256Hex(key.plaintext);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::modules::apikeys {

inline constexpr std::string_view kKeyPrefix = "gh_";
inline constexpr std::size_t kPublicIdLength = 12;
inline constexpr std::size_t kSecretLength = 43;   // 43 * log2(62) = 256.03 bits
inline constexpr std::size_t kChecksumLength = 6;  // 62^6 > 2^32: a whole CRC-32
inline constexpr std::size_t kKeyLength =
    kKeyPrefix.size() + kPublicIdLength + 1 + kSecretLength + 1 + kChecksumLength;  // 66

struct GeneratedKey {
  std::string public_id;
  std::string plaintext;  // the whole key
};

struct ParsedKey {
  std::string_view public_id;  // views into the presented text
  std::string_view plaintext;
};

// A fresh key from the OS CSPRNG (uniform base62 by rejection sampling).
GeneratedKey GenerateKey();
// A key made of the given parts with its checksum (for tests and GenerateKey).
std::string AssembleKey(std::string_view public_id, std::string_view secret);

// Shape and checksum only; says nothing about whether the key exists.
std::optional<ParsedKey> ParseKey(std::string_view text);
// True for kPublicIdLength base62 characters (what a "gh_…" prefix or a key id may hold).
bool IsPublicId(std::string_view text);

// "gh_<publicId>": what lists show in place of the key.
std::string DisplayPrefix(std::string_view public_id);

// CRC-32 (IEEE 802.3, as zlib computes it) and its fixed-width base62 rendering.
std::uint32_t Crc32(std::string_view data);
std::string Checksum(std::string_view data);

bool IsBase62(std::string_view text);

}  // namespace gatehouse::modules::apikeys
