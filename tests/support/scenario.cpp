#include "support/scenario.hpp"

#include "support/audit_log.hpp"

#include <boost/json/serialize.hpp>

namespace gatehouse::testing {
namespace {

namespace json = boost::json;

bool NumbersEqual(const json::value& a, const json::value& b) {
  if (!a.is_number() || !b.is_number()) return false;
  if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  const json::value& i = a.is_int64() ? a : b;
  const json::value& u = a.is_int64() ? b : a;
  return i.get_int64() >= 0 && static_cast<std::uint64_t>(i.get_int64()) == u.get_uint64();
}

bool JsonEqual(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return NumbersEqual(a, b);
  return a == b;
}

}  // namespace

::testing::AssertionResult IsEnvelope(const Response& r) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure()
           << "not a valid envelope: " << why << "\n  response: " << r.Describe();
  };
  if (r.status == 0) return fail("no response");
  auto content_type = r.Header("Content-Type");
  if (!content_type || !content_type->starts_with("application/json")) {
    return fail("Content-Type is " + content_type.value_or("(missing)"));
  }
  auto request_id = r.Header("X-Request-Id");
  if (!request_id || request_id->empty()) return fail("no X-Request-Id header");

  json::value body = r.Json();
  if (!body.is_object()) return fail(r.json_error.empty() ? "body is not an object" : r.json_error);
  const json::object& o = body.get_object();

  const json::value* status = o.if_contains("status");
  if (!status || !status->is_int64() || status->get_int64() != r.status) {
    return fail("\"status\" does not equal the HTTP status " + std::to_string(r.status));
  }
  const json::value* successful = o.if_contains("successful");
  bool is_2xx = r.status >= 200 && r.status < 300;
  if (!successful || !successful->is_bool() || successful->get_bool() != is_2xx) {
    return fail(std::string("\"successful\" must be ") + (is_2xx ? "true" : "false"));
  }
  const json::value* message = o.if_contains("message");
  if (!message || !message->is_string()) return fail("\"message\" must be a string");

  if (is_2xx) {
    if (!o.contains("data")) return fail("success without \"data\"");
    if (o.contains("error")) return fail("success with \"error\"");
  } else if (r.status != 418) {  // the teapot's seed envelope carries no code
    const json::value* error = o.if_contains("error");
    if (!error || !error->is_string() || error->get_string().empty()) {
      return fail("error without an \"error\" code string");
    }
    if (error->get_string() == "ValidationError" && !o.contains("errors")) {
      return fail("ValidationError without \"errors\"");
    }
  }
  if (const json::value* errors = o.if_contains("errors")) {
    if (!errors->is_array() || errors->get_array().empty()) {
      return fail("\"errors\" must be a non-empty array");
    }
    for (const json::value& e : errors->get_array()) {
      const json::object* eo = e.if_object();
      if (!eo || !eo->contains("path") || !eo->at("path").is_array() || !eo->contains("message") ||
          !eo->at("message").is_string()) {
        return fail("each of \"errors\" needs a \"path\" array and a \"message\" string");
      }
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HasJson(const Response& r, std::string_view pointer,
                                   const json::value& expected) {
  json::value body = r.Json();
  if (!r.json_error.empty()) return ::testing::AssertionFailure() << r.json_error;
  boost::system::error_code ec;
  const json::value* found = body.find_pointer(pointer, ec);
  if (!found) {
    return ::testing::AssertionFailure() << "no value at " << pointer << " (expected "
                                         << json::serialize(expected) << ") in " << r.body;
  }
  if (!JsonEqual(*found, expected)) {
    return ::testing::AssertionFailure() << "at " << pointer << ": got " << json::serialize(*found)
                                         << ", expected " << json::serialize(expected);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HasHeader(const Response& r, std::string_view name,
                                     std::string_view expected) {
  auto value = r.Header(name);
  if (!value) {
    return ::testing::AssertionFailure() << "no " << name << " header; status " << r.status;
  }
  if (expected != "*" && *value != expected) {
    return ::testing::AssertionFailure()
           << name << " is \"" << *value << "\", expected \"" << expected << "\"";
  }
  return ::testing::AssertionSuccess();
}

void RunScenario(HttpClient& client, const Scenario& s) {
  Response r = client.Request(s.method, s.path, s.headers, s.body);
  ASSERT_NE(r.status, 0) << s.method << " " << s.path << ": " << r.Describe();
  if (s.expected_status != 0) {
    EXPECT_EQ(r.status, s.expected_status) << s.method << " " << s.path << ": " << r.Describe();
  }
  if (s.expect_envelope && s.method != "HEAD") {
    EXPECT_TRUE(IsEnvelope(r));
  }
  for (const auto& [pointer, value] : s.expected_fragments) EXPECT_TRUE(HasJson(r, pointer, value));
  for (const auto& [name, value] : s.expected_headers) EXPECT_TRUE(HasHeader(r, name, value));
  for (const auto& name : s.absent_headers) {
    EXPECT_FALSE(r.Header(name).has_value()) << name << ": " << r.Header(name).value_or("");
  }
  if (s.check) s.check(r);
}

void RunScenarios(const ServerProcess& server, const std::vector<Scenario>& table) {
  HttpClient client(server.port());
  for (const Scenario& s : table) {
    SCOPED_TRACE(s.name);
    const bool audited = !s.expected_audit_events.empty() || s.no_audit_events;
    const std::int64_t head = audited ? AuditHead(server) : 0;
    RunScenario(client, s);
    if (audited) {
      EXPECT_EQ(AuditTypesAfter(server, head), s.expected_audit_events)
          << s.method << " " << s.path << " wrote other audit events than expected";
    }
  }
}

}  // namespace gatehouse::testing
