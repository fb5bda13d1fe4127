// Test databases for the store tests: a fresh SQLite file in a temporary directory, or a fresh
// uniquely named PostgreSQL database on the server named by GATEHOUSE_TEST_PG_URL (dropped after).
//
//   TestDatabase test(Dialect::kPostgres);       // GTEST_SKIP() in the caller if !test.available()
//   auto db = Database::Open(test.options());
//   ...                                          // the destructor drops the database / directory
#pragma once

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>

#include "core/ids.hpp"
#include "store/database.hpp"

namespace gatehouse::store {
// gtest prints parameters through this (found by ADL, so it lives next to Dialect).
inline void PrintTo(Dialect dialect, std::ostream* os) {
  *os << (dialect == Dialect::kSqlite ? "Sqlite" : "Postgres");
}
}  // namespace gatehouse::store

namespace gatehouse::store::testing {

inline const char* DialectName(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "Sqlite" : "Postgres";
}

// The server URL with its database name replaced: postgres://u@h:p/old?x -> .../name?x
inline std::string WithDatabaseName(const std::string& url, const std::string& name) {
  std::size_t authority = url.find("://");
  authority = authority == std::string::npos ? 0 : authority + 3;
  std::size_t query = url.find('?', authority);
  std::size_t slash = url.find('/', authority);
  if (slash == std::string::npos || (query != std::string::npos && slash > query)) {
    slash = query == std::string::npos ? url.size() : query;
  }
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, slash) + "/" + name + rest;
}

// SOCI 4.0 mangles a libpq URI without any "=" in it (".../db" becomes ".../db="); Database
// adds parameters itself, and sessions opened directly by the tests go through this.
inline std::string SociSafeUrl(const std::string& url) {
  if (url.find('=') != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
}

class TestDatabase {
 public:
  explicit TestDatabase(Dialect dialect) : dialect_(dialect) {
    static std::atomic<int> counter{0};
    std::string unique =
        std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + core::RandomHex(4);
    if (dialect == Dialect::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("gatehouse_store_" + unique);
      options_.data_dir = (dir_ / "data").string();  // not created: Open must create it
      available_ = true;
      return;
    }
    const char* server = std::getenv("GATEHOUSE_TEST_PG_URL");
    if (server == nullptr || *server == '\0') return;
    server_url_ = server;
    pg_name_ = "gh_test_" + unique;
    soci::session admin(soci::postgresql, SociSafeUrl(server_url_));
    admin << "CREATE DATABASE " + pg_name_;
    options_.url = WithDatabaseName(server_url_, pg_name_);
    available_ = true;
  }

  ~TestDatabase() {
    if (!pg_name_.empty()) {
      try {
        soci::session admin(soci::postgresql, SociSafeUrl(server_url_));
        admin << "DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)";
      } catch (const std::exception& e) {
        ADD_FAILURE() << "dropping " << pg_name_ << ": " << e.what();
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  bool available() const { return available_; }
  const StoreOptions& options() const { return options_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& server_url() const { return server_url_; }
  const std::string& pg_name() const { return pg_name_; }

 private:
  Dialect dialect_;
  bool available_ = false;
  StoreOptions options_;
  std::filesystem::path dir_;
  std::string server_url_;
  std::string pg_name_;
};

inline constexpr const char* kNoPostgresMessage =
    "GATEHOUSE_TEST_PG_URL is not set (e.g. postgres://postgres@127.0.0.1:55432/postgres); "
    "PostgreSQL store tests skipped";

}  // namespace gatehouse::store::testing
