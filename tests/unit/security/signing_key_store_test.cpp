#include "security/signing_key_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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

mode_t ModeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SigningKeyStore, CreatesKeyFileWithMode0600OnFirstLoad) {
  TempDir dir;
  auto keys = SigningKeyStore::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(keys, IsOk());
  const fs::path file = dir.path() / "jwt-signing-key.pem";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(ModeOf(file), 0600);
  EXPECT_THAT(ReadAll(file), ::testing::StartsWith("-----BEGIN PRIVATE KEY-----"));
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(SigningKeyStore, ReloadingTheKeyFileGivesTheSameKid) {
  TempDir dir;
  auto first = SigningKeyStore::Load({.data_dir = dir.path().string()});
  auto second = SigningKeyStore::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(first->current_kid(), second->current_kid());
  // And the reloaded key verifies what the first one signed.
  auto signature = first->Sign("message");
  ASSERT_THAT(signature, IsOk());
  EXPECT_TRUE(second->Verify(first->current_kid(), "message", *signature));
}

TEST(SigningKeyStore, CreatesMissingDataDirectoryPrivately) {
  TempDir dir;
  const fs::path data = dir.path() / "nested" / "data";
  auto keys = SigningKeyStore::Load({.data_dir = data.string()});
  ASSERT_THAT(keys, IsOk());
  EXPECT_EQ(ModeOf(data), 0700);
}

TEST(SigningKeyStore, UsesConfiguredKeyPath) {
  TempDir dir;
  const fs::path path = dir.path() / "custom.pem";
  auto keys = SigningKeyStore::Load({.data_dir = "/nonexistent", .key_path = path.string()});
  ASSERT_THAT(keys, IsOk());
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(ModeOf(path), 0600);
}

TEST(SigningKeyStore, FailsWhenMissingAndCreationDisabled) {
  TempDir dir;
  auto keys = SigningKeyStore::Load({.data_dir = dir.path().string(), .create_if_missing = false});
  EXPECT_THAT(keys, HasError(ErrorCode::kInternal));
}

TEST(SigningKeyStore, RejectsAFileThatIsNotAnEd25519PrivateKey) {
  TempDir dir;
  const fs::path path = dir.path() / "jwt-signing-key.pem";
  std::ofstream(path) << "not a key\n";
  ::chmod(path.c_str(), 0600);
  auto keys = SigningKeyStore::Load({.data_dir = dir.path().string()});
  ASSERT_THAT(keys, HasError(ErrorCode::kInternal));
  EXPECT_THAT(keys.error().internal_message, ::testing::HasSubstr(path.string()));
}

TEST(SigningKeyStore, StillLoadsAGroupReadableKeyFile) {
  TempDir dir;
  const fs::path path = dir.path() / "jwt-signing-key.pem";
  ASSERT_THAT(SigningKeyStore::CreateKeyFile(path.string()), IsOk());
  ::chmod(path.c_str(), 0640);  // logged as a warning, not refused
  EXPECT_THAT(SigningKeyStore::Load({.data_dir = dir.path().string()}), IsOk());
}

TEST(SigningKeyStore, CreateKeyFileNeverOverwrites) {
  TempDir dir;
  const std::string path = (dir.path() / "k.pem").string();
  ASSERT_THAT(SigningKeyStore::CreateKeyFile(path), IsOk());
  const std::string before = ReadAll(path);
  EXPECT_THAT(SigningKeyStore::CreateKeyFile(path), HasError(ErrorCode::kAlreadyExists));
  EXPECT_EQ(ReadAll(path), before);
}

TEST(SigningKeyStore, KidIsBase64UrlOfFirst8BytesOfPublicKeySha256) {
  const SigningKeyStore keys = SigningKeyStore::Generate();
  const boost::json::object jwks = keys.Jwks();
  const auto& jwk = jwks.at("keys").as_array().at(0).as_object();
  const auto raw = Base64UrlDecode(jwk.at("x").as_string());
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_EQ(keys.current_kid(), KidForPublicKey(*raw));
  EXPECT_EQ(keys.current_kid().size(), 11u);
}

TEST(SigningKeyStore, ExportsRfc8037Jwk) {
  const SigningKeyStore keys = SigningKeyStore::Generate();
  const auto jwks = keys.Jwks();
  ASSERT_EQ(jwks.size(), 1u);
  const auto& list = jwks.at("keys").as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& jwk = list[0].as_object();
  EXPECT_EQ(jwk.at("kty"), "OKP");
  EXPECT_EQ(jwk.at("crv"), "Ed25519");
  EXPECT_EQ(jwk.at("alg"), "EdDSA");
  EXPECT_EQ(jwk.at("use"), "sig");
  EXPECT_EQ(jwk.at("kid").as_string(), keys.current_kid().c_str());
  EXPECT_EQ(jwk.at("x").as_string().size(), 43u);
  EXPECT_FALSE(jwk.contains("d"));  // never the private part
  EXPECT_EQ(jwk.size(), 6u);
}

TEST(SigningKeyStore, SignaturesAreEd25519AndBoundToMessageAndKid) {
  const SigningKeyStore keys = SigningKeyStore::Generate();
  auto signature = keys.Sign("hello");
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_TRUE(keys.Verify(keys.current_kid(), "hello", *signature));
  EXPECT_FALSE(keys.Verify(keys.current_kid(), "hello!", *signature));
  EXPECT_FALSE(keys.Verify("unknown-kid", "hello", *signature));
  EXPECT_FALSE(keys.Verify(keys.current_kid(), "hello", signature->substr(0, 63)));
  std::string flipped = *signature;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(keys.Verify(keys.current_kid(), "hello", flipped));
}

TEST(SigningKeyStore, PreviousKeysVerifyButNeverSign) {
  TempDir dir;
  const fs::path old_path = dir.path() / "old.pem";
  const fs::path new_path = dir.path() / "new.pem";
  auto old_keys = SigningKeyStore::Load({.key_path = old_path.string()});
  ASSERT_THAT(old_keys, IsOk());
  auto old_signature = old_keys->Sign("token");
  ASSERT_THAT(old_signature, IsOk());

  // Rotation: a new current key, the old file listed as previous.
  auto rotated = SigningKeyStore::Load(
      {.key_path = new_path.string(), .previous_key_paths = {old_path.string()}});
  ASSERT_THAT(rotated, IsOk());
  EXPECT_NE(rotated->current_kid(), old_keys->current_kid());
  EXPECT_EQ(rotated->kids(),
            (std::vector<std::string>{rotated->current_kid(), old_keys->current_kid()}));
  EXPECT_TRUE(rotated->Verify(old_keys->current_kid(), "token", *old_signature));
  EXPECT_EQ(rotated->Jwks().at("keys").as_array().size(), 2u);

  auto new_signature = rotated->Sign("token");
  ASSERT_THAT(new_signature, IsOk());
  EXPECT_TRUE(rotated->Verify(rotated->current_kid(), "token", *new_signature));
  EXPECT_FALSE(rotated->Verify(old_keys->current_kid(), "token", *new_signature));
}

TEST(SigningKeyStore, IgnoresAPreviousKeyThatIsAlreadyLoaded) {
  TempDir dir;
  const std::string path = (dir.path() / "k.pem").string();
  auto keys = SigningKeyStore::Load({.key_path = path, .previous_key_paths = {path}});
  ASSERT_THAT(keys, IsOk());
  EXPECT_EQ(keys->kids().size(), 1u);
}

TEST(SigningKeyStore, FailsOnAMissingPreviousKeyFile) {
  TempDir dir;
  auto keys = SigningKeyStore::Load({.data_dir = dir.path().string(),
                                     .previous_key_paths = {(dir.path() / "gone.pem").string()}});
  EXPECT_THAT(keys, HasError(ErrorCode::kInternal));
}

TEST(SigningKeyStore, AcceptsPublicKeyPemAsVerificationKey) {
  // RFC 8410 §10.1 example public key.
  constexpr std::string_view kPublicPem =
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      "-----END PUBLIC KEY-----\n";
  SigningKeyStore keys = SigningKeyStore::Generate();
  ASSERT_THAT(keys.AddVerificationKeyPem(kPublicPem), IsOk());
  ASSERT_EQ(keys.kids().size(), 2u);
  const boost::json::object jwks = keys.Jwks();
  const auto& jwk = jwks.at("keys").as_array().at(1).as_object();
  EXPECT_EQ(jwk.at("x"), "Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE");
  EXPECT_THAT(keys.AddVerificationKeyPem("garbage"), HasError(ErrorCode::kInternal));
}

}  // namespace
}  // namespace gatehouse::security
