// A report a user files about one of their own audit events ("this wasn't me"), and the
// review workflow administrators move it through (seed 001 AuditEventReport):
//
//   pending ──> reviewed ──> resolved | dismissed
//      └────────────────────> resolved | dismissed          (never back, never sideways)
//
//   if (!CanTransition(report.status, "resolved")) return core::FailedPrecondition(...);
//   boost::json::object wire = ToJson(report);              // camelCase, as seed 001
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::audit {

// When adding a status, also update the CHECK in migrations/*/0003_audit.sql and CatalogJson.
inline constexpr const char* kReportPending = "pending";
inline constexpr const char* kReportReviewed = "reviewed";
inline constexpr const char* kReportResolved = "resolved";
inline constexpr const char* kReportDismissed = "dismissed";
inline constexpr const char* kReportStatuses[] = {kReportPending, kReportReviewed, kReportResolved,
                                                  kReportDismissed};

struct Report {
  std::string id;
  std::string audit_event_id;
  std::string user_id;  // who filed it (the event's owner)
  std::string reason;   // one of kReportReasons
  std::optional<std::string> description;
  std::string status = kReportPending;
  std::optional<std::string> reviewed_by;
  std::optional<std::int64_t> reviewed_at;
  std::optional<std::string> resolution_notes;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

bool IsReportStatus(std::string_view status);
bool IsReportReason(std::string_view reason);
// Open reports block a second report on the same event.
bool IsOpenReportStatus(std::string_view status);
// The workflow above: true when a report in `from` may move to `to`.
bool CanTransition(std::string_view from, std::string_view to);

// Seed 001's AuditEventReport; absent optionals are omitted.
boost::json::object ToJson(const Report& report);

}  // namespace gatehouse::audit
