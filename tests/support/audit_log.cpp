#include "support/audit_log.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

namespace gatehouse::testing {

std::vector<std::string> QueryStore(const ServerProcess& server, const std::string& sql) {
  std::vector<std::string> rows;
  if (!server.database_url().empty()) {
    PGconn* conn = PQconnectdb(server.database_url().c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      ADD_FAILURE() << "cannot reach the test database: " << PQerrorMessage(conn);
      PQfinish(conn);
      return rows;
    }
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(result); ++i) rows.emplace_back(PQgetvalue(result, i, 0));
    } else {
      ADD_FAILURE() << "query failed: " << PQerrorMessage(conn);
    }
    PQclear(result);
    PQfinish(conn);
    return rows;
  }
  sqlite3* db = nullptr;
  const std::string path = server.data_dir() + "/gatehouse.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
  } else {
    ADD_FAILURE() << "query failed: " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

std::int64_t AuditHead(const ServerProcess& server) {
  auto rows = QueryStore(server, "SELECT last_seq FROM audit_chain WHERE id = 1");
  return rows.empty() ? 0 : std::stoll(rows.front());
}

std::vector<std::string> AuditTypesAfter(const ServerProcess& server, std::int64_t seq) {
  return QueryStore(server, "SELECT event_type FROM audit_events WHERE seq > " +
                                std::to_string(seq) + " ORDER BY seq");
}

}  // namespace gatehouse::testing
