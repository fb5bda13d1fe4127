// What clients send to the audit routes, validated without HTTP: query strings reach these
// parsers through a lookup function, bodies as text. A bad value is a 400 ValidationError whose
// path names the parameter or field.
//
//   auto query = ParseEventQuery([&](std::string_view k) { return request.Query(k); },
//                                QueryScope::kAll);            // Result<EventQuery>
//   auto input = ParseLogEvent(request.body);                   // Result<LogEventInput>
//   std::string next = EncodeCursor({.created_at = e.created_at, .seq = e.seq});
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "audit/recorder.hpp"
#include "audit/repo.hpp"
#include "core/error.hpp"
#include "core/request_meta.hpp"

namespace gatehouse::audit {

using ParamLookup = std::function<std::optional<std::string>(std::string_view name)>;

inline constexpr int kDefaultLimit = 20;
inline constexpr int kMaxLimit = 100;
inline constexpr std::int64_t kMaxPage = 10'000'000;
inline constexpr std::size_t kMaxMetadataBytes = 16 * 1024;

// Event types are [a-z0-9_]{1,64}.
bool IsEventType(std::string_view type);

// A keyset position in the createdAt order: the last event of the previous page. Opaque to
// clients (base64url of "v1.<createdAt ms>.<seq>").
struct Cursor {
  std::int64_t created_at = 0;
  std::int64_t seq = 0;
};
std::string EncodeCursor(const Cursor& cursor);
std::optional<Cursor> DecodeCursor(std::string_view text);

// Which parameters a list accepts:
//   kOwn      GET /v1/audit/me, /v1/audit/users/:id: every filter but userId and userSearch
//   kAll      GET /v1/audit/events and its export: every filter of getAllAuditEvents
//   kSecurity GET /v1/security/events: type, severity, userId, startDate, endDate
// All take page, limit (1..100) and cursor (only with the createdAt order).
enum class QueryScope { kOwn, kAll, kSecurity };

struct EventQuery {
  repo::EventFilter filter;  // limit and order set; offset and keyset left to the service
  std::int64_t page = 1;
  std::optional<Cursor> cursor;
  bool matches_nothing = false;  // eventType outside eventTypes: an empty page, no query
};
core::Result<EventQuery> ParseEventQuery(const ParamLookup& param, QueryScope scope);

// Seed 000 logAuditEvent's body.
struct LogEventInput {
  Entry entry;
  std::optional<std::string> actor_id;
  std::optional<std::string> ip_address;
  std::optional<std::string> user_agent;
  std::optional<std::string> source_service;
};
core::Result<LogEventInput> ParseLogEvent(std::string_view body);
// The meta recorded with a client-logged event: the body's actor, address, agent and source
// where given, else the caller's own (`caller` as the route built it).
core::RequestMeta MetaForLoggedEvent(const LogEventInput& input, core::RequestMeta caller);

// Seed 001 ReportAuditEventInput.
struct ReportInput {
  std::string audit_event_id;
  std::string reason;
  std::optional<std::string> description;
};
core::Result<ReportInput> ParseReportInput(std::string_view body);

// Seed 001 UpdateAuditReportInput; its reportId may repeat the path's id (must match).
struct ReportUpdate {
  std::string status;
  std::optional<std::string> resolution_notes;
};
core::Result<ReportUpdate> ParseReportUpdate(std::string_view body, std::string_view report_id);

// GET /v1/audit/reports: page, limit, status.
struct ReportQuery {
  std::int64_t page = 1;
  int limit = kDefaultLimit;
  std::optional<std::string> status;
};
core::Result<ReportQuery> ParseReportQuery(const ParamLookup& param);

// GET /v1/security/stats: days (1..366, default 7).
core::Result<int> ParseStatsDays(const ParamLookup& param);

enum class ExportFormat { kJsonl, kCsv };
// format=jsonl|csv (default jsonl).
core::Result<ExportFormat> ParseExportFormat(const ParamLookup& param);

}  // namespace gatehouse::audit
