#include "modules/vault/value_types.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>

#include "core/json.hpp"

namespace gatehouse::modules::vault {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool HasControl(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\t') return true;
    if (c == 0x7f) return true;
  }
  return false;
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool IsValueType(std::string_view type) {
  for (const char* known : kValueTypes) {
    if (type == known) return true;
  }
  return false;
}

std::vector<std::string> ValueTypes() { return {std::begin(kValueTypes), std::end(kValueTypes)}; }

bool IsIpv4(std::string_view text) {
  // inet_pton accepts exactly dotted-quad decimal without leading zeros on glibc.
  if (text.empty() || text.size() > 15) return false;
  std::string copy(text);
  std::array<unsigned char, 4> out{};
  return inet_pton(AF_INET, copy.c_str(), out.data()) == 1;
}

bool IsIpv6(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  std::string copy(text);
  std::array<unsigned char, 16> out{};
  return inet_pton(AF_INET6, copy.c_str(), out.data()) == 1;
}

bool IsBitlockerKey(std::string_view text) {
  // 48 digits as 8 groups of 6: 123456-123456-… (the recovery password as Windows shows it).
  if (text.size() != 8 * 6 + 7) return false;
  for (std::size_t group = 0; group < 8; ++group) {
    const std::size_t start = group * 7;
    for (std::size_t i = 0; i < 6; ++i) {
      if (!IsDigit(text[start + i])) return false;
    }
    if (group < 7 && text[start + 6] != '-') return false;
  }
  return true;
}

bool IsLicenseKey(std::string_view text) {
  if (text.empty() || text.size() > 200) return false;
  bool previous_dash = true;  // no leading dash
  for (char c : text) {
    if (c == '-') {
      if (previous_dash) return false;
      previous_dash = true;
    } else if (IsAlnum(c)) {
      previous_dash = false;
    } else {
      return false;
    }
  }
  return !previous_dash;  // no trailing dash
}

std::optional<std::string> CheckValue(std::string_view type, std::string_view value) {
  auto length = core::Utf8Length(value);
  if (!length) return "Must be valid UTF-8 text";
  if (*length > kMaxValueLength) {
    return "Must be at most " + std::to_string(kMaxValueLength) + " characters";
  }
  if (type == "plain_text") {
    if (HasControl(value)) return "Must not contain control characters other than tab";
    return std::nullopt;
  }
  if (type == "password" || type == "generic_secret") {
    if (value.empty()) return "Must not be empty";
    return std::nullopt;
  }
  if (type == "ip_address") {
    if (IsIpv4(value) || IsIpv6(value)) return std::nullopt;
    return "Must be an IPv4 or IPv6 address";
  }
  if (type == "bitlocker_key") {
    if (IsBitlockerKey(value)) return std::nullopt;
    return "Must be a BitLocker recovery key: 8 groups of 6 digits separated by '-'";
  }
  if (type == "license_key") {
    if (IsLicenseKey(value)) return std::nullopt;
    return "Must be letters and digits, optionally in groups separated by '-'";
  }
  return "Unknown value type";
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=') {
        if (i + 4 != text.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;
        v[k] = Sextet(c);
        if (v[k] < 0) return std::nullopt;
      }
    }
    const std::uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

}  // namespace gatehouse::modules::vault
