#include "security/master_keyring.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "result_matchers.hpp"
#include "security/base64url.hpp"
#include "temp_dir.hpp"

namespace gatehouse::security {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using testing::HasError;
using testing::IsOk;
using testing::TempDir;

std::string KeyText() { return Base64UrlEncode(NewSecretKey().view()); }

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteAll(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

TEST(MasterKeyringText, BareKeyIsVersionOne) {
  auto ring = MasterKeyring::FromText(KeyText());
  ASSERT_THAT(ring, IsOk());
  EXPECT_EQ((*ring)->current_version(), 1u);
  EXPECT_EQ((*ring)->source(), "GATEHOUSE_MASTER_KEY");
  EXPECT_FALSE((*ring)->file_backed());
}

TEST(MasterKeyringText, HighestVersionIsCurrentAndOrderDoesNotMatter) {
  auto ring = MasterKeyring::FromText("3:" + KeyText() + ", 1:" + KeyText() + "\n# note\n\n2:" +
                                      KeyText());
  ASSERT_THAT(ring, IsOk());
  EXPECT_EQ((*ring)->current_version(), 3u);
  EXPECT_TRUE((*ring)->Has(1));
  EXPECT_TRUE((*ring)->Has(2));
  EXPECT_FALSE((*ring)->Has(4));
}

TEST(MasterKeyringText, AcceptsStandardBase64FromOpenssl) {
  // `openssl rand -base64 32` style: padded standard alphabet.
  EXPECT_THAT(MasterKeyring::FromText("1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="), IsOk());
}

TEST(MasterKeyringText, RejectsMalformedTextWithoutEchoingKeys) {
  const std::string short_key = Base64UrlEncode(std::string(16, 'k'));
  for (const std::string& text :
       {std::string(), std::string("# only a comment\n"), short_key, "0:" + KeyText(),
        "x:" + KeyText(), "1:" + KeyText() + ",1:" + KeyText(), KeyText() + ",2:" + KeyText(),
        std::string("1:not base64!")}) {
    auto ring = MasterKeyring::FromText(text);
    ASSERT_THAT(ring, HasError(ErrorCode::kInvalidArgument)) << text;
    EXPECT_EQ(ring.error().public_message.find(short_key), std::string::npos);
  }
}

TEST(MasterKeyringWrap, UnwrapReturnsTheDataKeyForTheSameContextOnly) {
  auto ring = MasterKeyring::FromText(KeyText());
  ASSERT_THAT(ring, IsOk());
  const SecretKey data_key = NewSecretKey();
  const WrappedKey wrapped = (*ring)->Wrap(data_key, "credential-1");
  EXPECT_EQ(wrapped.version, 1u);
  EXPECT_TRUE(Base64UrlDecode(wrapped.blob).has_value());  // TEXT-column safe

  auto unwrapped = (*ring)->Unwrap(wrapped, "credential-1");
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_EQ(unwrapped->view(), data_key.view());
  EXPECT_THAT((*ring)->Unwrap(wrapped, "credential-2"), HasError(ErrorCode::kInternal));
}

TEST(MasterKeyringWrap, AnotherMasterKeyCannotUnwrap) {
  const std::string text = "1:" + KeyText();
  auto ring = MasterKeyring::FromText(text);
  auto other = MasterKeyring::FromText("1:" + KeyText());
  ASSERT_THAT(ring, IsOk());
  ASSERT_THAT(other, IsOk());
  const WrappedKey wrapped = (*ring)->Wrap(NewSecretKey(), "c");
  EXPECT_THAT((*other)->Unwrap(wrapped, "c"), HasError(ErrorCode::kInternal));
}

TEST(MasterKeyringWrap, UnknownVersionIsMasterKeyMissing) {
  auto ring = MasterKeyring::FromText(KeyText());
  ASSERT_THAT(ring, IsOk());
  WrappedKey wrapped = (*ring)->Wrap(NewSecretKey(), "c");
  wrapped.version = 7;
  auto result = (*ring)->Unwrap(wrapped, "c");
  ASSERT_THAT(result, HasError(ErrorCode::kFailedPrecondition));
  EXPECT_STREQ(result.error().Name(), "MasterKeyMissing");
}

TEST(MasterKeyringWrap, FlippedByteInTheBlobFails) {
  auto ring = MasterKeyring::FromText(KeyText());
  ASSERT_THAT(ring, IsOk());
  const WrappedKey wrapped = (*ring)->Wrap(NewSecretKey(), "c");
  std::string raw = *Base64UrlDecode(wrapped.blob);
  raw[raw.size() / 2] ^= 0x40;
  EXPECT_THAT((*ring)->Unwrap({wrapped.version, Base64UrlEncode(raw)}, "c"),
              HasError(ErrorCode::kInternal));
  EXPECT_THAT((*ring)->Unwrap({wrapped.version, "not*base64"}, "c"),
              HasError(ErrorCode::kInternal));
}

TEST(MasterKeyringCheck, MatchesOnlyTheSameKey) {
  const std::string key = KeyText();
  auto ring = MasterKeyring::FromText("1:" + key);
  auto same = MasterKeyring::FromText("1:" + key);
  auto other = MasterKeyring::FromText("1:" + KeyText());
  ASSERT_THAT(ring, IsOk());
  const std::string check = (*ring)->MakeCheck(1);
  ASSERT_FALSE(check.empty());
  EXPECT_TRUE((*same)->CheckMatches(1, check));
  EXPECT_FALSE((*other)->CheckMatches(1, check));
  EXPECT_FALSE((*ring)->CheckMatches(2, check));
  EXPECT_FALSE((*ring)->CheckMatches(1, "garbage"));
  EXPECT_TRUE((*ring)->MakeCheck(2).empty());
}

TEST(MasterKeyringFile, GeneratedOnFirstLoadWithOwnerOnlyMode) {
  TempDir dir;
  auto ring = MasterKeyring::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(ring, IsOk());
  const fs::path file = dir.path() / kMasterKeyringFileName;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE((*ring)->file_backed());
  EXPECT_EQ((*ring)->current_version(), 1u);

  // A second load reads the same key rather than generating another.
  const WrappedKey wrapped = (*ring)->Wrap(NewSecretKey(), "c");
  auto again = MasterKeyring::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT((*again)->Unwrap(wrapped, "c"), IsOk());
}

TEST(MasterKeyringFile, EnvironmentTextWinsOverTheFile) {
  TempDir dir;
  auto ring = MasterKeyring::Load({.data_dir = dir.path().string(), .keyring_text = KeyText()});
  ASSERT_THAT(ring, IsOk());
  EXPECT_FALSE((*ring)->file_backed());
  EXPECT_FALSE(fs::exists(dir.path() / kMasterKeyringFileName));
}

TEST(MasterKeyringFile, ExplicitMissingFileIsAnErrorNotGenerated) {
  TempDir dir;
  const fs::path file = dir.path() / "elsewhere.keyring";
  auto ring = MasterKeyring::Load({.data_dir = dir.path().string(), .keyring_file = file});
  EXPECT_THAT(ring, HasError(ErrorCode::kNotFound));
  EXPECT_FALSE(fs::exists(file));
}

TEST(MasterKeyringFile, AppendNewVersionRewrapsAndKeepsOldKeysUsable) {
  TempDir dir;
  auto ring = MasterKeyring::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(ring, IsOk());
  const SecretKey data_key = NewSecretKey();
  const WrappedKey old_wrap = (*ring)->Wrap(data_key, "c");

  auto version = (*ring)->AppendNewVersion();
  ASSERT_THAT(version, IsOk());
  EXPECT_EQ(*version, 2u);
  EXPECT_EQ((*ring)->current_version(), 2u);
  const WrappedKey new_wrap = (*ring)->Wrap(data_key, "c");
  EXPECT_EQ(new_wrap.version, 2u);

  // After a restart, both versions still unwrap.
  auto restarted = MasterKeyring::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(restarted, IsOk());
  EXPECT_EQ((*restarted)->Unwrap(old_wrap, "c")->view(), data_key.view());
  EXPECT_EQ((*restarted)->Unwrap(new_wrap, "c")->view(), data_key.view());
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / kMasterKeyringFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(MasterKeyringFile, UnknownVersionReloadsTheFileOnce) {
  // A running server meets a data key that `vault rotate-master-key` wrapped in another process.
  TempDir dir;
  auto server = MasterKeyring::Load({.data_dir = dir.path().string()});
  auto cli = MasterKeyring::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT(cli, IsOk());
  ASSERT_THAT((*cli)->AppendNewVersion(), IsOk());
  const SecretKey data_key = NewSecretKey();
  const WrappedKey wrapped = (*cli)->Wrap(data_key, "c");
  EXPECT_FALSE((*server)->Has(2));
  auto unwrapped = (*server)->Unwrap(wrapped, "c");
  ASSERT_THAT(unwrapped, IsOk());
  EXPECT_EQ(unwrapped->view(), data_key.view());
  EXPECT_EQ((*server)->current_version(), 2u);
}

TEST(MasterKeyringFile, EnvironmentKeyringCannotAppendButOffersText) {
  auto ring = MasterKeyring::FromText("1:" + KeyText());
  ASSERT_THAT(ring, IsOk());
  EXPECT_THAT((*ring)->AppendNewVersion(), HasError(ErrorCode::kFailedPrecondition));
  auto next = MasterKeyring::FromText((*ring)->TextWithNewVersion());
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ((*next)->current_version(), 2u);
  EXPECT_TRUE((*ring)->CheckMatches(1, (*next)->MakeCheck(1)));
}

TEST(MasterKeyringFile, CorruptFileIsRejectedWithItsPath) {
  TempDir dir;
  const fs::path file = dir.path() / kMasterKeyringFileName;
  WriteAll(file, "1:tooshort\n");
  ::chmod(file.c_str(), 0600);
  auto ring = MasterKeyring::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(ring, HasError(ErrorCode::kInvalidArgument));
  EXPECT_NE(ring.error().public_message.find(file.string()), std::string::npos);
  EXPECT_EQ(ReadAll(file), "1:tooshort\n");  // never overwritten
}

}  // namespace
}  // namespace gatehouse::security
