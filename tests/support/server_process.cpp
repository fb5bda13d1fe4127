#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace gatehouse::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path, std::size_t offset = 0) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0 || static_cast<std::size_t>(size) <= offset) return {};
  in.seekg(static_cast<std::streamoff>(offset));
  std::string out(static_cast<std::size_t>(size) - offset, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::size_t FileSize(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::size_t>(size);
}

std::string Tail(const std::string& text, int lines) {
  std::size_t pos = text.size();
  while (lines-- > 0 && pos > 0) {
    std::size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return text.substr(pos == 0 ? 0 : pos + 1);
}

std::string JoinArgs(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

// Our environment minus GATEHOUSE_*, plus `extra` (later entries win).
std::vector<std::string> ChildEnvironment(const EnvVars& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("GATEHOUSE_")) continue;
    env.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// fork + exec with stdout/stderr sent to files and stdin from /dev/null. The child dies with
// us (PR_SET_PDEATHSIG), so a crashed test run leaves no servers behind.
pid_t Spawn(const std::vector<std::string>& argv, const EnvVars& extra_env,
            const std::string& out_path, const std::string& err_path, bool append,
            std::string* error) {
  std::vector<std::string> env = ChildEnvironment(extra_env);
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  for (const auto& e : env) c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int out_fd = ::open(out_path.c_str(), flags, 0644);
  int err_fd = ::open(err_path.c_str(), flags, 0644);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) {
    *error = "cannot open log files in " + out_path + ": " + std::strerror(errno);
    for (int fd : {out_fd, err_fd, null_fd}) {
      if (fd >= 0) ::close(fd);
    }
    return -1;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only until execve.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    const char msg[] = "test support: execve failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  int saved = errno;
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  if (pid < 0) *error = std::string("fork: ") + std::strerror(saved);
  return pid;
}

bool HasFlag(const std::vector<std::string>& flags, std::string_view name) {
  for (const auto& f : flags) {
    if (f == name || (f.starts_with(name) && f.size() > name.size() && f[name.size()] == '=')) {
      return true;
    }
  }
  return false;
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp(" << templ << "): " << std::strerror(errno);
    return;
  }
  path_ = templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string GatehouseBinary() {
  if (const char* env = std::getenv("GATEHOUSE_BINARY"); env && *env) return env;
#ifdef GATEHOUSE_BINARY
  return GATEHOUSE_BINARY;
#else
  return "gatehouse";
#endif
}

std::string CommandResult::Describe() const {
  std::string text = exit_code == -1 ? "timed out" : "exit " + std::to_string(exit_code);
  if (!out.empty()) text += "; stdout: " + Tail(out, 20);
  text += "; stderr: " + Tail(err, 20);
  return text;
}

CommandResult RunGatehouse(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                           const EnvVars& env) {
  CommandResult result;
  TempDir dir("gatehouse-cmd-");
  std::vector<std::string> argv{GatehouseBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string error;
  std::string out_path = dir.path() + "/stdout";
  std::string err_path = dir.path() + "/stderr";
  pid_t pid = Spawn(argv, env, out_path, err_path, false, &error);
  if (pid < 0) {
    result.err = error;
    return result;
  }
  Clock::time_point deadline = Clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      result.exit_code = DecodeStatus(status);
      break;
    }
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    owned_dir_ = std::make_unique<TempDir>();
    data_dir_ = owned_dir_->path();
  } else {
    data_dir_ = options_.data_dir;
    std::error_code ec;
    std::filesystem::create_directories(data_dir_, ec);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(10s);
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info != nullptr && ::testing::Test::HasFailure()) {
    std::cerr << "---- gatehouse stderr (" << JoinArgs(argv_) << "), last 40 lines ----\n"
              << Tail(StderrLog(), 40) << "\n---- end of gatehouse stderr ----\n";
  }
}

::testing::AssertionResult ServerProcess::Start() {
  if (pid_ > 0)
    return ::testing::AssertionFailure() << "server already running (pid " << pid_ << ")";
  argv_ = {GatehouseBinary(), "serve"};
  if (!HasFlag(options_.flags, "--listen")) argv_.insert(argv_.end(), {"--listen", "127.0.0.1:0"});
  if (!HasFlag(options_.flags, "--data-dir")) argv_.insert(argv_.end(), {"--data-dir", data_dir_});
  if (!options_.database_url.empty() && !HasFlag(options_.flags, "--database-url")) {
    argv_.insert(argv_.end(), {"--database-url", options_.database_url});
  }
  argv_.insert(argv_.end(), options_.flags.begin(), options_.flags.end());

  std::size_t out_offset = FileSize(stdout_path());
  std::size_t err_offset = FileSize(stderr_path());
  std::string error;
  pid_ = Spawn(argv_, options_.env, stdout_path(), stderr_path(), true, &error);
  if (pid_ < 0) return ::testing::AssertionFailure() << error;
  port_ = 0;

  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  Clock::time_point deadline = Clock::now() + options_.start_timeout;
  for (;;) {
    for (const auto& [path, offset] :
         {std::pair{stderr_path(), err_offset}, std::pair{stdout_path(), out_offset}}) {
      std::string text = ReadFile(path, offset);
      std::smatch m;
      if (std::regex_search(text, m, kListening)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
        if (port_ != 0) return ::testing::AssertionSuccess();
      }
    }
    if (!Running()) {
      return ::testing::AssertionFailure()
             << "gatehouse exited with code " << last_exit_code_
             << " before listening\n  command: " << JoinArgs(argv_)
             << "\n  stderr: " << Tail(ReadFile(stderr_path(), err_offset), 30);
    }
    if (Clock::now() > deadline) {
      Kill();
      return ::testing::AssertionFailure()
             << "no 'listening on http://127.0.0.1:PORT' line within "
             << options_.start_timeout.count() << " ms\n  command: " << JoinArgs(argv_)
             << "\n  stderr: " << Tail(ReadFile(stderr_path(), err_offset), 30);
    }
    std::this_thread::sleep_for(10ms);
  }
}

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    last_exit_code_ = DecodeStatus(status);
    pid_ = -1;
    return false;
  }
  return true;
}

int ServerProcess::WaitExit(std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  while (Running()) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      last_exit_code_ = -1;
      return last_exit_code_;
    }
    std::this_thread::sleep_for(5ms);
  }
  return last_exit_code_;
}

int ServerProcess::Signal(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return last_exit_code_;
  ::kill(pid_, signal);
  return WaitExit(timeout);
}

int ServerProcess::Stop(std::chrono::milliseconds timeout) { return Signal(SIGTERM, timeout); }

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  last_exit_code_ = DecodeStatus(status);
  pid_ = -1;
}

::testing::AssertionResult ServerProcess::Restart() {
  Stop();
  return Start();
}

std::string ServerProcess::StdoutLog() const { return ReadFile(stdout_path()); }
std::string ServerProcess::StderrLog() const { return ReadFile(stderr_path()); }

::testing::AssertionResult ServerProcess::WaitForLog(std::string_view needle,
                                                     std::chrono::milliseconds timeout) const {
  Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (StdoutLog().find(needle) != std::string::npos ||
        StderrLog().find(needle) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    if (Clock::now() > deadline) {
      return ::testing::AssertionFailure()
             << "'" << needle << "' not logged within " << timeout.count()
             << " ms; stderr tail: " << Tail(StderrLog(), 10)
             << "\nstdout tail: " << Tail(StdoutLog(), 5);
    }
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace gatehouse::testing
