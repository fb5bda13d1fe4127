#include "security/token_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "result_matchers.hpp"
#include "security/base64url.hpp"
#include "security/digest.hpp"

namespace gatehouse::security {
namespace {

using namespace std::chrono_literals;
using testing::IsOk;
using testing::RejectedBecause;
namespace json = boost::json;

class FixedClock final : public core::Clock {
 public:
  core::TimePoint Now() const override { return now; }
  core::TimePoint now = core::FromUnixMillis(1'767'225'600'000);  // 2026-01-01T00:00:00Z
};

std::int64_t Seconds(core::TimePoint t) { return core::ToUnixMillis(t) / 1000; }

std::string Encode(const json::object& object) { return Base64UrlEncode(json::serialize(object)); }

json::object DecodePart(std::string_view token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const std::size_t end = token.find('.', start);
  return json::parse(*Base64UrlDecode(token.substr(start, end - start))).as_object();
}

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest()
      : keys_(std::make_shared<SigningKeyStore>(SigningKeyStore::Generate())),
        tokens_(keys_, clock_) {}

  std::string Issue(AccessClaims claims = {.sub = "user-1", .sid = "session-1"}) {
    auto token = tokens_.Issue(claims);
    EXPECT_THAT(token, IsOk());
    return token.ok() ? *token : std::string();
  }

  // Claims exactly as Issue would write them now.
  json::object ValidPayload() const {
    const std::int64_t now = Seconds(clock_.now);
    return {{"iss", "gatehouse"}, {"sub", "user-1"}, {"aud", "gatehouse-api"}, {"iat", now},
            {"exp", now + 900},   {"jti", "j"},      {"sid", "session-1"}};
  }
  json::object ValidHeader() const {
    return {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", keys_->current_kid()}};
  }

  // Signs arbitrary header and payload with `signer` (our key unless given).
  std::string Sign(const json::object& header, const json::object& payload,
                   const SigningKeyStore* signer = nullptr) {
    const std::string input = Encode(header) + "." + Encode(payload);
    auto signature = (signer ? signer : keys_.get())->Sign(input);
    return input + "." + Base64UrlEncode(*signature);
  }

  std::string RawPublicKey() const {
    const json::object jwks = keys_->Jwks();
    return *Base64UrlDecode(jwks.at("keys").as_array().at(0).at("x").as_string());
  }

  FixedClock clock_;
  std::shared_ptr<SigningKeyStore> keys_;
  TokenService tokens_;
};

TEST_F(TokenServiceTest, RoundTripsSubjectSessionAndTimes) {
  const std::string token = Issue();
  auto claims = tokens_.Verify(token);
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->sub, "user-1");
  EXPECT_EQ(claims->sid, "session-1");
  EXPECT_EQ(claims->issued_at, clock_.now);
  EXPECT_EQ(claims->expires_at, clock_.now + 15min);
  EXPECT_EQ(claims->jti.size(), 22u);
  EXPECT_TRUE(claims->extra.empty());
}

TEST_F(TokenServiceTest, IssuesEdDsaJwtWithKidAndStandardClaims) {
  const std::string token = Issue();
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  const json::object header = DecodePart(token, 0);
  EXPECT_EQ(header, ValidHeader());
  const json::object payload = DecodePart(token, 1);
  EXPECT_EQ(payload.at("iss"), "gatehouse");
  EXPECT_EQ(payload.at("aud"), "gatehouse-api");
  EXPECT_EQ(payload.at("sub"), "user-1");
  EXPECT_EQ(payload.at("sid"), "session-1");
  EXPECT_EQ(payload.at("iat").as_int64(), Seconds(clock_.now));
  EXPECT_EQ(payload.at("exp").as_int64(), Seconds(clock_.now) + 15 * 60);
}

TEST_F(TokenServiceTest, GivesEveryTokenAFreshJti) {
  EXPECT_NE(DecodePart(Issue(), 1).at("jti"), DecodePart(Issue(), 1).at("jti"));
}

TEST_F(TokenServiceTest, CarriesExtraClaimsButNeverLetsThemOverrideRegisteredOnes) {
  AccessClaims claims{.sub = "user-1", .sid = "session-1"};
  claims.extra = {{"scope", "read write"}, {"exp", 99999999999}, {"iss", "evil"}, {"sub", "x"}};
  auto verified = tokens_.Verify(Issue(claims));
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->sub, "user-1");
  EXPECT_EQ(verified->expires_at, clock_.now + 15min);
  EXPECT_EQ(verified->extra, (json::object{{"scope", "read write"}}));
}

TEST_F(TokenServiceTest, UsesConfiguredTtlIssuerAndAudience) {
  TokenService custom(keys_, clock_,
                      {.issuer = "https://id.example", .audience = "api", .access_ttl = 60s});
  auto token = custom.Issue({.sub = "u", .sid = "s"});
  ASSERT_THAT(token, IsOk());
  auto claims = custom.Verify(*token);
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->expires_at, clock_.now + 60s);
  EXPECT_THAT(tokens_.Verify(*token), RejectedBecause("wrong iss"));
}

TEST_F(TokenServiceTest, RefusesToIssueWithoutSubOrSid) {
  EXPECT_THAT(tokens_.Issue({.sub = "", .sid = "s"}),
              testing::HasError(core::ErrorCode::kInternal));
  EXPECT_THAT(tokens_.Issue({.sub = "u", .sid = ""}),
              testing::HasError(core::ErrorCode::kInternal));
}

TEST_F(TokenServiceTest, RejectsTamperedPayload) {
  const std::string token = Issue();
  json::object payload = DecodePart(token, 1);
  payload["sub"] = "admin";
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.find('.', dot1 + 1);
  const std::string forged = token.substr(0, dot1 + 1) + Encode(payload) + token.substr(dot2);
  EXPECT_THAT(tokens_.Verify(forged), RejectedBecause("bad signature"));
}

TEST_F(TokenServiceTest, RejectsTamperedSignature) {
  std::string token = Issue();
  // Flip a bit in the middle of the signature (the last character carries padding bits).
  char& c = token[token.size() - 20];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_THAT(tokens_.Verify(token), RejectedBecause("bad signature"));
}

TEST_F(TokenServiceTest, RejectsTruncatedOrMissingSignature) {
  const std::string token = Issue();
  const std::size_t dot2 = token.rfind('.');
  const std::string signature = *Base64UrlDecode(token.substr(dot2 + 1));
  EXPECT_THAT(tokens_.Verify(token.substr(0, dot2 + 1) + Base64UrlEncode(signature.substr(0, 63))),
              RejectedBecause("bad signature"));
  EXPECT_THAT(tokens_.Verify(token.substr(0, dot2 + 1) + Base64UrlEncode(signature + "x")),
              RejectedBecause("bad signature"));
  EXPECT_THAT(tokens_.Verify(token.substr(0, dot2 + 1)), RejectedBecause("empty part"));
}

TEST_F(TokenServiceTest, RejectsAlgNoneUnsignedToken) {
  json::object header{{"alg", "none"}, {"typ", "JWT"}};
  const std::string unsigned_token = Encode(header) + "." + Encode(ValidPayload()) + ".";
  EXPECT_THAT(tokens_.Verify(unsigned_token), RejectedBecause("empty part"));
  // Even with our kid and some signature bytes, "none" is not our algorithm.
  header["kid"] = keys_->current_kid();
  EXPECT_THAT(tokens_.Verify(Encode(header) + "." + Encode(ValidPayload()) + ".AAAA"),
              RejectedBecause("alg is not EdDSA"));
  for (const char* alg : {"None", "NONE", "nOnE"}) {
    header["alg"] = alg;
    EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("alg is not EdDSA"))
        << alg;
  }
}

TEST_F(TokenServiceTest, RejectsHs256SignedWithThePublicKeyAsHmacSecret) {
  // The classic confusion: a verifier that lets the header pick the algorithm would check
  // this HMAC with the "key" it has, our public key, which anyone can fetch from JWKS.
  const json::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", keys_->current_kid()}};
  const std::string input = Encode(header) + "." + Encode(ValidPayload());
  const std::string jwk_x = std::string(keys_->Jwks().at("keys").as_array()[0].at("x").as_string());
  const std::string jwks_text = json::serialize(keys_->Jwks());
  for (const std::string& secret : {RawPublicKey(), jwk_x, jwks_text}) {
    const std::string forged = input + "." + Base64UrlEncode(HmacSha256(secret, input));
    EXPECT_THAT(tokens_.Verify(forged), RejectedBecause("alg is not EdDSA"));
  }
}

TEST_F(TokenServiceTest, RejectsEveryOtherAlgorithmEvenWithAValidEd25519Signature) {
  for (const char* alg : {"HS256", "RS256", "ES256", "PS256", "EdDSA ", "eddsa", "Ed25519", ""}) {
    json::object header = ValidHeader();
    header["alg"] = alg;
    EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("alg is not EdDSA"))
        << alg;
  }
  json::object no_alg = ValidHeader();
  no_alg.erase("alg");
  EXPECT_THAT(tokens_.Verify(Sign(no_alg, ValidPayload())), RejectedBecause("alg is not EdDSA"));
  json::object array_alg = ValidHeader();
  array_alg["alg"] = json::array{"EdDSA"};
  EXPECT_THAT(tokens_.Verify(Sign(array_alg, ValidPayload())), RejectedBecause("alg is not EdDSA"));
}

TEST_F(TokenServiceTest, RejectsUnknownKid) {
  json::object header = ValidHeader();
  header["kid"] = "AAAAAAAAAAA";
  EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("unknown kid"));
}

TEST_F(TokenServiceTest, RejectsMissingKid) {
  json::object header = ValidHeader();
  header.erase("kid");
  EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("no kid"));
  header["kid"] = 1;
  EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("no kid"));
}

TEST_F(TokenServiceTest, AcceptsOurTokenCarryingAJkuHeaderWithoutFetchingIt) {
  json::object header = ValidHeader();
  header["jku"] = "https://attacker.example/jwks.json";
  header["x5u"] = "https://attacker.example/cert.pem";
  auto claims = tokens_.Verify(Sign(header, ValidPayload()));
  EXPECT_THAT(claims, IsOk());  // verified with our key; the URLs were never consulted
}

TEST_F(TokenServiceTest, RejectsForeignKeyTokenAdvertisingItsKeyInJkuOrJwk) {
  const SigningKeyStore attacker = SigningKeyStore::Generate();
  const json::value attacker_jwk = attacker.Jwks().at("keys").as_array()[0];

  // Foreign kid, key published at a URL of the attacker's choosing.
  json::object jku_header{{"alg", "EdDSA"},
                          {"typ", "JWT"},
                          {"kid", attacker.current_kid()},
                          {"jku", "https://attacker.example/jwks.json"}};
  EXPECT_THAT(tokens_.Verify(Sign(jku_header, ValidPayload(), &attacker)),
              RejectedBecause("unknown kid"));

  // Our kid, but signed by the attacker, who embeds their public key in the header.
  json::object jwk_header = ValidHeader();
  jwk_header["jwk"] = attacker_jwk;
  jwk_header["x5c"] = json::array{"MIIB..."};
  EXPECT_THAT(tokens_.Verify(Sign(jwk_header, ValidPayload(), &attacker)),
              RejectedBecause("bad signature"));

  // Foreign kid with the embedded key: still unknown.
  json::object both = jwk_header;
  both["kid"] = attacker.current_kid();
  EXPECT_THAT(tokens_.Verify(Sign(both, ValidPayload(), &attacker)),
              RejectedBecause("unknown kid"));
}

TEST_F(TokenServiceTest, RejectsWrongTypAndCritHeaders) {
  json::object header = ValidHeader();
  header["typ"] = "at+jwt";
  EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("typ is not JWT"));
  header.erase("typ");
  EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), IsOk());  // typ is optional
  header["crit"] = json::array{"exp"};
  EXPECT_THAT(tokens_.Verify(Sign(header, ValidPayload())), RejectedBecause("crit"));
}

TEST_F(TokenServiceTest, RejectsWrongIssuer) {
  json::object payload = ValidPayload();
  payload["iss"] = "someone-else";
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("wrong iss"));
  payload.erase("iss");
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("wrong iss"));
}

TEST_F(TokenServiceTest, RejectsWrongAudience) {
  json::object payload = ValidPayload();
  payload["aud"] = "other-api";
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("wrong aud"));
  payload["aud"] = json::array{"other-api", "another"};
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("wrong aud"));
  payload.erase("aud");
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("wrong aud"));
  // Issued by a service configured for another audience, with our key.
  TokenService other(keys_, clock_, {.audience = "billing-api"});
  EXPECT_THAT(tokens_.Verify(*other.Issue({.sub = "u", .sid = "s"})), RejectedBecause("wrong aud"));
}

TEST_F(TokenServiceTest, AcceptsAudienceArrayContainingOurs) {
  json::object payload = ValidPayload();
  payload["aud"] = json::array{"other-api", "gatehouse-api"};
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), IsOk());
}

TEST_F(TokenServiceTest, RejectsExpiredToken) {
  const std::string token = Issue();
  clock_.now += 15min + 29s;  // within the 30 s leeway
  EXPECT_THAT(tokens_.Verify(token), IsOk());
  clock_.now += 1s;
  EXPECT_THAT(tokens_.Verify(token), RejectedBecause("expired"));
  clock_.now += 24h;
  EXPECT_THAT(tokens_.Verify(token), RejectedBecause("expired"));
}

TEST_F(TokenServiceTest, RejectsTokenIssuedInTheFuture) {
  const auto real_now = clock_.now;
  clock_.now += 10min;
  const std::string token = Issue();
  clock_.now = real_now;
  EXPECT_THAT(tokens_.Verify(token), RejectedBecause("issued in the future"));
  clock_.now = real_now + 10min - 30s;  // leeway
  EXPECT_THAT(tokens_.Verify(token), IsOk());
}

TEST_F(TokenServiceTest, RejectsMissingOrMalformedTimes) {
  json::object payload = ValidPayload();
  payload.erase("exp");
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("no valid exp"));
  payload = ValidPayload();
  payload["exp"] = "9999999999";
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("no valid exp"));
  payload["exp"] = 1e300;
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("no valid exp"));
  payload["exp"] = -1;
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("no valid exp"));
  payload = ValidPayload();
  payload.erase("iat");
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("no valid iat"));
  payload = ValidPayload();
  payload["nbf"] = Seconds(clock_.now) + 3600;
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), RejectedBecause("nbf"));
  payload["nbf"] = Seconds(clock_.now);
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), IsOk());
  payload["exp"] = static_cast<double>(Seconds(clock_.now) + 60) + 0.5;  // fractional is legal
  EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)), IsOk());
}

TEST_F(TokenServiceTest, RejectsMissingSubjectOrSession) {
  for (const char* claim : {"sub", "sid"}) {
    json::object payload = ValidPayload();
    payload.erase(claim);
    EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)),
                RejectedBecause(std::string("no ") + claim));
    payload[claim] = "";
    EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)),
                RejectedBecause(std::string("no ") + claim));
    payload[claim] = 42;
    EXPECT_THAT(tokens_.Verify(Sign(ValidHeader(), payload)),
                RejectedBecause(std::string("no ") + claim));
  }
}

TEST_F(TokenServiceTest, RejectsTokensWithoutExactlyThreeParts) {
  const std::string token = Issue();
  EXPECT_THAT(tokens_.Verify(""), RejectedBecause("not three parts"));
  EXPECT_THAT(tokens_.Verify("abc"), RejectedBecause("not three parts"));
  EXPECT_THAT(tokens_.Verify(token.substr(0, token.rfind('.'))),
              RejectedBecause("not three parts"));
  EXPECT_THAT(tokens_.Verify(token + ".extra"), RejectedBecause("not three parts"));
  EXPECT_THAT(tokens_.Verify(token + "."), RejectedBecause("not three parts"));
  EXPECT_THAT(tokens_.Verify(".."), RejectedBecause("empty part"));
}

TEST_F(TokenServiceTest, RejectsNonBase64UrlOrNonJsonParts) {
  const std::string token = Issue();
  EXPECT_THAT(tokens_.Verify("%%%." + token.substr(token.find('.') + 1)),
              RejectedBecause("header is not base64url"));
  EXPECT_THAT(tokens_.Verify(Base64UrlEncode("[1,2]") + token.substr(token.find('.'))),
              RejectedBecause("header is not a JSON object"));
  EXPECT_THAT(tokens_.Verify(" " + token), RejectedBecause("header is not base64url"));
  const std::string padded = token + "==";
  EXPECT_THAT(tokens_.Verify(padded), RejectedBecause("signature is not base64url"));
  // A signed payload that is not JSON.
  const std::string input = Encode(ValidHeader()) + "." + Base64UrlEncode("not json");
  EXPECT_THAT(tokens_.Verify(input + "." + Base64UrlEncode(*keys_->Sign(input))),
              RejectedBecause("payload is not a JSON object"));
}

TEST_F(TokenServiceTest, RejectsOversizedToken) {
  EXPECT_THAT(tokens_.Verify(std::string(9000, 'a')), RejectedBecause("too long"));
}

TEST_F(TokenServiceTest, VerifiesTokensSignedWithAPreviousKeyAfterRotation) {
  std::string pattern = (std::filesystem::temp_directory_path() / "gatehouse-rot-XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  const std::string old_path = (dir / "old.pem").string();
  const std::string new_path = (dir / "new.pem").string();

  auto old_keys = SigningKeyStore::Load({.key_path = old_path});
  ASSERT_THAT(old_keys, IsOk());
  TokenService before(std::make_shared<SigningKeyStore>(*old_keys), clock_);
  const std::string old_token = *before.Issue({.sub = "u", .sid = "s"});

  auto rotated = SigningKeyStore::Load({.key_path = new_path, .previous_key_paths = {old_path}});
  ASSERT_THAT(rotated, IsOk());
  TokenService after(std::make_shared<SigningKeyStore>(*rotated), clock_);
  EXPECT_THAT(after.Verify(old_token), IsOk());
  const std::string new_token = *after.Issue({.sub = "u", .sid = "s"});
  EXPECT_EQ(DecodePart(new_token, 0).at("kid").as_string(), rotated->current_kid().c_str());
  EXPECT_EQ(after.JwksJson().at("keys").as_array().size(), 2u);

  // Once the old key is dropped from the list, its tokens stop verifying.
  auto pruned = SigningKeyStore::Load({.key_path = new_path});
  ASSERT_THAT(pruned, IsOk());
  TokenService later(std::make_shared<SigningKeyStore>(*pruned), clock_);
  EXPECT_THAT(later.Verify(old_token), RejectedBecause("unknown kid"));
  EXPECT_THAT(later.Verify(new_token), IsOk());
  std::filesystem::remove_all(dir);
}

TEST_F(TokenServiceTest, PublishesJwksOfAllVerificationKeys) {
  const json::object jwks = tokens_.JwksJson();
  ASSERT_EQ(jwks.at("keys").as_array().size(), 1u);
  EXPECT_EQ(jwks.at("keys").as_array()[0].at("kid").as_string(), keys_->current_kid().c_str());
}

}  // namespace
}  // namespace gatehouse::security
