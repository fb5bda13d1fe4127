// The audit log's rules, without HTTP: event queries (page numbers, keyset cursors, a deep page
// read from whichever end is nearer), user reports and their review workflow, the security
// views of seed 004, export, and the tamper-evidence checks behind `gatehouse audit verify` and
// `gatehouse audit prune`. Every report change records its own audit event in the same
// transaction. Events themselves are only appended (Recorder, GroupWriter): nothing here
// updates or deletes one, except Prune, which leaves a checkpoint so verification still holds.
//
//   AuditService audit(db, clock, recorder);
//   auto page = audit.Events(*ParseEventQuery(lookup, QueryScope::kAll));
//   auto report = audit.ReportEvent(user_id, meta, {.audit_event_id = id, .reason = "not_me"});
//   auto check = audit.Verify();    // check->intact, check->broken_id
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/event.hpp"
#include "audit/input.hpp"
#include "audit/recorder.hpp"
#include "audit/repo.hpp"
#include "audit/report.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/request_meta.hpp"
#include "store/database.hpp"

namespace gatehouse::audit {

struct AuditOptions {
  std::int64_t export_cap = 100'000;  // events per export; more sets ExportResult::truncated
  int export_page = 1000;             // events read per query while exporting
  int my_reports_cap = 1000;          // GET /v1/audit/reports/me: the newest this many
};

// Seed 001 AuditEventPage, plus the keyset cursor of the next page (createdAt order only).
struct EventPage {
  std::vector<StoredEvent> events;
  std::int64_t total_count = 0;
  std::int64_t page = 1;
  int limit = kDefaultLimit;
  std::int64_t total_pages = 0;
  std::optional<std::string> next_cursor;
};

// Seed 001 AuditReportPage.
struct ReportPage {
  std::vector<Report> reports;
  std::int64_t total_count = 0;
  std::int64_t page = 1;
  int limit = kDefaultLimit;
  std::int64_t total_pages = 0;
};

struct SecurityStats {
  int days = 7;
  std::vector<repo::Count> by_type;      // most frequent first
  std::vector<repo::Count> by_severity;  // critical, high, medium, low (zeros included)
  std::vector<repo::Count> by_day;       // "YYYY-MM-DD", oldest first, every day of the window
  std::int64_t total = 0;
};

struct ExportResult {
  std::string body;
  std::int64_t count = 0;
  bool truncated = false;  // more events matched than AuditOptions::export_cap
};

struct VerifyResult {
  bool intact = true;
  std::int64_t checked = 0;   // events whose links were recomputed
  std::int64_t from_seq = 0;  // where the walk started (the latest checkpoint, or 0: genesis)
  // The first broken link, when !intact: the event (empty id when events are missing at the
  // end of the log), its chain position, and what is wrong with it.
  std::string broken_id;
  std::int64_t broken_seq = 0;
  std::string reason;
};

struct PruneResult {
  std::int64_t pruned = 0;
  std::string checkpoint_id;  // empty when nothing was old enough
};

class AuditService {
 public:
  AuditService(store::Database& db, const core::Clock& clock, const Recorder& recorder,
               AuditOptions options = {});

  core::Result<EventPage> Events(const EventQuery& query);
  // The same, restricted to one user's activity log.
  core::Result<EventPage> EventsOf(const std::string& user_id, EventQuery query);

  // Files a report about one of `user_id`'s own events: 404 AuditEventNotFound for anyone
  // else's (or no) event, 409 ReportAlreadyExists while another is pending or reviewed.
  core::Result<Report> ReportEvent(const std::string& user_id, const core::RequestMeta& meta,
                                   const ReportInput& input);
  core::Result<std::vector<Report>> ReportsOf(const std::string& user_id);
  core::Result<ReportPage> Reports(const ReportQuery& query);
  // Moves a report along the workflow (report.hpp): 404 ReportNotFound, 409
  // InvalidReportTransition. `reviewer_id` is recorded as reviewedBy ("" = none: root key).
  core::Result<Report> UpdateReport(const std::string& reviewer_id, const core::RequestMeta& meta,
                                    const std::string& report_id, const ReportUpdate& update);

  // Counts over the last `days` calendar days (UTC), today included.
  core::Result<SecurityStats> Stats(int days);

  core::Result<ExportResult> Export(EventQuery query, ExportFormat format);

  // Walks the chain from the latest checkpoint (or genesis) recomputing every hash.
  core::Result<VerifyResult> Verify();
  // Deletes events created before `before_ms` and records a checkpoint. Refuses (409
  // ChainBroken, naming the event) while verification fails, unless `force`.
  core::Result<PruneResult> Prune(std::int64_t before_ms, bool force);

 private:
  store::Database& db_;
  const core::Clock& clock_;
  const Recorder& recorder_;
  AuditOptions options_;
};

}  // namespace gatehouse::audit
