// The vault's master keys: versioned 256-bit keys that wrap (encrypt) per-record data keys.
// They never enter the database. Sources, first found wins:
//   1. GATEHOUSE_MASTER_KEY (config option `master_key`): a keyring string, see below;
//   2. a keyring file (config option `master_key_file`);
//   3. <data_dir>/vault-master.keyring, generated (mode 0600) on first start with a loud
//      warning that it must be backed up and kept apart from the database.
//
// Keyring text: one key per line or per comma, "<version>:<base64url 32 bytes>"; the highest
// version is the current one (used for new wraps); older versions only unwrap. A bare key
// without "<version>:" is version 1. Blank lines and lines starting with '#' are ignored.
//
//   auto ring = MasterKeyring::Load({.data_dir = "./data"});
//   WrappedKey w = ring->Wrap(data_key, credential_id);            // {version, blob}
//   auto again = ring->Unwrap(w, credential_id);                   // the same data key
//
// Rotation (`gatehouse vault rotate-master-key`): AppendNewVersion() writes a new current key
// to the keyring file; the vault then re-wraps every data key with Wrap(). A running server
// that meets a version it does not hold calls Reload() once, so rotation needs no restart.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "security/aead.hpp"

namespace gatehouse::security {

inline constexpr std::string_view kMasterKeyringFileName = "vault-master.keyring";

struct MasterKeyringOptions {
  std::string data_dir = "./data";
  std::string keyring_text{};  // from GATEHOUSE_MASTER_KEY; wins over the file when not empty
  std::string keyring_file{};  // empty: <data_dir>/vault-master.keyring
  bool create_if_missing = true;
};

struct WrappedKey {
  std::uint32_t version = 0;  // master key version that wrapped it
  // base64url of Seal(master[version], data key, AAD(context, version)): safe in a TEXT column.
  std::string blob;
};

class MasterKeyring {
 public:
  // InvalidArgument (naming the source, never the key) for malformed text; Internal for an
  // unreadable file. Warns when the file is readable by group or others.
  static core::Result<std::shared_ptr<MasterKeyring>> Load(const MasterKeyringOptions& options);
  // From keyring text only (tests, tools).
  static core::Result<std::shared_ptr<MasterKeyring>> FromText(std::string_view text);

  std::uint32_t current_version() const;
  bool Has(std::uint32_t version) const;
  // Where the keys came from, for messages: "GATEHOUSE_MASTER_KEY" or the file path.
  std::string source() const;
  bool file_backed() const;

  // Wraps under the current version. `context` (the owning record's id) is bound as AAD.
  WrappedKey Wrap(const SecretKey& data_key, std::string_view context) const;
  // Unknown version: Reload() once (file-backed), then FailedPrecondition "MasterKeyMissing".
  // Wrong key or tampered blob: Internal "decryption failed".
  core::Result<SecretKey> Unwrap(const WrappedKey& wrapped, std::string_view context) const;

  // A value sealed under `version` (base64url text) that proves, later, that the same key is
  // configured: stored by the vault per version; CheckMatches() is false for another key.
  // MakeCheck() returns an empty string for a version the keyring does not hold.
  std::string MakeCheck(std::uint32_t version) const;
  bool CheckMatches(std::uint32_t version, std::string_view check) const;

  // Re-reads the keyring file (no-op for env keyrings). Keeps the old keys on failure.
  core::Status Reload() const;
  // Generates a new key with version current+1, writes the whole keyring atomically (temp
  // file, fsync, rename; mode 0600) and adopts it. FailedPrecondition when the keys came from
  // GATEHOUSE_MASTER_KEY: then the operator must add the printed line themselves.
  core::Result<std::uint32_t> AppendNewVersion();
  // The keyring text with a new version appended, for environment-based deployments.
  std::string TextWithNewVersion() const;

 private:
  MasterKeyring() = default;
  mutable std::mutex mutex_;
  mutable std::map<std::uint32_t, SecretKey> keys_;
  std::string file_;     // empty when from the environment
  std::string source_;
};

}  // namespace gatehouse::security
