// The value types a credential type's field may declare (seed 002's GET /credential/valuetypes)
// and the check each one applies to a value before it is stored. Pure functions: no I/O.
//
//   if (!IsValueType("ip_address")) ...;
//   std::optional<std::string> why = CheckValue("ip_address", "10.0.0.300");  // "Must be an IPv4
//   or IPv6 address" std::string text = Base64Encode(sealed);   // standard alphabet with padding,
//   as the seed shows
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::modules::vault {

// When adding a value type, also add its rule to CheckValue() and to docs/api.md.
inline constexpr const char* kValueTypes[] = {"plain_text",     "license_key",   "ip_address",
                                              "generic_secret", "bitlocker_key", "password"};

inline constexpr std::size_t kMaxValueLength = 10000;  // UTF-8 code points, every type

bool IsValueType(std::string_view type);
std::vector<std::string> ValueTypes();

// nullopt when `value` is acceptable for `type`; otherwise the message for the client (it never
// repeats the value, which may be secret).
std::optional<std::string> CheckValue(std::string_view type, std::string_view value);

// The individual rules, exposed for tests.
bool IsIpv4(std::string_view text);
bool IsIpv6(std::string_view text);
bool IsBitlockerKey(std::string_view text);  // 8 groups of 6 digits separated by '-'
bool IsLicenseKey(std::string_view text);    // [A-Za-z0-9] groups separated by '-'

// RFC 4648 §4 base64 (with padding): how sealed bytes travel in GET …/fields.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace gatehouse::modules::vault
