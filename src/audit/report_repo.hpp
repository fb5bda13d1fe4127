// SQL for audit reports (the audit_reports table). Only audit/ touches it; callers hold the
// chain head lock (repo::LockChainHead) while checking and changing a report, which serialises
// report writers on PostgreSQL as SQLite's single writer does.
//
//   repo::InsertReport(tx, report);
//   auto open = repo::HasOpenReport(tx, event_id);
//   auto page = repo::ListReports(s, {.status = "pending", .limit = 20});
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/report.hpp"

namespace gatehouse::audit::repo {

void InsertReport(soci::session& s, const Report& report);
std::optional<Report> FindReport(soci::session& s, const std::string& id);
// True when the event has a pending or reviewed report.
bool HasOpenReport(soci::session& s, const std::string& audit_event_id);
// Writes status, reviewed_by, reviewed_at, resolution_notes and updated_at.
void UpdateReport(soci::session& s, const Report& report);

struct ReportFilter {
  std::optional<std::string> user_id;
  std::optional<std::string> status;
  int limit = 20;
  std::int64_t offset = 0;
};
// Newest first.
std::vector<Report> ListReports(soci::session& s, const ReportFilter& filter);
std::int64_t CountReports(soci::session& s, const ReportFilter& filter);

}  // namespace gatehouse::audit::repo
