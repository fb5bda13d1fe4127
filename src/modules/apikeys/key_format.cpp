#include "modules/apikeys/key_format.hpp"

#include <array>

#include "security/random.hpp"

namespace gatehouse::modules::apikeys {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = MakeCrcTable();

// `n` uniform base62 characters: bytes >= 248 (= 4 * 62) are rejected so every symbol is
// equally likely.
std::string RandomBase62(std::size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    const std::string bytes = security::RandomBytes(n + 8);
    for (unsigned char b : bytes) {
      if (b >= 248) continue;
      out.push_back(kAlphabet[b % 62]);
      if (out.size() == n) break;
    }
  }
  return out;
}

bool IsBase62Char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

std::uint32_t Crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = kCrcTable[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string Checksum(std::string_view data) {
  std::uint64_t value = Crc32(data);
  std::string out(kChecksumLength, '0');
  for (std::size_t i = kChecksumLength; i-- > 0;) {
    out[i] = kAlphabet[value % 62];
    value /= 62;
  }
  return out;
}

bool IsBase62(std::string_view text) {
  for (char c : text) {
    if (!IsBase62Char(c)) return false;
  }
  return true;
}

bool IsPublicId(std::string_view text) { return text.size() == kPublicIdLength && IsBase62(text); }

std::string DisplayPrefix(std::string_view public_id) {
  return std::string(kKeyPrefix) + std::string(public_id);
}

std::string AssembleKey(std::string_view public_id, std::string_view secret) {
  std::string body = DisplayPrefix(public_id);
  body += '_';
  body += secret;
  const std::string checksum = Checksum(body);
  body += '_';
  body += checksum;
  return body;
}

GeneratedKey GenerateKey() {
  GeneratedKey key;
  key.public_id = RandomBase62(kPublicIdLength);
  key.plaintext = AssembleKey(key.public_id, RandomBase62(kSecretLength));
  return key;
}

std::optional<ParsedKey> ParseKey(std::string_view text) {
  if (text.size() != kKeyLength || !text.starts_with(kKeyPrefix)) return std::nullopt;
  const std::size_t id_at = kKeyPrefix.size();
  const std::size_t secret_at = id_at + kPublicIdLength + 1;
  const std::size_t checksum_at = secret_at + kSecretLength + 1;
  if (text[secret_at - 1] != '_' || text[checksum_at - 1] != '_') return std::nullopt;
  const std::string_view public_id = text.substr(id_at, kPublicIdLength);
  const std::string_view secret = text.substr(secret_at, kSecretLength);
  const std::string_view checksum = text.substr(checksum_at);
  if (!IsBase62(public_id) || !IsBase62(secret) || !IsBase62(checksum)) return std::nullopt;
  // Not secret-dependent in any way that matters: the checksum is public knowledge of the key.
  if (Checksum(text.substr(0, checksum_at - 1)) != checksum) return std::nullopt;
  return ParsedKey{public_id, text};
}

}  // namespace gatehouse::modules::apikeys
