// Base64url (RFC 4648 §5) without padding: the encoding of JWT parts, JWK key material and our
// opaque tokens. Decoding is strict, so each byte string has exactly one accepted encoding.
//
//   std::string text = Base64UrlEncode(RandomBytes(32));       // "q3N0..." (43 chars)
//   std::optional<std::string> bytes = Base64UrlDecode(text);   // nullopt if malformed
//   if (!bytes) return core::Unauthenticated();
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::security {

std::string Base64UrlEncode(std::string_view bytes);

// Rejects padding ('='), whitespace, characters outside [A-Za-z0-9_-], impossible lengths
// (4k+1) and non-zero trailing bits, so no two strings decode to the same bytes.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace gatehouse::security
