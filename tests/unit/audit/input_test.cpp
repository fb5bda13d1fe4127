// Validation of what clients send to the audit routes: query filters (every getAllAuditEvents
// parameter of seed 000), the logAuditEvent body, report bodies, cursors.
#include "audit/input.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace gatehouse::audit {
namespace {

using Params = std::map<std::string, std::string, std::less<>>;

ParamLookup Lookup(const Params& params) {
  return [&params](std::string_view name) -> std::optional<std::string> {
    auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };
}

// The field a validation error names ("" when none or not a validation error).
template <typename R>
std::string FailedField(const R& result) {
  if (result.ok()) return "<ok>";
  const core::Error& e = result.error();
  if (e.code != core::ErrorCode::kInvalidArgument || e.details.empty() ||
      e.details.front().path.empty()) {
    return "<other: " + e.public_message + ">";
  }
  return e.details.front().path.front();
}

core::Result<EventQuery> Parse(const Params& params, QueryScope scope = QueryScope::kAll) {
  return ParseEventQuery(Lookup(params), scope);
}

TEST(EventQuery, DefaultsToNewestFirstTwentyPerPage) {
  auto q = Parse({});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->page, 1);
  EXPECT_EQ(q->filter.limit, 20);
  EXPECT_EQ(q->filter.sort_column, "created_at");
  EXPECT_TRUE(q->filter.descending);
  EXPECT_FALSE(q->cursor.has_value());
  EXPECT_FALSE(q->matches_nothing);
}

TEST(EventQuery, ReadsEveryGetAllAuditEventsFilter) {
  auto q = Parse({{"page", "3"},
                  {"limit", "50"},
                  {"eventTypes", "login, login_failed,logout"},
                  {"userId", "u1"},
                  {"userSearch", "ali"},
                  {"resourceType", "user"},
                  {"status", "failure"},
                  {"sourceService", "id"},
                  {"startDate", "2024-01-01T00:00:00Z"},
                  {"endDate", "2024-01-31T23:59:59Z"},
                  {"sortField", "eventType"},
                  {"sortDirection", "asc"},
                  {"isReported", "true"}});
  ASSERT_TRUE(q.ok()) << q.error().public_message;
  const auto& f = q->filter;
  EXPECT_EQ(q->page, 3);
  EXPECT_EQ(f.limit, 50);
  EXPECT_EQ(f.event_types, (std::vector<std::string>{"login", "login_failed", "logout"}));
  EXPECT_EQ(f.user_id, "u1");
  EXPECT_EQ(f.user_search, "ali");
  EXPECT_EQ(f.resource_type, "user");
  EXPECT_EQ(f.status, "failure");
  EXPECT_EQ(f.source_service, "id");
  EXPECT_EQ(f.start_ms, 1704067200000);
  EXPECT_EQ(f.end_ms, 1706745599999);  // the whole last second
  EXPECT_EQ(f.sort_column, "event_type");
  EXPECT_FALSE(f.descending);
  EXPECT_EQ(f.is_reported, true);
}

TEST(EventQuery, MapsEverySortFieldToItsColumn) {
  const std::map<std::string, std::string> fields = {{"createdAt", "created_at"},
                                                     {"eventType", "event_type"},
                                                     {"status", "status"},
                                                     {"userId", "user_id"},
                                                     {"sourceService", "source_service"},
                                                     {"severity", "severity"},
                                                     {"resourceType", "resource_type"}};
  for (const auto& [field, column] : fields) {
    auto q = Parse({{"sortField", field}});
    ASSERT_TRUE(q.ok()) << field;
    EXPECT_EQ(q->filter.sort_column, column);
  }
}

TEST(EventQuery, DateOnlyEndDateCoversTheWholeDay) {
  auto q = Parse({{"startDate", "2024-01-31"}, {"endDate", "2024-01-31"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->filter.start_ms, 1706659200000);
  EXPECT_EQ(q->filter.end_ms, 1706745599999);
}

TEST(EventQuery, RejectsBadValuesNamingTheParameter) {
  const std::vector<std::pair<Params, std::string>> cases = {
      {{{"sortField", "password"}}, "sortField"},
      {{{"sortField", "created_at; DROP TABLE audit_events"}}, "sortField"},
      {{{"sortDirection", "up"}}, "sortDirection"},
      {{{"startDate", "yesterday"}}, "startDate"},
      {{{"endDate", "2024-13-01"}}, "endDate"},
      {{{"startDate", "2024-02-01"}, {"endDate", "2024-01-01"}}, "endDate"},
      {{{"limit", "101"}}, "limit"},
      {{{"limit", "0"}}, "limit"},
      {{{"limit", "ten"}}, "limit"},
      {{{"page", "0"}}, "page"},
      {{{"page", "-1"}}, "page"},
      {{{"page", "1x"}}, "page"},
      {{{"status", "ok"}}, "status"},
      {{{"sourceService", "web"}}, "sourceService"},
      {{{"isReported", "yes"}}, "isReported"},
      {{{"eventType", "Login"}}, "eventType"},
      {{{"eventTypes", "login,,logout"}}, "eventTypes"},
      {{{"eventTypes", "login,LOGOUT"}}, "eventTypes"},
      {{{"cursor", "not-a-cursor"}}, "cursor"},
      {{{"cursor", EncodeCursor({1, 2})}, {"sortField", "status"}}, "cursor"},
      {{{"userSearch", ""}}, "userSearch"},
  };
  for (const auto& [params, field] : cases) {
    std::string described;
    for (const auto& [k, v] : params) described += k + "=" + v + " ";
    EXPECT_EQ(FailedField(Parse(params)), field) << described;
  }
}

TEST(EventQuery, EventTypeInsideEventTypesNarrowsOutsideMatchesNothing) {
  auto inside = Parse({{"eventType", "login"}, {"eventTypes", "login,logout"}});
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(inside->filter.event_types, std::vector<std::string>{"login"});
  EXPECT_FALSE(inside->matches_nothing);
  auto outside = Parse({{"eventType", "user_created"}, {"eventTypes", "login,logout"}});
  ASSERT_TRUE(outside.ok());
  EXPECT_TRUE(outside->matches_nothing);
}

TEST(EventQuery, OwnScopeIgnoresUserFilters) {
  auto q = Parse({{"userId", "someone-else"}, {"userSearch", "bob"}, {"eventType", "login"}},
                 QueryScope::kOwn);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->filter.user_id.has_value());
  EXPECT_FALSE(q->filter.user_search.has_value());
  EXPECT_EQ(q->filter.event_types, std::vector<std::string>{"login"});
}

TEST(EventQuery, SecurityScopeReadsTypeAndSeverity) {
  auto q = Parse({{"type", "login_failed"}, {"severity", "high"}}, QueryScope::kSecurity);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->filter.event_types, std::vector<std::string>{"login_failed"});
  EXPECT_EQ(q->filter.severity, "high");
  EXPECT_EQ(FailedField(Parse({{"severity", "urgent"}}, QueryScope::kSecurity)), "severity");
  EXPECT_EQ(FailedField(Parse({{"type", "a b"}}, QueryScope::kSecurity)), "type");
}

TEST(Cursor, RoundTripsAndRejectsForgeries) {
  const Cursor c{1706745599999, 42};
  auto back = DecodeCursor(EncodeCursor(c));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->created_at, c.created_at);
  EXPECT_EQ(back->seq, c.seq);
  EXPECT_FALSE(DecodeCursor(""));
  EXPECT_FALSE(DecodeCursor("djEuMS4y="));   // padding
  EXPECT_FALSE(DecodeCursor("eDEuMS4y"));    // "x1.1.2"
  EXPECT_FALSE(DecodeCursor("djEuLTEuMg"));  // "v1.-1.2"
  auto q = Parse({{"cursor", EncodeCursor(c)}});
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(q->cursor.has_value());
  EXPECT_EQ(q->cursor->seq, 42);
}

// --- logAuditEvent body ---

TEST(LogEvent, AcceptsSeedZeroExample) {
  auto in = ParseLogEvent(R"({"userId":"u1","eventType":"custom_action","resourceType":"user",
      "resourceId":"u2","description":"Custom action performed","metadata":{"action":"example"},
      "ipAddress":"203.0.113.9","userAgent":"curl/8","status":"success",
      "sourceService":"backend"})");
  ASSERT_TRUE(in.ok()) << in.error().public_message;
  EXPECT_EQ(in->entry.event_type, "custom_action");
  EXPECT_EQ(in->entry.user_id, "u1");
  EXPECT_EQ(in->entry.resource_id, "u2");
  EXPECT_TRUE(in->entry.success);
  EXPECT_EQ(in->entry.metadata.at("action"), "example");
  EXPECT_EQ(in->source_service, "backend");
  EXPECT_FALSE(in->actor_id.has_value());

  core::RequestMeta caller;
  caller.actor_id = "caller";
  caller.ip_address = "10.0.0.1";
  caller.request_id = "r1";
  auto meta = MetaForLoggedEvent(*in, caller);
  EXPECT_EQ(meta.actor_id, "caller");  // actorId defaults to the caller
  EXPECT_EQ(meta.ip_address, "203.0.113.9");
  EXPECT_EQ(meta.user_agent, "curl/8");
  EXPECT_EQ(meta.source_service, "backend");
  EXPECT_EQ(meta.request_id, "r1");
}

TEST(LogEvent, ActorIdOverridesTheCaller) {
  auto in = ParseLogEvent(R"({"eventType":"login","actorId":"a9","status":"failure",
                              "errorMessage":"bad"})");
  ASSERT_TRUE(in.ok());
  EXPECT_FALSE(in->entry.success);
  EXPECT_EQ(in->entry.error_message, "bad");
  core::RequestMeta caller;
  caller.actor_id = "caller";
  EXPECT_EQ(MetaForLoggedEvent(*in, caller).actor_id, "a9");
  EXPECT_EQ(MetaForLoggedEvent(*in, {}).source_service, "api");
}

TEST(LogEvent, RejectsBadBodiesNamingTheField) {
  const std::string big(17 * 1024, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({})", "eventType"},
      {R"({"eventType":""})", "eventType"},
      {R"({"eventType":"Has Spaces"})", "eventType"},
      {R"({"eventType":")" + std::string(65, 'a') + R"("})", "eventType"},
      {R"({"eventType":"login","hash":"x"})", "hash"},
      {R"({"eventType":"login","isReported":true})", "isReported"},
      {R"({"eventType":"login","metadata":[1]})", "metadata"},
      {R"({"eventType":"login","metadata":{"k":")" + big + R"("}})", "metadata"},
      {R"({"eventType":"login","status":"ok"})", "status"},
      {R"({"eventType":"login","sourceService":"web"})", "sourceService"},
      {R"({"eventType":"login","ipAddress":"not-an-ip"})", "ipAddress"},
      {R"({"eventType":"login","userId":5})", "userId"},
  };
  for (const auto& [body, field] : cases) {
    EXPECT_EQ(FailedField(ParseLogEvent(body)), field) << body.substr(0, 80);
  }
  EXPECT_TRUE(ParseLogEvent(R"({"eventType":"login","ipAddress":"2001:db8::1"})").ok());
  EXPECT_TRUE(ParseLogEvent(R"({"eventType":"login","metadata":null})").ok());
}

// --- reports ---

TEST(ReportInput, ReadsSeedFieldsAndChecksTheReason) {
  auto in = ParseReportInput(R"({"auditEventId":"e1","reason":"not_me","description":"x"})");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->audit_event_id, "e1");
  EXPECT_EQ(in->reason, "not_me");
  EXPECT_EQ(in->description, "x");
  for (const char* reason :
       {"not_me", "suspicious", "unknown_device", "unknown_location", "other"}) {
    EXPECT_TRUE(
        ParseReportInput(std::string(R"({"auditEventId":"e","reason":")") + reason + "\"}").ok())
        << reason;
  }
  EXPECT_EQ(FailedField(ParseReportInput(R"({"auditEventId":"e","reason":"bored"})")), "reason");
  EXPECT_EQ(FailedField(ParseReportInput(R"({"reason":"other"})")), "auditEventId");
  EXPECT_EQ(
      FailedField(ParseReportInput(R"({"auditEventId":"e","reason":"other","status":"resolved"})")),
      "status");
}

TEST(ReportUpdate, AcceptsTheSeedBodyAndRejectsPending) {
  auto in =
      ParseReportUpdate(R"({"reportId":"r1","status":"resolved","resolutionNotes":"ok"})", "r1");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->status, "resolved");
  EXPECT_EQ(in->resolution_notes, "ok");
  EXPECT_EQ(FailedField(ParseReportUpdate(R"({"status":"pending"})", "r1")), "status");
  EXPECT_EQ(FailedField(ParseReportUpdate(R"({"reportId":"r2","status":"reviewed"})", "r1")),
            "reportId");
  EXPECT_EQ(FailedField(ParseReportUpdate(R"({"status":"reviewed","reviewedBy":"me"})", "r1")),
            "reviewedBy");
}

TEST(ReportQuery, ValidatesPageLimitAndStatus) {
  Params ok = {{"page", "2"}, {"limit", "5"}, {"status", "pending"}};
  auto q = ParseReportQuery(Lookup(ok));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->page, 2);
  EXPECT_EQ(q->limit, 5);
  EXPECT_EQ(q->status, "pending");
  Params bad_status = {{"status", "open"}};
  EXPECT_EQ(FailedField(ParseReportQuery(Lookup(bad_status))), "status");
  Params bad_limit = {{"limit", "500"}};
  EXPECT_EQ(FailedField(ParseReportQuery(Lookup(bad_limit))), "limit");
}

TEST(StatsAndExport, ValidateTheirParameters) {
  Params none;
  EXPECT_EQ(*ParseStatsDays(Lookup(none)), 7);
  Params days = {{"days", "0"}};
  EXPECT_EQ(FailedField(ParseStatsDays(Lookup(days))), "days");
  EXPECT_EQ(*ParseExportFormat(Lookup(none)), ExportFormat::kJsonl);
  Params csv = {{"format", "csv"}};
  EXPECT_EQ(*ParseExportFormat(Lookup(csv)), ExportFormat::kCsv);
  Params xml = {{"format", "xml"}};
  EXPECT_EQ(FailedField(ParseExportFormat(Lookup(xml))), "format");
}

}  // namespace
}  // namespace gatehouse::audit
