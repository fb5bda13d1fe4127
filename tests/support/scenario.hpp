// Table-driven API tests (PocketBase's ApiScenario): each row is one request and what must come
// back — status, JSON fragments addressed by JSON pointer, headers and, once the audit log
// exists, the audit events the request must write. Also the envelope checker every test uses.
//
//   RunScenarios(server, {{.name = "unknown route", .path = "/nope", .expected_status = 404,
//                          .expected_fragments = {{"/error", "NotFound"}}}});
//   EXPECT_TRUE(IsEnvelope(client.Get("/health")));
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {

struct Scenario {
  std::string name;
  std::string method = "GET";
  std::string path;
  Headers headers;
  std::string body;

  int expected_status = 200;
  // JSON pointer -> exact value, e.g. {"/error", "UserNotFound"}, {"/data/status", "ok"}.
  std::vector<std::pair<std::string, boost::json::value>> expected_fragments;
  // Header name -> exact value; the value "*" only requires the header to be present.
  std::vector<std::pair<std::string, std::string>> expected_headers;
  std::vector<std::string> absent_headers;
  // Audit event types the request must write, in order. Not checked yet: the audit log lands
  // in a later milestone; fill it in now so the tables need no rewrite then.
  std::vector<std::string> expected_audit_events;
  // Check the response is a well-formed envelope (off for 204s and non-JSON answers).
  bool expect_envelope = true;
  // Extra assertions on the response.
  std::function<void(const Response&)> check;
};

// Runs one scenario on `client` (EXPECTs; the caller adds SCOPED_TRACE if it wants one).
void RunScenario(HttpClient& client, const Scenario& scenario);
// Runs every row on one keep-alive connection to `server`, each under SCOPED_TRACE(name).
void RunScenarios(const ServerProcess& server, const std::vector<Scenario>& table);

// The response is a gatehouse envelope: JSON content type, X-Request-Id, a JSON object whose
// "status" equals the HTTP status, "successful" == (2xx), a "message" string, "data" on success,
// an "error" code on failure, and well-formed "errors" entries (required for ValidationError).
::testing::AssertionResult IsEnvelope(const Response& response);
// The value at JSON pointer `pointer` in the body equals `expected`.
::testing::AssertionResult HasJson(const Response& response, std::string_view pointer,
                                   const boost::json::value& expected);
// Header `name` is present and (unless expected is "*") equals `expected`.
::testing::AssertionResult HasHeader(const Response& response, std::string_view name,
                                     std::string_view expected = "*");

}  // namespace gatehouse::testing
