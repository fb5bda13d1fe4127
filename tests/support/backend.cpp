#include "support/backend.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ostream>
#include <random>

namespace gatehouse::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Runs one statement on a fresh connection to `url`; returns "" or the error.
std::string RunStatement(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = "cannot connect to " + url + ": " + PQerrorMessage(conn);
    PQfinish(conn);
    return error;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  std::string error;
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    error = sql + ": " + PQresultErrorMessage(res);
  }
  PQclear(res);
  PQfinish(conn);
  return error;
}

std::string UniqueDatabaseName() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof buf, "gh_test_%d_%d_%08x", static_cast<int>(::getpid()),
                counter.fetch_add(1), static_cast<unsigned>(rd()));
  return buf;
}

}  // namespace

std::string_view BackendName(BackendKind kind) {
  switch (kind) {
    case BackendKind::kSqlite:
      return "sqlite";
    case BackendKind::kPostgres:
      return "postgres";
  }
  return "unknown";
}

std::vector<BackendKind> AllBackends() { return {BackendKind::kSqlite, BackendKind::kPostgres}; }

std::string BackendTestName(const ::testing::TestParamInfo<BackendKind>& info) {
  return std::string(BackendName(info.param));
}

void PrintTo(BackendKind kind, std::ostream* os) { *os << BackendName(kind); }

std::string WithDatabase(std::string_view url, std::string_view database) {
  std::size_t scheme = url.find("://");
  std::size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::size_t slash = url.find('/', authority);
  std::size_t query = url.find('?', authority);
  std::string out;
  if (slash == std::string_view::npos || (query != std::string_view::npos && query < slash)) {
    std::size_t end = query == std::string_view::npos ? url.size() : query;
    out = std::string(url.substr(0, end)) + "/" + std::string(database);
    if (query != std::string_view::npos) out += std::string(url.substr(query));
    return out;
  }
  out = std::string(url.substr(0, slash + 1)) + std::string(database);
  if (query != std::string_view::npos) out += std::string(url.substr(query));
  return out;
}

Backend::Backend(BackendKind kind) : kind_(kind) {}

Backend::~Backend() {
  if (!database_name_.empty()) {
    // Best effort: a database left behind dies with the throw-away cluster anyway.
    RunStatement(admin_url_, "DROP DATABASE IF EXISTS " + database_name_ + " WITH (FORCE)");
  }
}

Backend::State Backend::Prepare(std::string* message) {
  if (kind_ == BackendKind::kSqlite) return State::kReady;
  admin_url_ = Env("GATEHOUSE_TEST_PG_URL");
  if (admin_url_.empty()) {
    if (Env("GATEHOUSE_REQUIRE_PG") == "1") {
      *message =
          "GATEHOUSE_REQUIRE_PG=1 but GATEHOUSE_TEST_PG_URL is not set: the PostgreSQL run of "
          "this test cannot happen. Run the suite through scripts/test (it starts a cluster), "
          "or set GATEHOUSE_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres";
      return State::kFailed;
    }
    *message = "PostgreSQL not configured (set GATEHOUSE_TEST_PG_URL, or use scripts/test)";
    return State::kSkipped;
  }
  std::string name = UniqueDatabaseName();
  std::string error = RunStatement(admin_url_, "CREATE DATABASE " + name);
  if (!error.empty()) {
    *message = "cannot create the test database on GATEHOUSE_TEST_PG_URL: " + error;
    return State::kFailed;
  }
  database_name_ = name;
  database_url_ = WithDatabase(admin_url_, name);
  return State::kReady;
}

ServerOptions Backend::Options(std::vector<std::string> flags) const {
  ServerOptions options;
  options.flags = std::move(flags);
  options.database_url = database_url_;
  return options;
}

std::vector<std::string> Backend::DatabaseFlags() const {
  if (database_url_.empty()) return {};
  return {"--database-url", database_url_};
}

std::string Backend::ExecSql(const std::string& sql, const std::string& data_dir) const {
  if (kind_ == BackendKind::kPostgres) {
    if (database_url_.empty()) return "ExecSql needs a prepared PostgreSQL backend";
    return RunStatement(database_url_, sql);
  }
  if (data_dir.empty()) return "ExecSql on SQLite needs the server's data directory";
  sqlite3* db = nullptr;
  const std::string path = data_dir + "/gatehouse.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open " + path;
  }
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = rc == SQLITE_OK ? "" : (error != nullptr ? error : "sqlite3_exec failed");
  sqlite3_free(error);
  sqlite3_close(db);
  return message;
}

void BackendTest::SetUp() {
  backend_ = std::make_unique<Backend>(GetParam());
  std::string message;
  switch (backend_->Prepare(&message)) {
    case Backend::State::kReady:
      return;
    case Backend::State::kSkipped:
      GTEST_SKIP() << message;
    case Backend::State::kFailed:
      FAIL() << message;
  }
}

void BackendTest::TearDown() {
  for (auto& server : servers_) server->Stop();
  servers_.clear();
  backend_.reset();
}

ServerProcess& BackendTest::NewServer(std::vector<std::string> flags) {
  servers_.push_back(std::make_unique<ServerProcess>(backend_->Options(std::move(flags))));
  return *servers_.back();
}

ServerProcess& BackendTest::NewServerIn(const std::string& data_dir,
                                        std::vector<std::string> flags) {
  ServerOptions options = backend_->Options(std::move(flags));
  options.data_dir = data_dir;
  servers_.push_back(std::make_unique<ServerProcess>(std::move(options)));
  return *servers_.back();
}

}  // namespace gatehouse::testing
