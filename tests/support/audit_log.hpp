// Reads the audit log straight from the server's store (SQLite file or PostgreSQL database),
// so scenario tables can assert which events each request wrote without going through the API
// under test.
//
//   std::int64_t head = AuditHead(server);
//   ... request ...
//   EXPECT_EQ(AuditTypesAfter(server, head), (std::vector<std::string>{"login"}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace gatehouse::testing {

// The last chain position written so far (0 for an empty log).
std::int64_t AuditHead(const ServerProcess& server);
// Event types written after `seq`, in chain order.
std::vector<std::string> AuditTypesAfter(const ServerProcess& server, std::int64_t seq);
// Runs a query returning one text column on the server's store; rows in order.
std::vector<std::string> QueryStore(const ServerProcess& server, const std::string& sql);

}  // namespace gatehouse::testing
