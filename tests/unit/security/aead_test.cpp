#include "security/aead.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "result_matchers.hpp"

namespace gatehouse::security {
namespace {

using core::ErrorCode;
using testing::HasError;
using testing::IsOk;

constexpr std::string_view kAad = "cred-1|password|1";

TEST(Aead, SealThenOpenRoundTrips) {
  const SecretKey key = NewSecretKey();
  const std::string sealed = Seal(key, "hunter2", kAad);
  EXPECT_EQ(sealed.size(), std::string("hunter2").size() + kSealOverheadBytes);
  auto plain = Open(key, sealed, kAad);
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(*plain, "hunter2");
}

TEST(Aead, EmptyAndBinaryPlaintextsRoundTrip) {
  const SecretKey key = NewSecretKey();
  const std::string binary("\0\xff\x01", 3);
  for (const std::string& value : {std::string(), binary, std::string(100000, 'x')}) {
    auto plain = Open(key, Seal(key, value, kAad), kAad);
    ASSERT_THAT(plain, IsOk());
    EXPECT_EQ(*plain, value);
  }
}

TEST(Aead, SameValueSealsDifferentlyEachTime) {
  const SecretKey key = NewSecretKey();
  EXPECT_NE(Seal(key, "same", kAad), Seal(key, "same", kAad));  // random nonce
}

TEST(Aead, CiphertextDoesNotContainThePlaintext) {
  const SecretKey key = NewSecretKey();
  EXPECT_EQ(Seal(key, "sk_live_123456789abcdef", kAad).find("sk_live"), std::string::npos);
}

TEST(Aead, EveryFlippedByteIsDetected) {
  const SecretKey key = NewSecretKey();
  const std::string sealed = Seal(key, "correct horse", kAad);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_THAT(Open(key, tampered, kAad), HasError(ErrorCode::kInternal)) << "byte " << i;
  }
}

TEST(Aead, OtherAssociatedDataOrKeyFails) {
  const SecretKey key = NewSecretKey();
  const std::string sealed = Seal(key, "value", "cred-1|password|1");
  EXPECT_THAT(Open(key, sealed, "cred-2|password|1"), HasError(ErrorCode::kInternal));
  EXPECT_THAT(Open(key, sealed, "cred-1|apiKey|1"), HasError(ErrorCode::kInternal));
  EXPECT_THAT(Open(key, sealed, "cred-1|password|2"), HasError(ErrorCode::kInternal));
  EXPECT_THAT(Open(NewSecretKey(), sealed, "cred-1|password|1"), HasError(ErrorCode::kInternal));
}

TEST(Aead, TruncatedInputFailsCleanly) {
  const SecretKey key = NewSecretKey();
  const std::string sealed = Seal(key, "value", kAad);
  EXPECT_THAT(Open(key, "", kAad), HasError(ErrorCode::kInternal));
  EXPECT_THAT(Open(key, sealed.substr(0, kSealOverheadBytes - 1), kAad),
              HasError(ErrorCode::kInternal));
  EXPECT_THAT(Open(key, sealed.substr(0, sealed.size() - 1), kAad),
              HasError(ErrorCode::kInternal));
}

TEST(Aead, KeysAreRandomAndSized) {
  EXPECT_NE(NewSecretKey().view(), NewSecretKey().view());
  EXPECT_EQ(NewSecretKey().view().size(), kSecretKeyBytes);
  EXPECT_THROW(SecretKey(std::string(31, 'k')), std::invalid_argument);
  const SecretKey raw(std::string(32, 'k'));
  EXPECT_EQ(raw.view(), std::string(32, 'k'));
}

}  // namespace
}  // namespace gatehouse::security
