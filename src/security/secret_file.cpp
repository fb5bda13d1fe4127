#include "security/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "security/random.hpp"

namespace gatehouse::security {

namespace {

constexpr off_t kMaxSecretFileBytes = 64 * 1024;

std::string ErrnoText(int err) { return std::generic_category().message(err); }

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

core::Result<SecretFileContents> ReadSecretFile(const std::string& path) {
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
  if (st.st_size > kMaxSecretFileBytes) {
    return core::Internal("key file " + path + " is too large");
  }
  SecretFileContents contents;
  contents.text.assign(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < contents.text.size()) {
    const ssize_t n = ::read(file.fd, contents.text.data() + done, contents.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return core::Internal("cannot read key file " + path + ": " + ErrnoText(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  contents.text.resize(done);
  contents.mode = st.st_mode & 07777;
  contents.readable_by_others = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
  return contents;
}

core::Status WriteSecretFile(const std::string& path, std::string_view text, SecretWrite mode) {
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
    if (::fchmod(file.fd, 0600) != 0 || !WriteAll(file.fd, text.data(), text.size()) ||
        ::fsync(file.fd) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      return core::Internal("cannot write " + temp + ": " + ErrnoText(err));
    }
  }
  int moved = 0;
  int err = 0;
  if (mode == SecretWrite::kCreateOnly) {
    moved = ::link(temp.c_str(), path.c_str());
    err = errno;
    ::unlink(temp.c_str());
  } else {
    moved = ::rename(temp.c_str(), path.c_str());
    err = errno;
    if (moved != 0) ::unlink(temp.c_str());
  }
  if (moved != 0) {
    core::Error error = core::Internal("cannot write key file " + path + ": " + ErrnoText(err));
    if (err == EEXIST) error.code = core::ErrorCode::kAlreadyExists;
    return error;
  }
  Fd dir_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir_fd.fd >= 0) ::fsync(dir_fd.fd);  // make the new name durable
  return {};
}

}  // namespace gatehouse::security
