// The vault's value-type rules and the base64 used for sealed values (pure functions).
#include "modules/vault/value_types.hpp"

#include <gtest/gtest.h>

#include "modules/vault/service.hpp"

namespace gatehouse::modules::vault {
namespace {

TEST(ValueTypes, ListsTheSeedTypesInOrder) {
  EXPECT_EQ(ValueTypes(),
            (std::vector<std::string>{"plain_text", "license_key", "ip_address", "generic_secret",
                                      "bitlocker_key", "password"}));
  EXPECT_TRUE(IsValueType("password"));
  EXPECT_FALSE(IsValueType("Password"));
  EXPECT_FALSE(IsValueType(""));
}

TEST(ValueTypes, IpAddressAcceptsV4AndV6Only) {
  for (const char* ok : {"10.0.0.1", "255.255.255.255", "0.0.0.0", "::1", "2001:db8::8a2e:370:7334",
                         "::ffff:192.0.2.1", "fe80::1"}) {
    EXPECT_EQ(CheckValue("ip_address", ok), std::nullopt) << ok;
  }
  for (const char* bad : {"", "10.0.0.256", "10.0.0", "10.0.0.1.2", "1.2.3.4 ", " 1.2.3.4",
                          "example.com", "2001:db8:::1", "12345::", "10.0.0.1/24", "::g"}) {
    EXPECT_NE(CheckValue("ip_address", bad), std::nullopt) << bad;
  }
}

TEST(ValueTypes, BitlockerKeyIsEightGroupsOfSixDigits) {
  const std::string ok = "000000-000011-000022-000033-000044-000055-000066-000077";
  EXPECT_TRUE(IsBitlockerKey(ok));
  EXPECT_EQ(CheckValue("bitlocker_key", ok), std::nullopt);
  EXPECT_TRUE(IsBitlockerKey("123453-654313-111111-222222-333333-444444-555555-666666"));
  // 7 groups, a letter, a wrong separator, five digits in a group, a trailing dash.
  for (const std::string bad :
       {std::string("000000-000011-000022-000033-000044-000055-000066"),
        std::string("000000-000011-000022-000033-000044-000055-000066-00007a"),
        std::string("000000 000011-000022-000033-000044-000055-000066-000077"),
        std::string("00000-0000011-000022-000033-000044-000055-000066-000077"),
        std::string("000000-000011-000022-000033-000044-000055-000066-000077-")}) {
    EXPECT_FALSE(IsBitlockerKey(bad)) << bad;
    EXPECT_NE(CheckValue("bitlocker_key", bad), std::nullopt) << bad;
  }
}

TEST(ValueTypes, LicenseKeyIsAlphanumericGroups) {
  EXPECT_EQ(CheckValue("license_key", "ABCDE-12345-FGHIJ"), std::nullopt);
  EXPECT_EQ(CheckValue("license_key", "abc123"), std::nullopt);
  for (const char* bad : {"", "-ABC", "ABC-", "AB--CD", "AB CD", "AB_CD", "ÄBC"}) {
    EXPECT_NE(CheckValue("license_key", bad), std::nullopt) << bad;
  }
}

TEST(ValueTypes, SecretsMustNotBeEmptyAndTextHasNoControlCharacters) {
  EXPECT_NE(CheckValue("password", ""), std::nullopt);
  EXPECT_NE(CheckValue("generic_secret", ""), std::nullopt);
  EXPECT_EQ(CheckValue("password", "p@ss word\twith tab"), std::nullopt);
  EXPECT_EQ(CheckValue("plain_text", ""), std::nullopt);
  EXPECT_EQ(CheckValue("plain_text", "AKIAIOSFODNN7EXAMPLE"), std::nullopt);
  EXPECT_NE(CheckValue("plain_text", std::string("a\0b", 3)), std::nullopt);
  EXPECT_NE(CheckValue("plain_text", "line\x1b[31m"), std::nullopt);
  EXPECT_NE(CheckValue("password", "\xff\xfe"), std::nullopt);  // not UTF-8
  EXPECT_NE(CheckValue("password", std::string(kMaxValueLength + 1, 'x')), std::nullopt);
  EXPECT_NE(CheckValue("no_such_type", "x"), std::nullopt);
}

TEST(ValueTypes, MessagesNeverRepeatTheValue) {
  const std::string secret = "s3cr3t-value-that-is-not-an-ip";
  auto why = CheckValue("ip_address", secret);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->find(secret), std::string::npos);
}

TEST(Base64, RoundTripsEveryLengthAndRejectsMalformedText) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    const std::string text = Base64Encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    EXPECT_EQ(Base64Decode(text), bytes);
    bytes += static_cast<char>(i * 37 + 11);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(Base64Decode("aGVsbG8="), std::optional<std::string>("hello"));
  for (const char* bad : {"a", "aGVsbG8", "aGVs=G8=", "aG!sbG8=", "====", "aGVsbG8=="}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

TEST(FieldDefs, RejectsBadIdsDuplicatesNamesAndValueTypes) {
  EXPECT_TRUE(ValidateFieldDefs({{"username", "Username", true, false, "plain_text"},
                                 {"token", "Token", true, true, "password"}})
                  .ok());
  auto bad = ValidateFieldDefs({{"1abc", "X", false, false, "plain_text"},
                                {"dup", "A", false, false, "plain_text"},
                                {"dup", "B", false, false, "plain_text"},
                                {"ok", "", false, false, "plain_text"},
                                {"ok2", "Y", false, false, "secret"}});
  ASSERT_FALSE(bad.ok());
  std::vector<std::vector<std::string>> paths;
  for (const auto& f : bad.error().details) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::vector<std::string>>{{"fields", "0", "id"},
                                                          {"fields", "2", "id"},
                                                          {"fields", "3", "name"},
                                                          {"fields", "4", "valueType"}}));
}

TEST(Scopes, AreNodesWithoutWildcards) {
  EXPECT_TRUE(IsValidScope("aws.credentials"));
  EXPECT_TRUE(IsValidScope("github"));
  for (const char* bad : {"", "AWS", "aws.*", "*", "aws..x", "-aws", "aws.", "a b"}) {
    EXPECT_FALSE(IsValidScope(bad)) << bad;
  }
}

TEST(SealAad, BindsCredentialFieldAndGeneration) {
  EXPECT_EQ(SealAad("c1", "password", 1), "gatehouse.vault.v1|c1|password|1");
  EXPECT_NE(SealAad("c1", "password", 1), SealAad("c2", "password", 1));
  EXPECT_NE(SealAad("c1", "password", 1), SealAad("c1", "password", 2));
}

}  // namespace
}  // namespace gatehouse::modules::vault
