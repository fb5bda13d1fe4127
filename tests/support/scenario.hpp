// Table-driven API tests (PocketBase's ApiScenario): each row is one request and what must come
// back — status, JSON fragments addressed by JSON pointer, headers and, once the audit log
// exists, the audit events the request must write. Also the envelope checker every test uses.
//
//   RunScenarios(server, {{.name = "unknown route", .path = "/nope", .expected_status = 404,
//                          .expected_fragments = {{"/error", "NotFound"}}}});
//   EXPECT_TRUE(IsEnvelope(client.Get("/health")));
#pragma once

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {

// One expected JSON fragment: the value at a JSON pointer. Any value Boost.JSON can convert
// (string literals, std::string, numbers, bools, json::value, braced objects and arrays) works:
// {"/error", "UserNotFound"}, {"/data/id", user_id}, {"/data", {{"status", "ok"}}}.
struct JsonFragment {
  JsonFragment(std::string json_pointer, boost::json::value expected)
      : pointer(std::move(json_pointer)), value(std::move(expected)) {}
  template <class T>
  requires(!std::is_convertible_v<const T&, boost::json::value>)
      JsonFragment(std::string json_pointer, const T& expected)
      : JsonFragment(std::move(json_pointer), boost::json::value_from(expected)) {}
  JsonFragment(std::pair<std::string, boost::json::value> pair)
      : JsonFragment(std::move(pair.first), std::move(pair.second)) {}

  std::string pointer;
  boost::json::value value;
};

struct Scenario {
  std::string name;
  std::string method = "GET";
  std::string path;
  Headers headers;
  std::string body;

  int expected_status = 200;  // 0 = any status (the rest of the row still applies)
  // JSON pointer -> exact value, e.g. {"/error", "UserNotFound"}, {"/data/status", "ok"}.
  std::vector<JsonFragment> expected_fragments;
  // Header name -> exact value; the value "*" only requires the header to be present.
  std::vector<std::pair<std::string, std::string>> expected_headers;
  std::vector<std::string> absent_headers;
  // Audit event types the request must write, in order, read from the server's store. Checked
  // when non-empty or when `no_audit_events` is set (then the request must write none).
  std::vector<std::string> expected_audit_events;
  bool no_audit_events = false;
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
// Same, for values that need value_from (std::string, containers).
template <class T>
requires(!std::is_convertible_v<const T&, boost::json::value>)::testing::AssertionResult
    HasJson(const Response& response, std::string_view pointer, const T& expected) {
  return HasJson(response, pointer, boost::json::value_from(expected));
}
// Header `name` is present and (unless expected is "*") equals `expected`.
::testing::AssertionResult HasHeader(const Response& response, std::string_view name,
                                     std::string_view expected = "*");

}  // namespace gatehouse::testing
