#include "security/master_keyring.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>
#include <optional>

#include "security/base64url.hpp"
#include "security/secret_file.hpp"
#include "security/sodium_init.hpp"

namespace gatehouse::security {

namespace {

constexpr std::string_view kEnvSource = "GATEHOUSE_MASTER_KEY";
constexpr std::string_view kCheckPlaintext = "gatehouse vault master key check";
constexpr std::uint32_t kMaxVersion = 1'000'000;

using KeyMap = std::map<std::uint32_t, SecretKey>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Accepts base64url without padding (what gatehouse writes) and standard base64 with padding
// (what `openssl rand -base64 32` prints).
std::optional<std::string> DecodeKey(std::string_view text) {
  if (auto raw = Base64UrlDecode(text)) return raw;
  EnsureSodium();
  std::string raw(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  raw.resize(length);
  return raw;
}

// Error messages name the source and the entry's position, never key material.
core::Result<KeyMap> ParseKeyring(std::string_view text, std::string_view source) {
  KeyMap keys;
  std::size_t entry = 0;
  bool saw_bare = false;
  auto bad = [&](const std::string& why) {
    return core::InvalidArgument(std::string(source) + ": entry " + std::to_string(entry) +
                                 ": " + why);
  };
  // Entries are separated by newlines or commas; a '#' line is a comment (commas and all).
  std::string_view line;
  while (!text.empty() || !line.empty()) {
    if (line.empty()) {
      const std::size_t eol = text.find('\n');
      line = Trim(text.substr(0, eol));
      text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
      if (!line.empty() && line.front() == '#') line = {};
      continue;
    }
    const std::size_t comma = line.find(',');
    std::string_view item = Trim(line.substr(0, comma));
    line = comma == std::string_view::npos ? std::string_view{} : line.substr(comma + 1);
    if (item.empty()) continue;
    ++entry;
    std::uint32_t version = 1;
    std::string_view encoded = item;
    if (const std::size_t colon = item.find(':'); colon != std::string_view::npos) {
      const std::string_view digits = Trim(item.substr(0, colon));
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
      if (ec != std::errc{} || ptr != digits.data() + digits.size() || version == 0 ||
          version > kMaxVersion) {
        return bad("the version before ':' must be a whole number from 1 to 1000000");
      }
      encoded = Trim(item.substr(colon + 1));
    } else {
      saw_bare = true;
    }
    auto raw = DecodeKey(encoded);
    if (!raw || raw->size() != kSecretKeyBytes) {
      if (raw) sodium_memzero(raw->data(), raw->size());
      return bad("a key must be 32 bytes in base64url or base64");
    }
    if (!keys.emplace(version, SecretKey(*raw)).second) {
      sodium_memzero(raw->data(), raw->size());
      return bad("version " + std::to_string(version) + " appears twice");
    }
    sodium_memzero(raw->data(), raw->size());
  }
  if (keys.empty()) return core::InvalidArgument(std::string(source) + ": holds no key");
  if (saw_bare && keys.size() > 1) {
    return core::InvalidArgument(std::string(source) +
                                 ": with several keys, each needs its \"<version>:\" prefix");
  }
  return keys;
}

std::string Serialize(const KeyMap& keys, std::string_view separator) {
  std::string text;
  for (const auto& [version, key] : keys) {
    if (!text.empty()) text += separator;
    text += std::to_string(version) + ":" + Base64UrlEncode(key.view());
  }
  return text;
}

std::string FileText(const KeyMap& keys) {
  return "# gatehouse vault master keyring. Back this file up, and keep it apart from the\n"
         "# database: without it no secure credential value can be decrypted. The highest\n"
         "# version encrypts; older versions only decrypt until rotation has re-wrapped them.\n" +
         Serialize(keys, "\n") + "\n";
}

void Wipe(std::string& text) { sodium_memzero(text.data(), text.size()); }

std::string WrapAad(std::string_view context, std::uint32_t version) {
  return "gatehouse.vault.dek.v1|" + std::string(context) + "|" + std::to_string(version);
}

std::string CheckAad(std::uint32_t version) {
  return "gatehouse.vault.check.v1|" + std::to_string(version);
}

core::Result<KeyMap> ReadKeyringFile(const std::string& path) {
  auto file = ReadSecretFile(path);
  if (!file) return std::move(file).error();
  if (file->readable_by_others) {
    spdlog::warn("vault master keyring {} is accessible by group or others (mode {:o}); "
                 "chmod 600 it",
                 path, file->mode);
  }
  auto keys = ParseKeyring(file->text, path);
  Wipe(file->text);
  return keys;
}

}  // namespace

core::Result<std::shared_ptr<MasterKeyring>> MasterKeyring::FromText(std::string_view text) {
  auto keys = ParseKeyring(text, kEnvSource);
  if (!keys) return std::move(keys).error();
  std::shared_ptr<MasterKeyring> ring(new MasterKeyring());
  ring->keys_ = std::move(*keys);
  ring->source_ = std::string(kEnvSource);
  return ring;
}

core::Result<std::shared_ptr<MasterKeyring>> MasterKeyring::Load(
    const MasterKeyringOptions& options) {
  if (!options.keyring_text.empty()) return FromText(options.keyring_text);

  const bool default_path = options.keyring_file.empty();
  const std::string path =
      default_path ? (std::filesystem::path(options.data_dir) / kMasterKeyringFileName).string()
                   : options.keyring_file;
  auto keys = ReadKeyringFile(path);
  if (!keys && keys.error().code == core::ErrorCode::kNotFound && default_path &&
      options.create_if_missing) {
    KeyMap fresh;
    fresh.emplace(1, NewSecretKey());
    std::string text = FileText(fresh);
    core::Status written = WriteSecretFile(path, text, SecretWrite::kCreateOnly);
    Wipe(text);
    // AlreadyExists: another process won the race; read the keyring it wrote.
    if (!written && written.error().code != core::ErrorCode::kAlreadyExists) {
      return std::move(written).error();
    }
    if (written) {
      spdlog::warn("created the vault master keyring {} (mode 0600). BACK IT UP and keep it "
                   "apart from the database: without it every secure credential value is lost. "
                   "For production, set GATEHOUSE_MASTER_KEY or master_key_file instead.",
                   path);
    }
    keys = ReadKeyringFile(path);
  }
  if (!keys) return std::move(keys).error();
  std::shared_ptr<MasterKeyring> ring(new MasterKeyring());
  ring->keys_ = std::move(*keys);
  ring->file_ = path;
  ring->source_ = path;
  return ring;
}

std::uint32_t MasterKeyring::current_version() const {
  std::lock_guard lock(mutex_);
  return keys_.rbegin()->first;
}

bool MasterKeyring::Has(std::uint32_t version) const {
  std::lock_guard lock(mutex_);
  return keys_.count(version) != 0;
}

std::string MasterKeyring::source() const { return source_; }

bool MasterKeyring::file_backed() const { return !file_.empty(); }

WrappedKey MasterKeyring::Wrap(const SecretKey& data_key, std::string_view context) const {
  std::lock_guard lock(mutex_);
  const auto& [version, master] = *keys_.rbegin();
  return {version, Base64UrlEncode(Seal(master, data_key.view(), WrapAad(context, version)))};
}

core::Result<SecretKey> MasterKeyring::Unwrap(const WrappedKey& wrapped,
                                              std::string_view context) const {
  if (!Has(wrapped.version)) {
    // A rotation by another process may have added the version since we loaded the file.
    (void)Reload();
    if (!Has(wrapped.version)) {
      return core::FailedPrecondition(
          "The vault master key needed for this record is not configured", "MasterKeyMissing");
    }
  }
  auto sealed = Base64UrlDecode(wrapped.blob);
  if (!sealed) return core::Internal("decryption failed: the wrapped data key is not base64url");
  core::Result<std::string> raw = core::Internal("unreachable");
  {
    std::lock_guard lock(mutex_);
    raw = Open(keys_.at(wrapped.version), *sealed, WrapAad(context, wrapped.version));
  }
  if (!raw) return std::move(raw).error();
  if (raw->size() != kSecretKeyBytes) {
    Wipe(*raw);
    return core::Internal("decryption failed: the data key has the wrong size");
  }
  SecretKey key(*raw);
  Wipe(*raw);
  return key;
}

std::string MasterKeyring::MakeCheck(std::uint32_t version) const {
  std::lock_guard lock(mutex_);
  const auto found = keys_.find(version);
  if (found == keys_.end()) return {};
  return Base64UrlEncode(Seal(found->second, kCheckPlaintext, CheckAad(version)));
}

bool MasterKeyring::CheckMatches(std::uint32_t version, std::string_view check) const {
  auto sealed = Base64UrlDecode(check);
  if (!sealed) return false;
  std::lock_guard lock(mutex_);
  const auto found = keys_.find(version);
  if (found == keys_.end()) return false;
  auto plain = Open(found->second, *sealed, CheckAad(version));
  return plain && *plain == kCheckPlaintext;
}

core::Status MasterKeyring::Reload() const {
  if (file_.empty()) return {};
  auto keys = ReadKeyringFile(file_);
  if (!keys) {
    spdlog::error("cannot reload the vault master keyring: {}", keys.error().internal_message);
    return std::move(keys).error();
  }
  std::lock_guard lock(mutex_);
  keys_ = std::move(*keys);
  return {};
}

core::Result<std::uint32_t> MasterKeyring::AppendNewVersion() {
  if (file_.empty()) {
    return core::FailedPrecondition(
        "The master keys come from GATEHOUSE_MASTER_KEY: add the new key there yourself",
        "MasterKeyFromEnvironment");
  }
  // Start from the file as it is now, so a key another process added is never dropped.
  if (core::Status reloaded = Reload(); !reloaded) return std::move(reloaded).error();
  std::lock_guard lock(mutex_);
  KeyMap next = keys_;
  const std::uint32_t version = next.rbegin()->first + 1;
  next.emplace(version, NewSecretKey());
  std::string text = FileText(next);
  core::Status written = WriteSecretFile(file_, text, SecretWrite::kReplace);
  Wipe(text);
  if (!written) return std::move(written).error();
  keys_ = std::move(next);
  return version;
}

std::string MasterKeyring::TextWithNewVersion() const {
  std::lock_guard lock(mutex_);
  KeyMap next = keys_;
  next.emplace(next.rbegin()->first + 1, NewSecretKey());
  return Serialize(next, ",");
}

}  // namespace gatehouse::security
