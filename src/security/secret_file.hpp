// Internal to src/security: reading and writing small files that hold key material (the JWT
// signing key, the vault's master keyring). Writes go to a 0600 temporary file, are fsynced,
// then moved into place, so a crash never leaves a half-written key.
//
//   auto file = ReadSecretFile(path);                  // NotFound code when it does not exist
//   if (file && file->readable_by_others) spdlog::warn(...);
//   WriteSecretFile(path, text, SecretWrite::kCreateOnly);   // AlreadyExists if present
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace gatehouse::security {

struct SecretFileContents {
  std::string text;
  bool readable_by_others = false;  // any group or other permission bit is set
  unsigned mode = 0;                // st_mode & 07777, for messages
};

// Regular files of at most 64 KiB only. Errors name the path, never the contents.
core::Result<SecretFileContents> ReadSecretFile(const std::string& path);

enum class SecretWrite {
  kCreateOnly,  // link() into place: fails with AlreadyExists rather than overwrite, so two
                // nodes starting at once on a shared volume agree on one file
  kReplace,     // rename() over any existing file, atomically
};

// Creates the parent directory (mode 0700) when missing.
core::Status WriteSecretFile(const std::string& path, std::string_view text, SecretWrite mode);

}  // namespace gatehouse::security
