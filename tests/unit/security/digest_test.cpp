#include "security/digest.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "security/base64url.hpp"
#include "security/random.hpp"

namespace gatehouse::security {
namespace {

using namespace std::string_literals;

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"s), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff"s);
}

TEST(Base64Url, RoundTripsEveryLengthAndByte) {
  for (std::size_t n = 0; n < 70; ++n) {
    const std::string bytes = RandomBytes(n);
    const std::string text = Base64UrlEncode(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(Base64UrlDecode(text), bytes) << "length " << n;
  }
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all)), all);
}

TEST(Base64Url, RejectsNonCanonicalOrForeignInput) {
  EXPECT_EQ(Base64UrlDecode("Zg=="), std::nullopt);   // padding
  EXPECT_EQ(Base64UrlDecode("Zh"), std::nullopt);     // non-zero trailing bits
  EXPECT_EQ(Base64UrlDecode("Z"), std::nullopt);      // impossible length
  EXPECT_EQ(Base64UrlDecode("Zm9vY"), std::nullopt);  // impossible length
  EXPECT_EQ(Base64UrlDecode("+/8"), std::nullopt);    // standard alphabet
  EXPECT_EQ(Base64UrlDecode("Zm 9v"), std::nullopt);  // whitespace
  EXPECT_EQ(Base64UrlDecode("Zm9v\n"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v.Zm9v"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode(""), "");
}

TEST(Random, RandomBytesHasRequestedLengthAndVaries) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  EXPECT_EQ(RandomBytes(17).size(), 17u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(Random, RandomTokenIs256BitBase64UrlByDefault) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = RandomToken();
    EXPECT_EQ(token.size(), 43u);  // ceil(32 * 4 / 3), no padding
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_EQ(Base64UrlDecode(token)->size(), 32u);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(RandomToken(16).size(), 22u);
}

TEST(Digest, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), kSha256Bytes);
  EXPECT_EQ(Sha256("abc").substr(0, 3), "\xba\x78\x16"s);
}

TEST(Digest, Sha256HashesEmbeddedNulBytes) { EXPECT_NE(Sha256Hex("a\0b"s), Sha256Hex("a")); }

TEST(Digest, HmacSha256MatchesRfc4231) {
  // Test case 2.
  EXPECT_EQ(Base64UrlEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            Base64UrlEncode("\x5b\xdc\xc1\x46\xbf\x60\x75\x4e\x6a\x04\x24\x26\x08\x95\x75\xc7"
                            "\x5a\x00\x3f\x08\x9d\x27\x39\x83\x9d\xec\x58\xb9\x64\xec\x38\x43"s));
  // Test case 6: a key longer than the block size is hashed first.
  const std::string long_key(131, '\xaa');
  EXPECT_EQ(Base64UrlEncode(
                HmacSha256(long_key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            Base64UrlEncode("\x60\xe4\x31\x59\x1e\xe0\xb6\x7f\x0d\x8a\x26\xaa\xcb\xf5\xb7\x7f"
                            "\x8e\x0b\xc6\x21\x37\x28\xc5\x14\x05\x46\x04\x0f\x0e\xe3\x7f\x54"s));
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("Secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));  // prefix
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("a\0b"s, "a\0b"s));
  EXPECT_FALSE(ConstantTimeEquals("a\0b"s, "a\0c"s));  // bytes after a NUL still count
  const std::string digest = Sha256Hex("key");
  EXPECT_TRUE(ConstantTimeEquals(digest, Sha256Hex("key")));
}

}  // namespace
}  // namespace gatehouse::security
