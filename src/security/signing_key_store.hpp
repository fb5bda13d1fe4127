// Ed25519 keys for access tokens: the current signing key plus verification-only previous keys
// (rotation), kept in PEM files, and their public halves as a JWK Set (RFC 7517 / RFC 8037).
//
//   auto keys = SigningKeyStore::Load({.data_dir = config.data_dir});   // creates 0600 on 1st run
//   if (!keys) return keys.error();
//   boost::json::object jwks = keys->Jwks();          // served at /.well-known/jwks.json
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace gatehouse::security {

inline constexpr std::string_view kSigningKeyFileName = "jwt-signing-key.pem";

struct SigningKeyOptions {
  std::string data_dir = "./data";
  // The current key, PKCS#8 PEM ("openssl genpkey -algorithm ed25519"). Empty means
  // <data_dir>/jwt-signing-key.pem. Nodes serving one deployment must share this file.
  std::string key_path{};
  // Keys that still verify but no longer sign: after rotating, list the old file here for at
  // least the access-token TTL. PEM private keys or public keys ("openssl pkey -pubout").
  std::vector<std::string> previous_key_paths{};
  // Generate the current key (mode 0600) when its file does not exist.
  bool create_if_missing = true;
};

class SigningKeyStore {
 public:
  // Reads (or first creates) the key files. Warns in the log when a private key file is
  // readable by group or others. Internal error (naming the file) on anything unreadable.
  static core::Result<SigningKeyStore> Load(const SigningKeyOptions& options);
  // A fresh key held only in memory: for tests and throw-away instances. Throws
  // std::runtime_error if OpenSSL cannot generate a key.
  static SigningKeyStore Generate();
  // Writes a new private key to `path` with mode 0600; AlreadyExists if the file exists.
  // The building block of `gatehouse keys rotate` (the old file becomes a previous key).
  static core::Status CreateKeyFile(const std::string& path);

  // Adds a verification-only key from PEM text (private or public). A key already present is
  // ignored.
  core::Status AddVerificationKeyPem(std::string_view pem);

  // base64url of the first 8 bytes of SHA-256(raw public key): 11 characters.
  const std::string& current_kid() const;
  std::vector<std::string> kids() const;  // current first
  bool HasKid(std::string_view kid) const;

  // 64-byte Ed25519 signature of `message` by the current key.
  core::Result<std::string> Sign(std::string_view message) const;
  // False for an unknown kid, a signature that is not 64 bytes, or one that does not verify.
  bool Verify(std::string_view kid, std::string_view message, std::string_view signature) const;

  // {"keys":[{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"},…]}
  boost::json::object Jwks() const;

  SigningKeyStore(SigningKeyStore&&) noexcept;
  SigningKeyStore& operator=(SigningKeyStore&&) noexcept;
  SigningKeyStore(const SigningKeyStore&);
  SigningKeyStore& operator=(const SigningKeyStore&);
  ~SigningKeyStore();

  // Wraps the OpenSSL key; defined in the .cpp so no OpenSSL header leaks out.
  struct Key;

 private:
  SigningKeyStore() = default;
  const Key* Find(std::string_view kid) const;

  std::vector<std::shared_ptr<const Key>> keys_;  // [0] is the current (signing) key
};

// The kid for a raw 32-byte Ed25519 public key.
std::string KidForPublicKey(std::string_view raw_public_key);

}  // namespace gatehouse::security
