// Storage backends for API tests: every suite runs against SQLite and again against PostgreSQL.
// PostgreSQL needs GATEHOUSE_TEST_PG_URL (scripts/test starts a throw-away cluster and sets it);
// each test gets its own freshly created database, dropped afterwards. Without the URL the
// PostgreSQL instances are skipped, or fail when GATEHOUSE_REQUIRE_PG=1.
//
//   class Login : public BackendTest {};
//   TEST_P(Login, Works) { ServerProcess& s = NewServer({"--read-timeout", "2s"}); ... }
//   GATEHOUSE_INSTANTIATE_BACKENDS(Login);   // Login.Works/sqlite, Login.Works/postgres
#pragma once

#include <gtest/gtest.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/server_process.hpp"

namespace gatehouse::testing {

enum class BackendKind { kSqlite, kPostgres };

std::string_view BackendName(BackendKind kind);  // "sqlite" | "postgres"
// Both kinds, always: an unavailable PostgreSQL shows up as skipped (or failed), never hidden.
std::vector<BackendKind> AllBackends();
std::string BackendTestName(const ::testing::TestParamInfo<BackendKind>& info);
// So gtest prints "sqlite" rather than "4-byte object <00-00 00-00>".
void PrintTo(BackendKind kind, std::ostream* os);

// One test's store. SQLite needs nothing (the file lives in the server's data dir); PostgreSQL
// gets a database named gh_test_<pid>_<n>_<random>, created by Prepare() and dropped on
// destruction (WITH (FORCE), so leftover connections do not keep it alive).
class Backend {
 public:
  enum class State { kReady, kSkipped, kFailed };

  explicit Backend(BackendKind kind);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Creates the database if needed. `message` explains kSkipped and kFailed.
  State Prepare(std::string* message);

  BackendKind kind() const { return kind_; }
  std::string_view name() const { return BackendName(kind_); }
  // postgres://user@host:port/gh_test_…; empty for SQLite.
  const std::string& database_url() const { return database_url_; }
  // Options for a ServerProcess on this store.
  ServerOptions Options(std::vector<std::string> flags = {}) const;
  // Flags for one-shot commands such as `migrate` (`--database-url URL`, or nothing).
  std::vector<std::string> DatabaseFlags() const;

  // Runs SQL on this test's store behind the server's back; returns "" or the error. SQLite
  // needs the server's `data_dir` (its gatehouse.db); PostgreSQL ignores it.
  std::string ExecSql(const std::string& sql, const std::string& data_dir = "") const;

 private:
  BackendKind kind_;
  std::string admin_url_;  // GATEHOUSE_TEST_PG_URL
  std::string database_name_;
  std::string database_url_;
};

// Replaces the database name in a postgres:// URL: ("postgres://u@h:1/postgres?x=y", "d")
// -> "postgres://u@h:1/d?x=y".
std::string WithDatabase(std::string_view url, std::string_view database);

// Fixture for API tests parameterized by backend. SetUp prepares the backend (skipping or
// failing the PostgreSQL instance as described above); TearDown stops every server it made
// and then drops the database.
class BackendTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A server on this test's store, not yet started: call Start(). Owned by the fixture.
  ServerProcess& NewServer(std::vector<std::string> flags = {});
  // A server sharing `data_dir` (e.g. after `migrate` ran on it).
  ServerProcess& NewServerIn(const std::string& data_dir, std::vector<std::string> flags = {});

  Backend& backend() { return *backend_; }

 private:
  std::unique_ptr<Backend> backend_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

}  // namespace gatehouse::testing

// Instantiates a BackendTest suite for every backend; test names end in /sqlite and /postgres.
#define GATEHOUSE_INSTANTIATE_BACKENDS(Suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(, Suite, ::testing::ValuesIn(::gatehouse::testing::AllBackends()), \
                           ::gatehouse::testing::BackendTestName)
