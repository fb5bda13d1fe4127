// Runs the real gatehouse binary for API tests: `serve` on 127.0.0.1:0 with a fresh data dir,
// stdout/stderr captured to files in that dir, the bound port read from the "listening on" log
// line. Also runs one-shot commands (`migrate`, `version`) to completion.
//
//   ServerProcess server({.flags = {"--body-limit", "2KiB"}});
//   ASSERT_TRUE(server.Start());                       // fails with the server's stderr tail
//   HttpClient client(server.port());  ...  EXPECT_EQ(server.Stop(), 0);
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/http_client.hpp"

namespace gatehouse::testing {

using namespace std::chrono_literals;

// A directory under $TMPDIR (or /tmp) removed, with its contents, on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "gatehouse-test-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The gatehouse executable: $GATEHOUSE_BINARY, else the path compiled in by CMake.
std::string GatehouseBinary();

struct CommandResult {
  int exit_code = -1;  // exit status; 128 + signal if killed; -1 if it timed out (then killed)
  std::string out;
  std::string err;
  std::string Describe() const;  // "exit 1; stderr: ..." for failure messages
};

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Runs `gatehouse <args...>` and waits for it. The child's environment is ours minus every
// GATEHOUSE_* variable (so a developer's shell cannot leak into tests), plus `env`.
CommandResult RunGatehouse(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout = 30s, const EnvVars& env = {});

struct ServerOptions {
  std::vector<std::string> flags;  // extra `serve` flags, e.g. {"--body-limit", "2KiB"}
  std::string data_dir;            // empty = a fresh temp dir, removed with the ServerProcess
  std::string database_url;        // empty = SQLite inside data_dir
  EnvVars env;                     // extra environment for the child
  std::chrono::milliseconds start_timeout = 20s;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options = {});
  ~ServerProcess();  // Stop()s if running; prints the log tail if the current test failed
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `serve` and waits for "listening on http://127.0.0.1:PORT". On failure (early exit,
  // timeout) the message carries the command line and the tail of stderr.
  ::testing::AssertionResult Start();
  // SIGTERM, then waits up to `timeout`; returns the exit code (128 + signal if killed by one,
  // -1 if it had to be SIGKILLed after the timeout). Idempotent: returns the last code.
  int Stop(std::chrono::milliseconds timeout = 15s);
  // Sends `signal` (e.g. SIGINT) and waits like Stop().
  int Signal(int signal, std::chrono::milliseconds timeout = 15s);
  // SIGKILL and reap.
  void Kill();
  // Stop() then Start() on the same data dir and database; the port may change.
  ::testing::AssertionResult Restart();
  // True while the child has not exited (reaps it if it has).
  bool Running();

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& database_url() const { return options_.database_url; }
  const std::vector<std::string>& command_line() const { return argv_; }
  HttpClient Client() const { return HttpClient(port_); }

  // Everything the process (all its runs) wrote so far: JSON access-log lines on stdout,
  // human log on stderr.
  std::string StdoutLog() const;
  std::string StderrLog() const;
  std::string stdout_path() const { return data_dir_ + "/server.stdout.log"; }
  std::string stderr_path() const { return data_dir_ + "/server.stderr.log"; }
  // Waits until `needle` appears in stdout or stderr (logs are written asynchronously).
  ::testing::AssertionResult WaitForLog(std::string_view needle,
                                        std::chrono::milliseconds timeout = 5s) const;

 private:
  int WaitExit(std::chrono::milliseconds timeout);

  ServerOptions options_;
  std::unique_ptr<TempDir> owned_dir_;
  std::string data_dir_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int last_exit_code_ = -1;
};

}  // namespace gatehouse::testing
