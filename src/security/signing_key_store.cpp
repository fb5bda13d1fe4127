#include "security/signing_key_store.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/array.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "security/base64url.hpp"
#include "security/digest.hpp"
#include "security/random.hpp"
#include "security/sodium_init.hpp"

namespace gatehouse::security {

namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_BYTES == 64);
constexpr std::size_t kEd25519PublicBytes = crypto_sign_PUBLICKEYBYTES;
constexpr std::size_t kEd25519SignatureBytes = crypto_sign_BYTES;
constexpr std::size_t kKidDigestBytes = 8;
constexpr off_t kMaxKeyFileBytes = 64 * 1024;

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

std::string ErrnoText(int err) { return std::generic_category().message(err); }

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();  // leave the thread's error queue empty for the next caller
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
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

// `path` must be a regular file of sane size. A private key should be readable by its owner
// only; public keys (allowed as previous keys) may be world-readable.
core::Result<std::string> ReadKeyFile(const std::string& path) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    const int err = errno;
    core::Error error = core::Internal("cannot open key file " + path + ": " + ErrnoText(err));
    if (err == ENOENT) error.code = core::ErrorCode::kNotFound;
    return error;
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) {
    return core::Internal("cannot stat key file " + path + ": " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) return core::Internal("key file " + path + " is not a regular file");
  if (st.st_size > kMaxKeyFileBytes) return core::Internal("key file " + path + " is too large");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(file.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return core::Internal("cannot read key file " + path + ": " + ErrnoText(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0 &&
      text.find("PRIVATE KEY-----") != std::string::npos) {
    // A warning, not a refusal: container secret mounts are often 0644 inside a private volume.
    spdlog::warn("key file {} is accessible by group or others (mode {:o}); chmod 600 it", path,
                 st.st_mode & 07777);
  }
  return text;
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

// Writes `pem` to a 0600 temporary file and links it into place. link() fails rather than
// overwrite, so two nodes starting at once on a shared volume agree on a single key.
core::Status WriteNewKeyFile(const std::string& path, const std::string& pem) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return core::Internal("cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);  // a new data dir is private
  }
  const std::string temp = path + ".tmp-" + RandomToken(9);
  {
    Fd file{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (file.fd < 0) return core::Internal("cannot create " + temp + ": " + ErrnoText(errno));
    // The umask can only remove bits, but be explicit about the mode we rely on.
    if (::fchmod(file.fd, 0600) != 0 || !WriteAll(file.fd, pem.data(), pem.size()) ||
        ::fsync(file.fd) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      return core::Internal("cannot write " + temp + ": " + ErrnoText(err));
    }
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    core::Error error = core::Internal("cannot create key file " + path + ": " + ErrnoText(err));
    if (err == EEXIST) error.code = core::ErrorCode::kAlreadyExists;
    return error;
  }
  Fd dir_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir_fd.fd >= 0) ::fsync(dir_fd.fd);  // make the new name durable
  return {};
}

}  // namespace

core::Status SigningKeyStore::CreateKeyFile(const std::string& path) {
  auto pkey = NewEd25519();
  if (!pkey) return std::move(pkey).error();
  auto pem = ToPem(pkey->get());
  if (!pem) return std::move(pem).error();
  core::Status status = WriteNewKeyFile(path, *pem);
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
