// The audit log seen from outside (seed 000 Audit Routes and Admin Audit Routes, seed 001
// AuditEvent / AuditEventPage / AuditEventReport / AuditReportPage and the catalog, seed 004
// security events and stats): every route by five callers; every getAllAuditEvents filter,
// sorting, page numbers and keyset cursors, validation naming the field; logAuditEvent; the
// report workflow; export as JSON Lines and CSV; no acknowledged event lost to SIGKILL while
// clients post; `gatehouse audit verify` naming a row edited in the database, and `prune`
// leaving a verifiable chain. SQLite and PostgreSQL.
//
// Events come from POST /v1/audit/events with event types of the tests' own (probe_*), so
// the assertions hold whatever the identity routes record meanwhile.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/authz_helpers.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;
using authz::AddCallers;

// Seed 001 AuditEvent, plus requestId and severity.
const std::set<std::string> kEventKeys = {
    "id",          "userId",      "eventType",   "resourceType", "resourceId",    "actorId",
    "ipAddress",   "userAgent",   "description", "metadata",     "status",        "errorMessage",
    "countryCode", "countryName", "city",        "region",       "sourceService", "createdAt",
    "isReported",  "requestId",   "severity"};
const std::set<std::string> kPageKeys = {"events", "totalCount", "page", "limit", "totalPages"};
const std::set<std::string> kReportKeys = {
    "id",         "auditEventId", "userId",          "reason",    "description", "status",
    "reviewedBy", "reviewedAt",   "resolutionNotes", "createdAt", "updatedAt"};

// `security`: seed 004's SecurityEvent names (type, timestamp, ip) may come on top.
void ExpectEventShape(const json::value& event, bool security = false) {
  ASSERT_TRUE(event.is_object()) << json::serialize(event);
  const json::object& o = event.as_object();
  for (const auto& kv : o) {
    const bool extra =
        security && (kv.key() == "type" || kv.key() == "timestamp" || kv.key() == "ip");
    EXPECT_TRUE(extra || kEventKeys.contains(kv.key())) << "unexpected key " << kv.key();
  }
  for (const char* key : {"id", "eventType", "status", "sourceService", "severity"}) {
    EXPECT_TRUE(o.contains(key) && o.at(key).is_string()) << key << " in " << json::serialize(o);
  }
  EXPECT_TRUE(o.contains("userId") && (o.at("userId").is_string() || o.at("userId").is_null()));
  EXPECT_TRUE(o.contains("createdAt") && IsIsoTimestamp(o.at("createdAt")));
  EXPECT_TRUE(o.contains("isReported") && o.at("isReported").is_bool());
  if (o.contains("metadata")) EXPECT_TRUE(o.at("metadata").is_object());
  if (o.contains("id")) EXPECT_TRUE(IsUuidV7(o.at("id").as_string()));
}

// data is an AuditEventPage (nextCursor allowed on top); checks every event's shape.
void ExpectPageShape(const Response& r, bool security = false) {
  json::value data = At(r, "/data");
  ASSERT_TRUE(data.is_object()) << r.body;
  std::set<std::string> keys;
  for (const auto& kv : data.as_object()) keys.emplace(kv.key());
  keys.erase("nextCursor");
  EXPECT_EQ(keys, kPageKeys) << r.body;
  for (const auto& e : ArrayAt(r, "/data/events")) ExpectEventShape(e, security);
}

void ExpectReportShape(const json::value& report) {
  ASSERT_TRUE(report.is_object()) << json::serialize(report);
  for (const auto& kv : report.as_object()) {
    EXPECT_TRUE(kReportKeys.contains(kv.key())) << "unexpected key " << kv.key();
  }
  for (const char* key : {"id", "auditEventId", "userId", "reason", "status"}) {
    EXPECT_TRUE(report.as_object().contains(key)) << key;
  }
  EXPECT_TRUE(IsIsoTimestamp(report.at("createdAt")));
  EXPECT_TRUE(IsIsoTimestamp(report.at("updatedAt")));
}

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : ""; }

std::vector<std::string> EventIds(const Response& r) {
  std::vector<std::string> ids;
  for (const auto& e : ArrayAt(r, "/data/events")) ids.push_back(Str(e.at("id")));
  return ids;
}

// The parameter a 400 names (errors[0].path[0]).
std::string FieldNamed(const Response& r) { return Str(At(r, "/errors/0/path/0")); }

Response LogEvent(HttpClient& client, const Account& who, const json::object& body) {
  return client.Post("/v1/audit/events", JsonText(body), who.Auth());
}

// POST /v1/audit/events expecting 201; returns the new event's id ("" on failure).
std::string Logged(HttpClient& client, const Account& who, const json::object& body) {
  Response r = LogEvent(client, who, body);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return Str(At(r, "/data/id"));
}

Response Patch(HttpClient& client, const std::string& path, const Account& who,
               const std::string& body) {
  Headers h = who.Auth();
  h.Add("Content-Type", "application/json");
  return client.Request("PATCH", path, h, body);
}

// Every event id a query matches, following nextCursor (limit 100 per page).
std::vector<std::string> WalkCursor(HttpClient& client, const Account& who,
                                    const std::string& query) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int hop = 0; hop < 1000; ++hop) {
    Response r = client.Get(
        "/v1/audit/events?limit=100&" + query + (cursor.empty() ? "" : "&cursor=" + cursor),
        who.Auth());
    if (r.status != 200) {
      ADD_FAILURE() << r.Describe();
      break;
    }
    for (auto& id : EventIds(r)) ids.push_back(std::move(id));
    cursor = Str(At(r, "/data/nextCursor"));
    if (cursor.empty()) break;
  }
  return ids;
}

std::string IsoAt(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t seconds = ms.count() / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buffer;
}

class Audit : public BackendTest {
 protected:
  // `gatehouse audit ARGS…` against `server`'s store.
  CommandResult AuditCommand(const ServerProcess& server, std::vector<std::string> args) {
    std::vector<std::string> argv = {"audit"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data-dir", server.data_dir()});
    for (const auto& flag : backend().DatabaseFlags()) argv.push_back(flag);
    return RunGatehouse(argv, 60s);
  }

  // Runs a statement on the server's store behind its back (the server is stopped).
  void TamperWith(const ServerProcess& server, const std::string& sql) {
    ASSERT_EQ(backend().ExecSql(sql, server.data_dir()), "");
  }
};

// --------------------------------------------------------------------------------------------
// Five callers over every route. audit.read (role_admin's audit.*) opens everyone's events,
// reports and the security views; audit.write logs events and reviews reports; anyone signed
// in reads the catalog, their own log and their own reports.
TEST_P(Audit, EveryRouteByFiveCallers) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const std::string alice_event =
      Logged(client, cast.admin, {{"eventType", "probe_owned"}, {"userId", cast.alice.id}});

  auto page_ok = [](const Response& r) { ExpectPageShape(r); };
  std::vector<Scenario> t;
  AddCallers(t, cast, "GET catalog", "GET", "/v1/audit/catalog", "", {401, 200, 200, 200, 200},
             [](const Response& r) { EXPECT_TRUE(At(r, "/data/eventTypes").is_array()); },
             {{"/message", "Audit Catalog Fetched Successfully!"}});
  AddCallers(t, cast, "GET my log", "GET", "/v1/audit/me", "", {401, 200, 200, 200, 200}, page_ok);
  AddCallers(t, cast, "GET alice's log", "GET", "/v1/audit/users/" + cast.alice.id, "",
             {401, 200, 403, 200, 200}, [&](const Response& r) {
               ExpectPageShape(r);
               for (const auto& e : ArrayAt(r, "/data/events")) {
                 EXPECT_EQ(Str(e.at("userId")), cast.alice.id);
               }
             });
  AddCallers(t, cast, "GET all events", "GET", "/v1/audit/events", "", {401, 403, 403, 200, 200},
             page_ok, {{"/message", "Audit Events Fetched Successfully!"}});
  AddCallers(t, cast, "GET all events, bad filter", "GET", "/v1/audit/events?sortField=nope", "",
             {401, 403, 403, 400, 400}, {},
             {{"/error", "ValidationError"}, {"/errors/0/path/0", "sortField"}});
  AddCallers(t, cast, "GET reports", "GET", "/v1/audit/reports", "", {401, 403, 403, 200, 200});
  AddCallers(t, cast, "GET my reports", "GET", "/v1/audit/reports/me", "",
             {401, 200, 200, 200, 200},
             [](const Response& r) { EXPECT_TRUE(At(r, "/data").is_array()) << r.body; });
  AddCallers(t, cast, "POST report of an unknown event", "POST", "/v1/audit/reports",
             R"({"auditEventId":"no-such-event","reason":"not_me"})", {401, 404, 404, 404, 404}, {},
             {{"/error", "AuditEventNotFound"}});
  AddCallers(t, cast, "POST report of alice's event", "POST", "/v1/audit/reports",
             JsonText(json::object{{"auditEventId", alice_event}, {"reason", "suspicious"}}),
             {401, 201, 404, 404, 404});
  AddCallers(t, cast, "PATCH unknown report", "PATCH", "/v1/audit/reports/no-such-report",
             R"({"status":"reviewed"})", {401, 403, 403, 404, 404}, {},
             {{"/error", "ReportNotFound"}});
  AddCallers(t, cast, "GET security events", "GET", "/v1/security/events", "",
             {401, 403, 403, 200, 200},
             [](const Response& r) { ExpectPageShape(r, /*security=*/true); });
  AddCallers(t, cast, "GET security stats", "GET", "/v1/security/stats", "",
             {401, 403, 403, 200, 200});
  AddCallers(t, cast, "GET export", "GET", "/v1/audit/events/export?eventType=probe_owned", "",
             {401, 403, 403, 200, 200});
  for (auto& row : t) {
    if (row.path.starts_with("/v1/audit/events/export") && row.expected_status == 200) {
      row.expect_envelope = false;
      row.expected_headers = {{"Content-Type", "application/x-ndjson"}};
    }
    if (row.method == "GET" && row.expected_status == 200) row.no_audit_events = true;
  }
  for (const char* who : {"anonymous", "user", "other user"}) {
    t.push_back({.name = std::string("POST event by ") + who,
                 .method = "POST",
                 .path = "/v1/audit/events",
                 .headers = std::string(who) == "anonymous" ? Headers{}
                            : std::string(who) == "user"    ? cast.alice.Auth()
                                                            : cast.bob.Auth(),
                 .body = R"({"eventType":"probe_denied"})",
                 .expected_status = std::string(who) == "anonymous" ? 401 : 403,
                 .no_audit_events = true});
  }
  for (const Account* who : {&cast.admin, &cast.super}) {
    t.push_back({.name = "POST event by " + who->email,
                 .method = "POST",
                 .path = "/v1/audit/events",
                 .headers = who->Auth(),
                 .body = R"({"eventType":"probe_allowed"})",
                 .expected_status = 201,
                 .expected_fragments = {{"/data/eventType", "probe_allowed"},
                                        {"/data/actorId", who->id},
                                        {"/message", "Audit Event Logged Successfully!"}},
                 .expected_audit_events = {"probe_allowed"}});
  }
  RunScenarios(server, t);
}

// --------------------------------------------------------------------------------------------
// logAuditEvent: seed 000's body exactly; actorId defaults to the caller; bad bodies are 400
// naming the field and write nothing.
TEST_P(Audit, LogEventValidatesAndDefaults) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());

  Response full = LogEvent(client, cast.admin,
                           {{"userId", cast.alice.id},
                            {"eventType", "custom_action"},
                            {"resourceType", "user"},
                            {"resourceId", cast.bob.id},
                            {"description", "Custom action performed"},
                            {"metadata", {{"action", "example"}, {"n", 3}}},
                            {"ipAddress", "203.0.113.7"},
                            {"userAgent", "backend/1.0"},
                            {"status", "failure"},
                            {"errorMessage", "it broke"},
                            {"sourceService", "backend"}});
  ASSERT_EQ(full.status, 201) << full.Describe();
  EXPECT_TRUE(IsEnvelope(full));
  ExpectEventShape(At(full, "/data"));
  EXPECT_TRUE(HasJson(full, "/data/userId", cast.alice.id));
  EXPECT_TRUE(HasJson(full, "/data/actorId", cast.admin.id));  // the caller
  EXPECT_TRUE(HasJson(full, "/data/resourceId", cast.bob.id));
  EXPECT_TRUE(HasJson(full, "/data/metadata/action", "example"));
  EXPECT_TRUE(HasJson(full, "/data/ipAddress", "203.0.113.7"));
  EXPECT_TRUE(HasJson(full, "/data/userAgent", "backend/1.0"));
  EXPECT_TRUE(HasJson(full, "/data/status", "failure"));
  EXPECT_TRUE(HasJson(full, "/data/errorMessage", "it broke"));
  EXPECT_TRUE(HasJson(full, "/data/sourceService", "backend"));
  EXPECT_TRUE(HasJson(full, "/data/isReported", false));

  Response actor = LogEvent(client, cast.admin, {{"eventType", "probe_x"}, {"actorId", "svc-7"}});
  ASSERT_EQ(actor.status, 201) << actor.Describe();
  EXPECT_TRUE(HasJson(actor, "/data/actorId", "svc-7"));
  EXPECT_TRUE(HasJson(actor, "/data/sourceService", "api"));
  EXPECT_TRUE(HasJson(actor, "/data/status", "success"));
  EXPECT_TRUE(HasJson(actor, "/data/userId", nullptr));  // a system event

  // Read back: exactly what was answered.
  Response back = client.Get("/v1/audit/events?eventType=custom_action&userId=" + cast.alice.id,
                             cast.admin.Auth());
  ASSERT_EQ(back.status, 200);
  ASSERT_EQ(ArrayAt(back, "/data/events").size(), 1u) << back.body;
  EXPECT_EQ(At(back, "/data/events/0"), At(full, "/data"));

  const std::string big(17 * 1024, 'x');
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{}", "eventType"},
      {R"({"eventType":"Not Valid"})", "eventType"},
      {R"({"eventType":"probe","hash":"0000"})", "hash"},
      {R"({"eventType":"probe","createdAt":"2020-01-01T00:00:00Z"})", "createdAt"},
      {R"({"eventType":"probe","status":"maybe"})", "status"},
      {R"({"eventType":"probe","sourceService":"web"})", "sourceService"},
      {R"({"eventType":"probe","metadata":"text"})", "metadata"},
      {R"({"eventType":"probe","metadata":{"k":")" + big + R"("}})", "metadata"},
      {R"({"eventType":"probe","ipAddress":"localhost"})", "ipAddress"},
  };
  std::vector<Scenario> t;
  for (const auto& [body, field] : bad) {
    t.push_back({.name = "bad body naming " + field,
                 .method = "POST",
                 .path = "/v1/audit/events",
                 .headers = cast.admin.Auth(),
                 .body = body,
                 .expected_status = 400,
                 .expected_fragments = {{"/error", "ValidationError"}, {"/errors/0/path/0", field}},
                 .no_audit_events = true});
  }
  RunScenarios(server, t);
}

// --------------------------------------------------------------------------------------------
// Every getAllAuditEvents filter, sorting both ways, page numbers against cursors, validation.
TEST_P(Audit, QueryFiltersSortAndPaginate) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const auto before = std::chrono::system_clock::now() - std::chrono::minutes(1);

  // alice: 3 probe_a (success, id), 2 probe_b (failure, backend); bob: 4 probe_c (user).
  std::vector<std::string> a, b, c;
  for (int i = 0; i < 3; ++i) {
    a.push_back(
        Logged(client, cast.admin,
               {{"eventType", "probe_a"}, {"userId", cast.alice.id}, {"sourceService", "id"}}));
  }
  for (int i = 0; i < 2; ++i) {
    b.push_back(Logged(client, cast.admin,
                       {{"eventType", "probe_b"},
                        {"userId", cast.alice.id},
                        {"status", "failure"},
                        {"sourceService", "backend"}}));
  }
  for (int i = 0; i < 4; ++i) {
    c.push_back(
        Logged(client, cast.admin,
               {{"eventType", "probe_c"}, {"userId", cast.bob.id}, {"resourceType", "user"}}));
  }
  const std::string probes = "eventTypes=probe_a,probe_b,probe_c";
  auto count = [&](const std::string& query, const Account& who) -> std::int64_t {
    Response r = client.Get(query, who.Auth());
    EXPECT_EQ(r.status, 200) << query << " " << r.Describe();
    ExpectPageShape(r);
    json::value total = At(r, "/data/totalCount");
    return total.is_int64() ? total.as_int64() : -1;
  };
  const std::string events = "/v1/audit/events?";
  EXPECT_EQ(count(events + probes, cast.admin), 9);
  EXPECT_EQ(count(events + "eventType=probe_a", cast.admin), 3);
  EXPECT_EQ(count(events + "eventType=probe_a&eventTypes=probe_a,probe_b", cast.admin), 3);
  EXPECT_EQ(count(events + "eventType=probe_c&eventTypes=probe_a,probe_b", cast.admin), 0);
  EXPECT_EQ(count(events + probes + "&userId=" + cast.alice.id, cast.admin), 5);
  EXPECT_EQ(count(events + probes + "&userSearch=BOB%40example", cast.admin), 4);
  EXPECT_EQ(count(events + probes + "&resourceType=user", cast.admin), 4);
  EXPECT_EQ(count(events + probes + "&status=failure", cast.admin), 2);
  EXPECT_EQ(count(events + probes + "&status=success", cast.admin), 7);
  EXPECT_EQ(count(events + probes + "&sourceService=backend", cast.admin), 2);
  EXPECT_EQ(count(events + probes + "&sourceService=id", cast.admin), 3);
  EXPECT_EQ(count(events + probes + "&startDate=" + IsoAt(before), cast.admin), 9);
  EXPECT_EQ(count(events + probes + "&startDate=2000-01-01&endDate=2000-12-31", cast.admin), 0);
  EXPECT_EQ(count(events + probes + "&endDate=" + IsoAt(before), cast.admin), 0);
  EXPECT_EQ(count(events + probes + "&isReported=true", cast.admin), 0);
  EXPECT_EQ(count(events + probes + "&isReported=false", cast.admin), 9);
  // Own log: alice's own probes only, whatever userId she asks for.
  EXPECT_EQ(count("/v1/audit/me?" + probes, cast.alice), 5);
  EXPECT_EQ(count("/v1/audit/me?" + probes + "&userId=" + cast.bob.id, cast.alice), 5);
  EXPECT_EQ(count("/v1/audit/me?eventType=probe_b&status=failure", cast.alice), 2);
  EXPECT_EQ(count("/v1/audit/me?" + probes, cast.bob), 4);
  EXPECT_EQ(count("/v1/audit/users/" + cast.bob.id + "?" + probes, cast.admin), 4);
  EXPECT_EQ(count("/v1/audit/users/" + cast.bob.id + "?resourceType=user&" + probes, cast.admin),
            4);

  // Default order newest first; asc reverses it; sortField orders by that column.
  Response desc = client.Get(events + probes + "&limit=100", cast.admin.Auth());
  std::vector<std::string> expected;  // posted a, b, c in turn: newest first is c, b, a reversed
  for (const auto* list : {&c, &b, &a})
    expected.insert(expected.end(), list->rbegin(), list->rend());
  EXPECT_EQ(EventIds(desc), expected);
  Response asc = client.Get(events + probes + "&limit=100&sortDirection=asc", cast.admin.Auth());
  std::vector<std::string> reversed(expected.rbegin(), expected.rend());
  EXPECT_EQ(EventIds(asc), reversed);
  Response by_type =
      client.Get(events + probes + "&sortField=eventType&sortDirection=desc", cast.admin.Auth());
  std::vector<std::string> types;
  for (const auto& e : ArrayAt(by_type, "/data/events")) types.push_back(Str(e.at("eventType")));
  EXPECT_TRUE(std::is_sorted(types.rbegin(), types.rend())) << by_type.body;
  for (const char* field : {"createdAt", "eventType", "status", "userId", "sourceService",
                            "severity", "resourceType"}) {
    Response r = client.Get(events + probes + "&sortField=" + field, cast.admin.Auth());
    EXPECT_EQ(r.status, 200) << field << " " << r.Describe();
    EXPECT_EQ(At(r, "/data/totalCount"), json::value(9)) << field;
  }

  // Page numbers: 9 events, 4 per page -> 3 pages; each page walked equals the whole list,
  // and so does following nextCursor.
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page) {
    Response r =
        client.Get(events + probes + "&limit=4&page=" + std::to_string(page), cast.admin.Auth());
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/data/page", page));
    EXPECT_TRUE(HasJson(r, "/data/limit", 4));
    EXPECT_TRUE(HasJson(r, "/data/totalPages", 3));
    EXPECT_TRUE(HasJson(r, "/data/totalCount", 9));
    EXPECT_EQ(EventIds(r).size(), page < 3 ? 4u : page == 3 ? 1u : 0u) << page;
    for (auto& id : EventIds(r)) paged.push_back(std::move(id));
  }
  EXPECT_EQ(paged, expected);
  std::vector<std::string> cursored;
  std::string cursor;
  for (int hop = 0; hop < 5; ++hop) {
    Response r =
        client.Get(events + probes + "&limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor),
                   cast.admin.Auth());
    ASSERT_EQ(r.status, 200) << r.Describe();
    for (auto& id : EventIds(r)) cursored.push_back(std::move(id));
    cursor = Str(At(r, "/data/nextCursor"));
    if (cursor.empty()) break;
  }
  EXPECT_EQ(cursored, expected);
  EXPECT_EQ(WalkCursor(client, cast.admin, probes), expected);

  // Bad filters: 400 ValidationError naming the parameter.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"sortField=password_hash", "sortField"},
      {"sortDirection=sideways", "sortDirection"},
      {"startDate=yesterday", "startDate"},
      {"endDate=2024-02-30T00:00:00Z", "endDate"},
      {"startDate=2024-02-01&endDate=2024-01-01", "endDate"},
      {"limit=101", "limit"},
      {"limit=0", "limit"},
      {"page=0", "page"},
      {"page=abc", "page"},
      {"status=pending", "status"},
      {"sourceService=mainframe", "sourceService"},
      {"isReported=maybe", "isReported"},
      {"eventTypes=login,,logout", "eventTypes"},
      {"cursor=garbage", "cursor"},
      {"sortField=status&cursor=" +
           Str(At(client.Get(events + probes + "&limit=1", cast.admin.Auth()), "/data/nextCursor")),
       "cursor"},
  };
  std::vector<Scenario> t;
  for (const auto& [query, field] : bad) {
    t.push_back(
        {.name = "GET /v1/audit/events?" + query,
         .path = events + query,
         .headers = cast.admin.Auth(),
         .expected_status = 400,
         .expected_fragments = {{"/error", "ValidationError"}, {"/errors/0/path/0", field}}});
  }
  t.push_back({.name = "GET /v1/audit/me with limit over the cap",
               .path = "/v1/audit/me?limit=1000",
               .headers = cast.alice.Auth(),
               .expected_status = 400,
               .expected_fragments = {{"/errors/0/path/0", "limit"}}});
  RunScenarios(server, t);
}

// --------------------------------------------------------------------------------------------
// Reports: only your own events, one open report per event, admin review that never goes back;
// each step records its audit event.
TEST_P(Audit, ReportWorkflow) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const std::string mine =
      Logged(client, cast.admin, {{"eventType", "probe_login"}, {"userId", cast.alice.id}});
  const std::string bobs =
      Logged(client, cast.admin, {{"eventType", "probe_login"}, {"userId", cast.bob.id}});

  std::string report_id;
  std::vector<Scenario> t = {
      {.name = "report someone else's event",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(json::object{{"auditEventId", bobs}, {"reason", "not_me"}}),
       .expected_status = 404,
       .expected_fragments = {{"/error", "AuditEventNotFound"}},
       .no_audit_events = true},
      {.name = "report with an unknown reason",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(json::object{{"auditEventId", mine}, {"reason", "bored"}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path/0", "reason"}},
       .no_audit_events = true},
      {.name = "report with an unknown field",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(
           json::object{{"auditEventId", mine}, {"reason", "not_me"}, {"status", "resolved"}}),
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path/0", "status"}},
       .no_audit_events = true},
      {.name = "report my own event",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(json::object{
           {"auditEventId", mine}, {"reason", "not_me"}, {"description", "I didn't do this"}}),
       .expected_status = 201,
       .expected_fragments = {{"/data/success", true},
                              {"/data/report/auditEventId", mine},
                              {"/data/report/userId", cast.alice.id},
                              {"/data/report/reason", "not_me"},
                              {"/data/report/description", "I didn't do this"},
                              {"/data/report/status", "pending"}},
       .expected_audit_events = {"audit_report_created"},
       .check =
           [&](const Response& r) {
             ExpectReportShape(At(r, "/data/report"));
             report_id = Str(At(r, "/data/report/id"));
           }},
      {.name = "report it again while open",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(json::object{{"auditEventId", mine}, {"reason", "suspicious"}}),
       .expected_status = 409,
       .expected_fragments = {{"/error", "ReportAlreadyExists"}},
       .no_audit_events = true},
  };
  RunScenarios(server, t);
  ASSERT_FALSE(report_id.empty());

  Response flagged =
      client.Get("/v1/audit/events?eventType=probe_login&isReported=true", cast.admin.Auth());
  EXPECT_EQ(EventIds(flagged), std::vector<std::string>{mine}) << flagged.body;
  Response own = client.Get("/v1/audit/reports/me", cast.alice.Auth());
  ASSERT_EQ(own.status, 200);
  ASSERT_EQ(ArrayAt(own, "/data").size(), 1u);
  EXPECT_TRUE(HasJson(own, "/data/0/id", report_id));
  EXPECT_TRUE(ArrayAt(client.Get("/v1/audit/reports/me", cast.bob.Auth()), "/data").empty());
  Response created = client.Get("/v1/audit/me?eventType=audit_report_created", cast.alice.Auth());
  EXPECT_TRUE(HasJson(created, "/data/events/0/resourceId", report_id)) << created.body;

  Response pending = client.Get("/v1/audit/reports?status=pending&limit=10", cast.admin.Auth());
  ASSERT_EQ(pending.status, 200) << pending.Describe();
  EXPECT_TRUE(
      KeysAre(At(pending, "/data"), {"reports", "totalCount", "page", "limit", "totalPages"}));
  EXPECT_TRUE(HasJson(pending, "/data/totalCount", 1));
  EXPECT_TRUE(HasJson(pending, "/data/reports/0/id", report_id));
  for (const auto& report : ArrayAt(pending, "/data/reports")) ExpectReportShape(report);
  EXPECT_TRUE(HasJson(client.Get("/v1/audit/reports?status=resolved", cast.admin.Auth()),
                      "/data/totalCount", 0));
  EXPECT_EQ(FieldNamed(client.Get("/v1/audit/reports?status=open", cast.admin.Auth())), "status");

  const std::string path = "/v1/audit/reports/" + report_id;
  std::vector<Scenario> review = {
      {.name = "reporter cannot review",
       .method = "PATCH",
       .path = path,
       .headers = cast.alice.Auth(),
       .body = R"({"status":"dismissed"})",
       .expected_status = 403},
      {.name = "back to pending is not a status one can set",
       .method = "PATCH",
       .path = path,
       .headers = cast.admin.Auth(),
       .body = R"({"status":"pending"})",
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path/0", "status"}},
       .no_audit_events = true},
      {.name = "mark reviewed",
       .method = "PATCH",
       .path = path,
       .headers = cast.admin.Auth(),
       .body = JsonText(json::object{{"reportId", report_id}, {"status", "reviewed"}}),
       .expected_status = 200,
       .expected_fragments = {{"/data/success", true},
                              {"/data/report/status", "reviewed"},
                              {"/data/report/reviewedBy", cast.admin.id}},
       .expected_audit_events = {"audit_report_updated"},
       .check = [](const Response& r) { ExpectReportShape(At(r, "/data/report")); }},
      {.name = "reviewed again",
       .method = "PATCH",
       .path = path,
       .headers = cast.admin.Auth(),
       .body = R"({"status":"reviewed"})",
       .expected_status = 409,
       .expected_fragments = {{"/error", "InvalidReportTransition"}},
       .no_audit_events = true},
      {.name = "still open: no second report",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(json::object{{"auditEventId", mine}, {"reason", "other"}}),
       .expected_status = 409},
      {.name = "resolve",
       .method = "PATCH",
       .path = path,
       .headers = cast.admin.Auth(),
       .body = R"({"status":"resolved","resolutionNotes":"Confirmed; user notified."})",
       .expected_status = 200,
       .expected_fragments = {{"/data/report/status", "resolved"},
                              {"/data/report/resolutionNotes", "Confirmed; user notified."}},
       .expected_audit_events = {"audit_report_updated"},
       .check =
           [](const Response& r) {
             EXPECT_TRUE(IsIsoTimestamp(At(r, "/data/report/reviewedAt")));
           }},
      {.name = "resolved cannot be dismissed",
       .method = "PATCH",
       .path = path,
       .headers = cast.admin.Auth(),
       .body = R"({"status":"dismissed"})",
       .expected_status = 409,
       .no_audit_events = true},
      {.name = "reportId must match the path",
       .method = "PATCH",
       .path = path,
       .headers = cast.admin.Auth(),
       .body = R"({"reportId":"another","status":"dismissed"})",
       .expected_status = 400,
       .expected_fragments = {{"/errors/0/path/0", "reportId"}}},
      {.name = "closed: a new report may be filed",
       .method = "POST",
       .path = "/v1/audit/reports",
       .headers = cast.alice.Auth(),
       .body = JsonText(json::object{{"auditEventId", mine}, {"reason", "unknown_device"}}),
       .expected_status = 201,
       .expected_audit_events = {"audit_report_created"}},
  };
  RunScenarios(server, review);
  Response updated = client.Get("/v1/audit/me?eventType=audit_report_updated", cast.alice.Auth());
  EXPECT_TRUE(HasJson(updated, "/data/totalCount", 2)) << updated.body;
  EXPECT_TRUE(HasJson(updated, "/data/events/0/actorId", cast.admin.id)) << updated.body;
}

// --------------------------------------------------------------------------------------------
TEST_P(Audit, CatalogServesLabelsIconsColoursAndFilters) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Response r = client.Get("/v1/audit/catalog", cast.alice.Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  std::map<std::string, json::object> types;
  for (const auto& t : ArrayAt(r, "/data/eventTypes")) {
    EXPECT_TRUE(KeysAre(t, {"type", "label", "category", "icon", "severity", "color"}));
    types[Str(t.at("type"))] = t.as_object();
  }
  for (const char* type : {"login",
                           "login_failed",
                           "logout",
                           "password_changed",
                           "2fa_enabled",
                           "2fa_disabled",
                           "account_locked",
                           "refresh_token_reused",
                           "user_created",
                           "user_updated",
                           "user_deleted",
                           "user_banned",
                           "role_created",
                           "role_updated",
                           "role_deleted",
                           "role_assigned",
                           "role_removed",
                           "permissions_changed",
                           "session_created",
                           "session_revoked",
                           "sessions_revoked_all",
                           "consent_granted",
                           "api_key_created",
                           "api_key_rotated",
                           "api_key_revoked",
                           "credential_created",
                           "credential_updated",
                           "credential_deleted",
                           "credential_secret_read",
                           "audit_report_created",
                           "audit_report_updated",
                           "custom_action"}) {
    EXPECT_TRUE(types.contains(type)) << type << " missing from the catalog";
  }
  // Seed 001's examples.
  EXPECT_EQ(types["login"].at("label"), "Signed in");
  EXPECT_EQ(types["login"].at("category"), "security");
  EXPECT_EQ(types["login"].at("icon"), "LogIn");
  EXPECT_EQ(types["login"].at("color"), "text-brand");
  EXPECT_EQ(types["2fa_enabled"].at("icon"), "Shield");
  EXPECT_EQ(types["password_changed"].at("icon"), "Key");
  EXPECT_EQ(types["user_updated"].at("category"), "account");
  EXPECT_EQ(types["session_created"].at("category"), "sessions");
  EXPECT_EQ(types["consent_granted"].at("category"), "oauth");
  EXPECT_TRUE(HasJson(r, "/data/categoryColors/security", "text-brand"));
  EXPECT_TRUE(HasJson(r, "/data/categoryColors/account", "text-blue-400"));
  EXPECT_TRUE(HasJson(r, "/data/categoryColors/sessions", "text-purple-400"));
  EXPECT_TRUE(HasJson(r, "/data/categoryColors/oauth", "text-amber-400"));
  EXPECT_TRUE(HasJson(r, "/data/failureColor", "text-[var(--error)]"));
  for (const auto& option : ArrayAt(r, "/data/filterOptions")) {
    EXPECT_TRUE(option.as_object().contains("value") && option.as_object().contains("label"));
  }
  for (const char* list : {"/data/severities", "/data/sourceServices", "/data/reportReasons"}) {
    EXPECT_FALSE(ArrayAt(r, list).empty()) << list;
  }
}

// --------------------------------------------------------------------------------------------
TEST_P(Audit, SecurityEventsAndStats) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  for (int i = 0; i < 3; ++i) {
    Logged(client, cast.admin,
           {{"eventType", "probe_sec"}, {"userId", cast.bob.id}, {"ipAddress", "198.51.100.4"}});
  }
  Response r =
      client.Get("/v1/security/events?type=probe_sec&severity=low&limit=2", cast.admin.Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_TRUE(HasJson(r, "/data/totalCount", 3));
  EXPECT_TRUE(HasJson(r, "/data/totalPages", 2));
  ASSERT_EQ(ArrayAt(r, "/data/events").size(), 2u);
  for (const auto& e : ArrayAt(r, "/data/events")) {
    EXPECT_EQ(e.at("type"), "probe_sec");  // seed 004 SecurityEvent names too
    EXPECT_EQ(e.at("severity"), "low");
    EXPECT_EQ(e.at("ip"), "198.51.100.4");
    EXPECT_TRUE(e.at("timestamp").is_int64());
  }
  EXPECT_TRUE(
      HasJson(client.Get("/v1/security/events?type=probe_sec&severity=critical", cast.admin.Auth()),
              "/data/totalCount", 0));
  EXPECT_EQ(FieldNamed(client.Get("/v1/security/events?severity=urgent", cast.admin.Auth())),
            "severity");

  Response stats = client.Get("/v1/security/stats?days=7", cast.admin.Auth());
  ASSERT_EQ(stats.status, 200) << stats.Describe();
  std::int64_t probe = 0, by_type = 0;
  for (const auto& c : ArrayAt(stats, "/data/byType")) {
    EXPECT_TRUE(KeysAre(c, {"type", "count"}));
    by_type += c.at("count").as_int64();
    if (c.at("type") == "probe_sec") probe = c.at("count").as_int64();
  }
  EXPECT_EQ(probe, 3);
  json::array severities = ArrayAt(stats, "/data/bySeverity");
  ASSERT_EQ(severities.size(), 4u);
  std::int64_t by_severity = 0;
  for (const auto& c : severities) {
    EXPECT_TRUE(KeysAre(c, {"severity", "count"}));
    by_severity += c.at("count").as_int64();
  }
  json::array days = ArrayAt(stats, "/data/byDay");
  ASSERT_EQ(days.size(), 7u);
  std::int64_t by_day = 0;
  for (const auto& c : days) {
    EXPECT_TRUE(KeysAre(c, {"date", "count"}));
    EXPECT_EQ(Str(c.at("date")).size(), 10u);
    by_day += c.at("count").as_int64();
  }
  EXPECT_EQ(Str(days.back().at("date")), IsoAt(std::chrono::system_clock::now()).substr(0, 10));
  const json::value total = At(stats, "/data/total");
  ASSERT_TRUE(total.is_int64());
  EXPECT_EQ(by_type, total.as_int64());
  EXPECT_EQ(by_severity, total.as_int64());
  EXPECT_EQ(by_day, total.as_int64());
  EXPECT_EQ(FieldNamed(client.Get("/v1/security/stats?days=0", cast.admin.Auth())), "days");
}

// --------------------------------------------------------------------------------------------
// Export: JSON Lines and CSV of the filtered events, escaped properly.
TEST_P(Audit, ExportsJsonLinesAndCsv) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  const std::string tricky = "comma, \"quotes\"\nand a newline";
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(
        Logged(client, cast.admin,
               {{"eventType", "probe_export"}, {"description", tricky}, {"metadata", {{"i", i}}}}));
  }
  Logged(client, cast.admin, {{"eventType", "probe_other"}});

  Response jsonl =
      client.Get("/v1/audit/events/export?format=jsonl&eventType=probe_export", cast.admin.Auth());
  ASSERT_EQ(jsonl.status, 200) << jsonl.Describe();
  EXPECT_EQ(jsonl.Header("Content-Type").value_or(""), "application/x-ndjson");
  EXPECT_FALSE(jsonl.Header("X-Export-Truncated").has_value());
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < jsonl.body.size();) {
    const std::size_t end = jsonl.body.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "last line without newline";
    lines.push_back(jsonl.body.substr(start, end - start));
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 3u) << jsonl.body;
  std::set<std::string> exported;
  for (const auto& line : lines) {
    json::value e = json::parse(line);
    ExpectEventShape(e);
    EXPECT_EQ(e.at("description"), tricky.c_str());
    exported.insert(Str(e.at("id")));
  }
  EXPECT_EQ(exported, std::set<std::string>(ids.begin(), ids.end()));

  Response csv =
      client.Get("/v1/audit/events/export?format=csv&eventType=probe_export", cast.admin.Auth());
  ASSERT_EQ(csv.status, 200) << csv.Describe();
  EXPECT_TRUE(csv.Header("Content-Type").value_or("").starts_with("text/csv"));
  EXPECT_TRUE(csv.body.starts_with("id,createdAt,eventType,")) << csv.body.substr(0, 200);
  const std::string quoted = "\"comma, \"\"quotes\"\"\nand a newline\"";
  std::size_t found = 0;
  for (std::size_t at = csv.body.find(quoted); at != std::string::npos;
       at = csv.body.find(quoted, at + 1)) {
    ++found;
  }
  EXPECT_EQ(found, 3u) << csv.body;
  for (const auto& id : ids) EXPECT_NE(csv.body.find("\r\n" + id + ","), std::string::npos);
  EXPECT_EQ(csv.body.find("probe_other"), std::string::npos);

  EXPECT_EQ(FieldNamed(client.Get("/v1/audit/events/export?format=xml", cast.admin.Auth())),
            "format");
  EXPECT_EQ(client.Get("/v1/audit/events/export", cast.alice.Auth()).status, 403);
}

// --------------------------------------------------------------------------------------------
// Group commit is durable: clients post while the server is SIGKILLed; after a restart every
// event that was answered 201 is there.
TEST_P(Audit, SigkillLosesNoAcknowledgedEvent) {
  ServerProcess& server = NewServer(FastHashFlags());
  ASSERT_EQ(AdminCreate(server, "root@example.com", kPassword).exit_code, 0);
  ASSERT_TRUE(server.Start());
  Account root;
  {
    HttpClient client(server.port());
    ASSERT_TRUE(Login(client, "root@example.com", kPassword, &root));
  }
  constexpr int kThreads = 6;
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<int> acks{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  const std::uint16_t port = server.port();
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      HttpClient client(port);
      client.set_timeout(std::chrono::seconds(5));
      for (int i = 0; !stop; ++i) {
        Response r = client.Post(
            "/v1/audit/events",
            JsonText(json::object{{"eventType", "probe_durable"},
                                  {"description", std::to_string(t) + "/" + std::to_string(i)}}),
            root.Auth());
        if (r.status == 0) return;  // the server is gone
        if (r.status != 201) continue;
        std::lock_guard lock(mutex);
        acknowledged.push_back(Str(At(r, "/data/id")));
        ++acks;
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (acks < 400 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server.Kill();  // requests are in flight
  stop = true;
  for (auto& thread : clients) thread.join();
  ASSERT_GT(acknowledged.size(), 0u);

  ASSERT_TRUE(server.Restart());
  HttpClient client(server.port());
  ASSERT_TRUE(Login(client, "root@example.com", kPassword, &root));
  const std::vector<std::string> stored = WalkCursor(client, root, "eventType=probe_durable");
  const std::set<std::string> present(stored.begin(), stored.end());
  EXPECT_EQ(present.size(), stored.size()) << "an event listed twice";
  std::size_t lost = 0;
  for (const auto& id : acknowledged) lost += present.contains(id) ? 0 : 1;
  EXPECT_EQ(lost, 0u) << "of " << acknowledged.size() << " acknowledged events";
  EXPECT_GE(stored.size(), acknowledged.size());
  server.Stop();

  CommandResult verify = AuditCommand(server, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_NE(verify.out.find("chain intact: "), std::string::npos) << verify.out;
}

// --------------------------------------------------------------------------------------------
// Tamper evidence: `audit verify` passes, fails naming the event whose row was edited by hand,
// `audit prune` refuses to destroy that evidence unless forced, and after pruning the chain
// verifies again from the checkpoint. There is no route that changes or deletes an event.
TEST_P(Audit, VerifyNamesAnEditedRowAndPruneKeepsTheChainVerifiable) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(
        Logged(client, cast.admin,
               {{"eventType", "probe_chain"}, {"description", "event " + std::to_string(i)}}));
  }
  for (const char* method : {"PATCH", "PUT", "DELETE"}) {
    Response r = client.Request(method, "/v1/audit/events/" + ids[0], cast.super.Auth());
    EXPECT_TRUE(r.status == 404 || r.status == 405) << method << " " << r.Describe();
  }
  EXPECT_EQ(client.Request("DELETE", "/v1/audit/events", cast.super.Auth()).status, 405);
  server.Stop();

  CommandResult clean = AuditCommand(server, {"verify"});
  EXPECT_EQ(clean.exit_code, 0) << clean.Describe();
  EXPECT_NE(clean.out.find("chain intact: "), std::string::npos) << clean.out;

  TamperWith(server,
             "UPDATE audit_events SET description = 'nothing to see' WHERE id = '" + ids[2] + "'");
  CommandResult broken = AuditCommand(server, {"verify"});
  EXPECT_EQ(broken.exit_code, 1) << broken.Describe();
  EXPECT_NE(broken.out.find("chain broken at event " + ids[2]), std::string::npos)
      << broken.Describe();

  const std::string cut = IsoAt(std::chrono::system_clock::now() + std::chrono::minutes(1));
  CommandResult refused = AuditCommand(server, {"prune", "--before", cut});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find(ids[2]), std::string::npos) << refused.Describe();
  CommandResult bad_date = AuditCommand(server, {"prune", "--before", "last tuesday"});
  EXPECT_EQ(bad_date.exit_code, 2) << bad_date.Describe();

  CommandResult pruned = AuditCommand(server, {"prune", "--before", cut, "--force"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.Describe();
  EXPECT_NE(pruned.out.find("pruned "), std::string::npos) << pruned.out;
  CommandResult after = AuditCommand(server, {"verify"});
  EXPECT_EQ(after.exit_code, 0) << after.Describe();
  EXPECT_NE(after.out.find("chain intact: 1 events"), std::string::npos) << after.out;

  // New events chain on from the checkpoint.
  ASSERT_TRUE(server.Start());
  HttpClient again(server.port());
  Account admin = cast.admin;
  ASSERT_TRUE(Login(again, admin.email, kPassword, &admin));
  Logged(again, admin, {{"eventType", "probe_chain"}});
  Response remaining = again.Get("/v1/audit/events?eventType=probe_chain", admin.Auth());
  // The newest event survives every prune; the new one joins it.
  EXPECT_TRUE(HasJson(remaining, "/data/totalCount", 2)) << remaining.body;
  server.Stop();
  CommandResult extended = AuditCommand(server, {"verify"});
  EXPECT_EQ(extended.exit_code, 0) << extended.Describe();
}

GATEHOUSE_INSTANTIATE_BACKENDS(Audit);

}  // namespace
}  // namespace gatehouse::testing
