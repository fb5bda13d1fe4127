#include "security/token_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

#include "security/base64url.hpp"
#include "security/random.hpp"

namespace gatehouse::security {

namespace {

constexpr std::string_view kAlg = "EdDSA";
constexpr std::string_view kTyp = "JWT";
// Bigger than any token we issue by far; stops us decoding and parsing junk of any size.
constexpr std::size_t kMaxTokenBytes = 8 * 1024;
constexpr std::size_t kJtiBytes = 16;
// 9999-12-31T23:59:59Z: keeps seconds * 1000 far from overflowing int64.
constexpr std::int64_t kMaxNumericDate = 253402300799;
// Claims Issue sets itself and Verify reports in their own fields.
constexpr std::array<std::string_view, 8> kRegisteredClaims = {"iss", "sub", "aud", "exp",
                                                               "nbf", "iat", "jti", "sid"};

bool IsRegistered(std::string_view name) {
  for (std::string_view claim : kRegisteredClaims) {
    if (claim == name) return true;
  }
  return false;
}

// Same public message for every failure, so a client learns nothing about which check failed.
core::Error Reject(std::string why) {
  core::Error error = core::Unauthenticated("Unauthorized");
  error.internal_message = "access token rejected: " + std::move(why);
  return error;
}

std::optional<boost::json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

const boost::json::string* StringMember(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_string() : nullptr;
}

// RFC 7519 NumericDate (seconds, possibly fractional), floored, in [0, kMaxNumericDate].
std::optional<std::int64_t> NumericDate(const boost::json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) {
    const std::int64_t v = value->get_int64();
    if (v < 0 || v > kMaxNumericDate) return std::nullopt;
    return v;
  }
  if (value->is_uint64()) {
    const std::uint64_t v = value->get_uint64();
    if (v > static_cast<std::uint64_t>(kMaxNumericDate)) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (value->is_double()) {
    const double v = value->get_double();
    if (!(v >= 0 && v <= static_cast<double>(kMaxNumericDate))) return std::nullopt;  // and NaN
    return static_cast<std::int64_t>(std::floor(v));
  }
  return std::nullopt;
}

bool AudienceMatches(const boost::json::value* aud, std::string_view expected) {
  if (aud == nullptr) return false;
  if (const auto* single = aud->if_string()) return *single == expected;
  if (const auto* list = aud->if_array()) {
    for (const auto& item : *list) {
      if (const auto* s = item.if_string(); s != nullptr && *s == expected) return true;
    }
  }
  return false;
}

}  // namespace

TokenService::TokenService(std::shared_ptr<const SigningKeyStore> keys, const core::Clock& clock,
                           TokenOptions options)
    : keys_(std::move(keys)), clock_(clock), options_(std::move(options)) {
  const boost::json::object header{{"alg", kAlg}, {"typ", kTyp}, {"kid", keys_->current_kid()}};
  header_b64_cache_ = Base64UrlEncode(boost::json::serialize(header));
}

core::Result<std::string> TokenService::Issue(const AccessClaims& claims) const {
  if (claims.sub.empty() || claims.sid.empty()) {
    return core::Internal("TokenService::Issue needs sub and sid");
  }
  const std::int64_t iat = core::ToUnixMillis(clock_.Now()) / 1000;
  boost::json::object payload{
      {"iss", options_.issuer},
      {"sub", claims.sub},
      {"aud", options_.audience},
      {"iat", iat},
      {"exp", iat + static_cast<std::int64_t>(options_.access_ttl.count())},
      {"jti", RandomToken(kJtiBytes)},
      {"sid", claims.sid},
  };
  for (const auto& [name, value] : claims.extra) {
    if (!IsRegistered(name)) payload.emplace(name, value);
  }
  std::string token = header_b64_cache_;
  token += '.';
  token += Base64UrlEncode(boost::json::serialize(payload));
  auto signature = keys_->Sign(token);
  if (!signature) return std::move(signature).error();
  token += '.';
  token += Base64UrlEncode(*signature);
  return token;
}

core::Result<AccessClaims> TokenService::Verify(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return Reject("too long");

  // Compact serialization: header.payload.signature, exactly two dots.
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Reject("not three parts");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || signature_b64.empty()) {
    return Reject("empty part (unsigned token?)");
  }

  // The header picks the key, so it is read before the signature is checked; nothing in it
  // is trusted beyond alg (which must be the one we use) and kid (which must be ours).
  const auto header_json = Base64UrlDecode(header_b64);
  if (!header_json) return Reject("header is not base64url");
  const auto header = ParseObject(*header_json);
  if (!header) return Reject("header is not a JSON object");
  const auto* alg = StringMember(*header, "alg");
  if (alg == nullptr || *alg != kAlg) return Reject("alg is not EdDSA");
  if (const auto* typ = header->if_contains("typ");
      typ != nullptr && !(typ->is_string() && typ->get_string() == kTyp)) {
    return Reject("typ is not JWT");
  }
  // RFC 7515 §4.1.11: extensions we do not understand must make the token invalid.
  if (header->contains("crit")) return Reject("crit header present");
  const auto* kid = StringMember(*header, "kid");
  if (kid == nullptr) return Reject("no kid");
  if (!keys_->HasKid(*kid)) return Reject("unknown kid");

  const auto signature = Base64UrlDecode(signature_b64);
  if (!signature) return Reject("signature is not base64url");
  // The signing input is the text as received, so re-encoding can never change what is checked.
  if (!keys_->Verify(*kid, token.substr(0, dot2), *signature)) return Reject("bad signature");

  const auto payload_json = Base64UrlDecode(payload_b64);
  if (!payload_json) return Reject("payload is not base64url");
  auto payload = ParseObject(*payload_json);
  if (!payload) return Reject("payload is not a JSON object");

  const auto* iss = StringMember(*payload, "iss");
  if (iss == nullptr || *iss != options_.issuer) return Reject("wrong iss");
  if (!AudienceMatches(payload->if_contains("aud"), options_.audience)) {
    return Reject("wrong aud");
  }

  const std::int64_t now_ms = core::ToUnixMillis(clock_.Now());
  const std::int64_t leeway_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.leeway).count();
  const auto exp = NumericDate(payload->if_contains("exp"));
  if (!exp) return Reject("no valid exp");
  if (now_ms >= *exp * 1000 + leeway_ms) return Reject("expired");
  const auto iat = NumericDate(payload->if_contains("iat"));
  if (!iat) return Reject("no valid iat");
  if (*iat * 1000 > now_ms + leeway_ms) return Reject("issued in the future");
  if (const auto* nbf_value = payload->if_contains("nbf")) {
    const auto nbf = NumericDate(nbf_value);
    if (!nbf || *nbf * 1000 > now_ms + leeway_ms) return Reject("not yet valid (nbf)");
  }

  const auto* sub = StringMember(*payload, "sub");
  const auto* sid = StringMember(*payload, "sid");
  if (sub == nullptr || sub->empty()) return Reject("no sub");
  if (sid == nullptr || sid->empty()) return Reject("no sid");

  AccessClaims claims;
  claims.sub = std::string(*sub);
  claims.sid = std::string(*sid);
  if (const auto* jti = StringMember(*payload, "jti")) claims.jti = std::string(*jti);
  claims.issued_at = core::FromUnixMillis(*iat * 1000);
  claims.expires_at = core::FromUnixMillis(*exp * 1000);
  for (auto& [name, value] : *payload) {
    if (!IsRegistered(name)) claims.extra.emplace(name, std::move(value));
  }
  return claims;
}

}  // namespace gatehouse::security
