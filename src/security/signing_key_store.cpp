#include "security/signing_key_store.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "security/base64url.hpp"
#include "security/digest.hpp"
#include "security/secret_file.hpp"
#include "security/sodium_init.hpp"

namespace gatehouse::security {

namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_BYTES == 64);
constexpr std::size_t kEd25519PublicBytes = crypto_sign_PUBLICKEYBYTES;
constexpr std::size_t kEd25519SignatureBytes = crypto_sign_BYTES;
constexpr std::size_t kKidDigestBytes = 8;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Never prompt on the terminal for an encrypted PEM: fail instead.
int NoPassword(char*, int, int, void*) { return 0; }

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();  // leave the thread's error queue empty for the next caller
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

// Immutable once built, so stores can share keys across copies and threads.
struct SigningKeyStore::Key {
  std::string kid;
  std::string public_raw;  // 32 bytes
  PkeyPtr pkey;            // private (current key, or a previous one) or public only
};

std::string KidForPublicKey(std::string_view raw_public_key) {
  return Base64UrlEncode(Sha256(raw_public_key).substr(0, kKidDigestBytes));
}

namespace {

using KeyPtr = std::shared_ptr<const SigningKeyStore::Key>;

core::Result<KeyPtr> MakeKey(PkeyPtr pkey) {
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return core::Internal("not an Ed25519 key");
  }
  std::string raw(kEd25519PublicBytes, '\0');
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(raw.data()),
                                  &length) != 1 ||
      length != kEd25519PublicBytes) {
    return core::Internal("cannot read the Ed25519 public key: " + OpenSslError());
  }
  auto key = std::make_shared<SigningKeyStore::Key>();
  key->kid = KidForPublicKey(raw);
  key->public_raw = std::move(raw);
  key->pkey = std::move(pkey);
  return KeyPtr(std::move(key));
}

// Parses PEM text holding an Ed25519 private key, or (when `allow_public`) a public key.
core::Result<KeyPtr> ParsePem(std::string_view pem, bool allow_public) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::Internal("BIO_new_mem_buf: " + OpenSslError());
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (!pkey && allow_public) {
    ERR_clear_error();
    BioPtr again(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!again) return core::Internal("BIO_new_mem_buf: " + OpenSslError());
    pkey.reset(PEM_read_bio_PUBKEY(again.get(), nullptr, NoPassword, nullptr));
  }
  if (!pkey) {
    return core::Internal(std::string("no unencrypted PEM ") +
                          (allow_public ? "private or public" : "private") +
                          " key: " + OpenSslError());
  }
  return MakeKey(std::move(pkey));
}

core::Result<PkeyPtr> NewEd25519() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) return core::Internal("Ed25519 key generation failed: " + OpenSslError());
  return pkey;
}

// A private key should be readable by its owner only; public keys (allowed as previous keys)
// may be world-readable.
core::Result<std::string> ReadKeyFile(const std::string& path) {
  auto file = ReadSecretFile(path);
  if (!file) return std::move(file).error();
  if (file->readable_by_others && file->text.find("PRIVATE KEY-----") != std::string::npos) {
    // A warning, not a refusal: container secret mounts are often 0644 inside a private volume.
    spdlog::warn("key file {} is accessible by group or others (mode {:o}); chmod 600 it", path,
                 file->mode);
  }
  return std::move(file->text);
}

core::Result<std::string> ToPem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return core::Internal("cannot encode the key as PEM: " + OpenSslError());
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(size));
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return pem;
}

}  // namespace

core::Status SigningKeyStore::CreateKeyFile(const std::string& path) {
  auto pkey = NewEd25519();
  if (!pkey) return std::move(pkey).error();
  auto pem = ToPem(pkey->get());
  if (!pem) return std::move(pem).error();
  core::Status status = WriteSecretFile(path, *pem, SecretWrite::kCreateOnly);
  OPENSSL_cleanse(pem->data(), pem->size());
  return status;
}

core::Result<SigningKeyStore> SigningKeyStore::Load(const SigningKeyOptions& options) {
  const std::string path =
      !options.key_path.empty()
          ? options.key_path
          : (std::filesystem::path(options.data_dir) / kSigningKeyFileName).string();

  auto text = ReadKeyFile(path);
  if (!text && text.error().code == core::ErrorCode::kNotFound && options.create_if_missing) {
    core::Status created = CreateKeyFile(path);
    // AlreadyExists: another process won the race; read the key it wrote.
    if (!created && created.error().code != core::ErrorCode::kAlreadyExists) {
      return std::move(created).error();
    }
    if (created) spdlog::info("created JWT signing key {}", path);
    text = ReadKeyFile(path);
  }
  if (!text) return core::Internal(text.error().internal_message);

  SigningKeyStore store;
  auto current = ParsePem(*text, /*allow_public=*/false);
  OPENSSL_cleanse(text->data(), text->size());
  if (!current) return core::Internal(path + ": " + current.error().internal_message);
  store.keys_.push_back(std::move(*current));

  for (const std::string& previous : options.previous_key_paths) {
    auto pem = ReadKeyFile(previous);
    if (!pem) return core::Internal(pem.error().internal_message);
    core::Status added = store.AddVerificationKeyPem(*pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    if (!added) return core::Internal(previous + ": " + added.error().internal_message);
  }
  return store;
}

SigningKeyStore SigningKeyStore::Generate() {
  auto pkey = NewEd25519();
  if (!pkey) throw std::runtime_error(pkey.error().internal_message);
  auto key = MakeKey(std::move(*pkey));
  if (!key) throw std::runtime_error(key.error().internal_message);
  SigningKeyStore store;
  store.keys_.push_back(std::move(*key));
  return store;
}

core::Status SigningKeyStore::AddVerificationKeyPem(std::string_view pem) {
  auto parsed = ParsePem(pem, /*allow_public=*/true);
  if (!parsed) return std::move(parsed).error();
  // Only keys_[0] ever signs, so a previous key's private half (if given) is never used.
  if (Find((*parsed)->kid) == nullptr) keys_.push_back(std::move(*parsed));
  return {};
}

const std::string& SigningKeyStore::current_kid() const { return keys_.front()->kid; }

std::vector<std::string> SigningKeyStore::kids() const {
  std::vector<std::string> out;
  for (const auto& key : keys_) out.push_back(key->kid);
  return out;
}

bool SigningKeyStore::HasKid(std::string_view kid) const { return Find(kid) != nullptr; }

const SigningKeyStore::Key* SigningKeyStore::Find(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key->kid == kid) return key.get();
  }
  return nullptr;
}

core::Result<std::string> SigningKeyStore::Sign(std::string_view message) const {
  const Key& key = *keys_.front();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t length = signature.size();
  // Ed25519 hashes internally (PureEdDSA), hence no message digest: NULL md.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    return core::Internal("Ed25519 signing failed: " + OpenSslError());
  }
  return signature;
}

bool SigningKeyStore::Verify(std::string_view kid, std::string_view message,
                             std::string_view signature) const {
  const Key* key = Find(kid);
  if (key == nullptr || signature.size() != crypto_sign_BYTES) return false;
  // libsodium verifies against the raw key without a per-call EVP context: ~40 us instead of
  // ~65 us, and this runs on every authenticated request. It also rejects small-order points
  // and non-canonical signatures (RFC 8032 strict), which only makes it stricter than needed.
  EnsureSodium();
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(key->public_raw.data())) == 0;
}

boost::json::object SigningKeyStore::Jwks() const {
  boost::json::array keys;
  for (const auto& key : keys_) {
    keys.push_back(boost::json::object{{"kty", "OKP"},
                                       {"crv", "Ed25519"},
                                       {"x", Base64UrlEncode(key->public_raw)},
                                       {"kid", key->kid},
                                       {"alg", "EdDSA"},
                                       {"use", "sig"}});
  }
  return boost::json::object{{"keys", std::move(keys)}};
}

SigningKeyStore::SigningKeyStore(SigningKeyStore&&) noexcept = default;
SigningKeyStore& SigningKeyStore::operator=(SigningKeyStore&&) noexcept = default;
SigningKeyStore::SigningKeyStore(const SigningKeyStore&) = default;
SigningKeyStore& SigningKeyStore::operator=(const SigningKeyStore&) = default;
SigningKeyStore::~SigningKeyStore() = default;

}  // namespace gatehouse::security
