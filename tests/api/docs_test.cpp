// docs/api.md is checked against the running server's own catalog: every permission node the
// server knows, and every route that declares one, must be documented.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/backend.hpp"
#include "support/identity_helpers.hpp"

namespace gatehouse::testing {
namespace {

std::string ReadDocs() {
  std::ifstream file(std::string(GATEHOUSE_SOURCE_DIR) + "/docs/api.md");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A route-table row "| GET | `/v1/role/:identifier` |" (a query string may follow the path).
bool Documents(const std::string& docs, const std::string& method, const std::string& path) {
  const std::regex row("\\|\\s*" + method + "\\s*\\|\\s*`" +
                       std::regex_replace(path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                       "(`|\\?)");  // a query string may follow the path
  return std::regex_search(docs, row);
}

class Docs : public BackendTest {};

TEST_P(Docs, ApiReferenceListsEveryNodeAndEveryGuardedRoute) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Response nodes = client.Get("/v1/permissions/nodes", cast.super.Auth());
  ASSERT_EQ(nodes.status, 200) << nodes.Describe();
  const std::string docs = ReadDocs();
  ASSERT_FALSE(docs.empty()) << "docs/api.md not found";
  int routes = 0;
  for (const auto& entry : ArrayAt(nodes, "/data")) {
    const std::string node(entry.at("node").as_string());
    EXPECT_NE(docs.find("`" + node + "`"), std::string::npos)
        << "docs/api.md does not mention node " << node;
    for (const auto& place : entry.at("usedIn").as_array()) {
      const std::string where(place.as_string());
      const auto space = where.find(' ');
      ASSERT_NE(space, std::string::npos) << where;
      ++routes;
      EXPECT_TRUE(Documents(docs, where.substr(0, space), where.substr(space + 1)))
          << "docs/api.md has no route row for " << where;
    }
  }
  EXPECT_GT(routes, 40);
}

GATEHOUSE_INSTANTIATE_BACKENDS(Docs);

}  // namespace
}  // namespace gatehouse::testing
