// The API key format: shape, checksum, entropy source and parsing (no database involved).
#include "modules/apikeys/key_format.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gatehouse::modules::apikeys {
namespace {

TEST(KeyFormat, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(Crc32(""), 0u);
}

TEST(KeyFormat, ChecksumIsSixBase62Characters) {
  EXPECT_EQ(Checksum("123456789").size(), kChecksumLength);
  EXPECT_TRUE(IsBase62(Checksum("anything")));
  EXPECT_EQ(Checksum(""), "000000");
  // 0xFFFFFFFF still fits in six base62 digits.
  EXPECT_LT(static_cast<double>(0xFFFFFFFFu), 62.0 * 62 * 62 * 62 * 62 * 62);
}

TEST(KeyFormat, GeneratedKeysHaveTheDocumentedShape) {
  const GeneratedKey key = GenerateKey();
  ASSERT_EQ(key.plaintext.size(), kKeyLength);
  EXPECT_EQ(kKeyLength, 66u);
  EXPECT_TRUE(key.plaintext.starts_with("gh_" + key.public_id + "_")) << key.plaintext;
  EXPECT_TRUE(IsPublicId(key.public_id));
  auto parsed = ParseKey(key.plaintext);
  ASSERT_TRUE(parsed.has_value()) << key.plaintext;
  EXPECT_EQ(parsed->public_id, key.public_id);
  EXPECT_EQ(parsed->plaintext, key.plaintext);
  EXPECT_EQ(DisplayPrefix(key.public_id), "gh_" + key.public_id);
}

TEST(KeyFormat, GeneratedKeysAreDistinctAndUseTheWholeAlphabet) {
  std::set<std::string> keys, ids;
  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    const GeneratedKey key = GenerateKey();
    keys.insert(key.plaintext);
    ids.insert(key.public_id);
    for (char c : key.plaintext.substr(3, kPublicIdLength + 1 + kSecretLength)) seen.insert(c);
  }
  EXPECT_EQ(keys.size(), 2000u);
  EXPECT_EQ(ids.size(), 2000u);
  seen.erase('_');
  EXPECT_EQ(seen.size(), 62u) << "rejection sampling should reach every base62 symbol";
}

TEST(KeyFormat, AssembleKeyIsDeterministic) {
  const std::string id(kPublicIdLength, 'A');
  const std::string secret(kSecretLength, 'b');
  const std::string key = AssembleKey(id, secret);
  EXPECT_EQ(key, AssembleKey(id, secret));
  EXPECT_EQ(key.substr(0, key.size() - kChecksumLength - 1), "gh_" + id + "_" + secret);
  EXPECT_EQ(key.substr(key.size() - kChecksumLength), Checksum("gh_" + id + "_" + secret));
  EXPECT_TRUE(ParseKey(key).has_value());
}

TEST(KeyFormat, RejectsEveryKindOfTypo) {
  const std::string key = GenerateKey().plaintext;
  // Any single-character change in the id, secret or checksum breaks the checksum (CRC-32
  // detects every single-symbol error).
  for (std::size_t i = 3; i < key.size(); ++i) {
    if (key[i] == '_') continue;
    std::string typo = key;
    typo[i] = key[i] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(ParseKey(typo).has_value()) << "position " << i;
  }
  // Two adjacent characters swapped.
  for (std::size_t i = 3; i + 1 < key.size(); ++i) {
    if (key[i] == key[i + 1] || key[i] == '_' || key[i + 1] == '_') continue;
    std::string swapped = key;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(ParseKey(swapped).has_value()) << "swap at " << i;
  }
}

TEST(KeyFormat, RejectsWrongShapes) {
  const std::string key = GenerateKey().plaintext;
  EXPECT_FALSE(ParseKey("").has_value());
  EXPECT_FALSE(ParseKey(key.substr(1)).has_value());
  EXPECT_FALSE(ParseKey(key + "x").has_value());
  EXPECT_FALSE(ParseKey(" " + key.substr(1)).has_value());
  EXPECT_FALSE(ParseKey("GH_" + key.substr(3)).has_value());
  EXPECT_FALSE(ParseKey("gx_" + key.substr(3)).has_value());
  std::string moved = key;
  std::swap(moved[15], moved[16]);  // the separator out of place
  EXPECT_FALSE(ParseKey(moved).has_value());
  std::string dash = key;
  dash[20] = '-';
  EXPECT_FALSE(ParseKey(dash).has_value());
  // A right-looking key whose checksum was computed over something else.
  const std::string id(kPublicIdLength, 'Z');
  const std::string secret(kSecretLength, '9');
  std::string forged = "gh_" + id + "_" + secret + "_" + Checksum("other");
  EXPECT_FALSE(ParseKey(forged).has_value());
}

TEST(KeyFormat, PublicIds) {
  EXPECT_TRUE(IsPublicId("AbCdEf012345"));
  EXPECT_FALSE(IsPublicId("AbCdEf01234"));
  EXPECT_FALSE(IsPublicId("AbCdEf01234_"));
  EXPECT_FALSE(IsPublicId("AbCdEf0123456"));
}

}  // namespace
}  // namespace gatehouse::modules::apikeys
