#include "audit/service.hpp"

#include <algorithm>
#include <map>

#include "audit/catalog.hpp"
#include "audit/event_types.hpp"
#include "audit/export.hpp"
#include "audit/report_repo.hpp"
#include "core/ids.hpp"

namespace gatehouse::audit {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t PagesFor(std::int64_t total, int limit) {
  return limit <= 0 ? 0 : (total + limit - 1) / limit;
}

std::string DayOf(std::int64_t day_index) {
  return core::FormatIso8601(core::FromUnixMillis(day_index * kDayMs)).substr(0, 10);
}

// Reads one page of events. Returns the page's events and whether more follow.
std::pair<std::vector<StoredEvent>, bool> ReadPage(soci::session& s, const EventQuery& q,
                                                   std::int64_t total) {
  repo::EventFilter f = q.filter;
  const int limit = f.limit;
  if (q.cursor) {
    f.after_created_at = q.cursor->created_at;
    f.after_seq = q.cursor->seq;
    f.offset = 0;
    f.limit = limit + 1;  // one more tells whether a next page exists
    auto rows = repo::QueryEvents(s, f);
    const bool more = static_cast<int>(rows.size()) > limit;
    if (more) rows.resize(limit);
    return {std::move(rows), more};
  }
  const std::int64_t offset = (q.page - 1) * static_cast<std::int64_t>(limit);
  if (offset >= total) return {{}, false};
  const bool more = offset + limit < total;
  if (offset > total / 2) {
    // Nearer the end: read the mirror page in the opposite order, so no page skips more than
    // half of the matching rows. (seq breaks every tie, so the reverse order is exact.)
    f.descending = !f.descending;
    const std::int64_t take = std::min<std::int64_t>(limit, total - offset);
    f.offset = total - offset - take;
    f.limit = static_cast<int>(take);
    auto rows = repo::QueryEvents(s, f);
    std::reverse(rows.begin(), rows.end());
    return {std::move(rows), more};
  }
  f.offset = offset;
  return {repo::QueryEvents(s, f), more};
}

}  // namespace

AuditService::AuditService(store::Database& db, const core::Clock& clock, const Recorder& recorder,
                           AuditOptions options)
    : db_(db), clock_(clock), recorder_(recorder), options_(options) {}

core::Result<EventPage> AuditService::Events(const EventQuery& query) {
  EventPage page;
  page.page = query.page;
  page.limit = query.filter.limit;
  if (query.matches_nothing) return page;
  return db_.Read([&](soci::session& s) -> core::Result<EventPage> {
    page.total_count = repo::CountEvents(s, query.filter);
    page.total_pages = PagesFor(page.total_count, page.limit);
    auto [events, more] = ReadPage(s, query, page.total_count);
    page.events = std::move(events);
    if (more && !page.events.empty() && query.filter.sort_column == "created_at") {
      const StoredEvent& last = page.events.back();
      page.next_cursor = EncodeCursor({.created_at = last.created_at, .seq = last.seq});
    }
    return std::move(page);
  });
}

core::Result<EventPage> AuditService::EventsOf(const std::string& user_id, EventQuery query) {
  query.filter.user_id = user_id;
  query.filter.user_search.reset();
  return Events(query);
}

core::Result<Report> AuditService::ReportEvent(const std::string& user_id,
                                               const core::RequestMeta& meta,
                                               const ReportInput& input) {
  return db_.Write([&](soci::session& tx) -> core::Result<Report> {
    // Taken first so two reports of one event cannot both pass the open-report check.
    repo::LockChainHead(tx);
    auto event = repo::FindEvent(tx, input.audit_event_id);
    if (!event || user_id.empty() || event->user_id != user_id) {
      return core::NotFound("Audit event not found", "AuditEventNotFound");
    }
    if (repo::HasOpenReport(tx, event->id)) {
      return core::AlreadyExists("This event already has an open report", "ReportAlreadyExists");
    }
    Report report;
    report.id = core::NewUuidV7();
    report.audit_event_id = event->id;
    report.user_id = user_id;
    report.reason = input.reason;
    report.description = input.description;
    report.created_at = report.updated_at = core::ToUnixMillis(clock_.Now());
    repo::InsertReport(tx, report);
    repo::MarkReported(tx, event->id);
    recorder_.Record(tx, meta,
                     {.event_type = types::kAuditReportCreated,
                      .user_id = user_id,
                      .resource_type = "audit_report",
                      .resource_id = report.id,
                      .description = "Reported an audit event",
                      .metadata = {{"auditEventId", event->id},
                                   {"eventType", event->event_type},
                                   {"reason", report.reason}}});
    return report;
  });
}

core::Result<std::vector<Report>> AuditService::ReportsOf(const std::string& user_id) {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<Report>> {
    repo::ReportFilter filter;
    filter.user_id = user_id;
    filter.limit = options_.my_reports_cap;
    return repo::ListReports(s, filter);
  });
}

core::Result<ReportPage> AuditService::Reports(const ReportQuery& query) {
  return db_.Read([&](soci::session& s) -> core::Result<ReportPage> {
    ReportPage page;
    page.page = query.page;
    page.limit = query.limit;
    repo::ReportFilter filter;
    filter.status = query.status;
    filter.limit = query.limit;
    filter.offset = (query.page - 1) * static_cast<std::int64_t>(query.limit);
    page.total_count = repo::CountReports(s, filter);
    page.total_pages = PagesFor(page.total_count, page.limit);
    if (filter.offset < page.total_count) page.reports = repo::ListReports(s, filter);
    return page;
  });
}

core::Result<Report> AuditService::UpdateReport(const std::string& reviewer_id,
                                                const core::RequestMeta& meta,
                                                const std::string& report_id,
                                                const ReportUpdate& update) {
  return db_.Write([&](soci::session& tx) -> core::Result<Report> {
    repo::LockChainHead(tx);  // serialises reviewers of one report
    auto report = repo::FindReport(tx, report_id);
    if (!report) return core::NotFound("Audit report not found", "ReportNotFound");
    if (!CanTransition(report->status, update.status)) {
      return core::FailedPrecondition(
          "A " + report->status + " report cannot become " + update.status,
          "InvalidReportTransition");
    }
    const std::string from = report->status;
    const std::int64_t now = core::ToUnixMillis(clock_.Now());
    report->status = update.status;
    report->reviewed_by =
        reviewer_id.empty() ? std::nullopt : std::optional<std::string>(reviewer_id);
    report->reviewed_at = now;
    if (update.resolution_notes) report->resolution_notes = update.resolution_notes;
    report->updated_at = now;
    repo::UpdateReport(tx, *report);
    recorder_.Record(
        tx, meta,
        {.event_type = types::kAuditReportUpdated,
         .user_id = report->user_id,
         .resource_type = "audit_report",
         .resource_id = report->id,
         .description = "Audit report " + update.status,
         .metadata = {
             {"auditEventId", report->audit_event_id}, {"from", from}, {"to", update.status}}});
    return std::move(*report);
  });
}

core::Result<SecurityStats> AuditService::Stats(int days) {
  SecurityStats stats;
  stats.days = days;
  const std::int64_t today = core::ToUnixMillis(clock_.Now()) / kDayMs;
  const std::int64_t first_day = today - (days - 1);
  const std::int64_t since = first_day * kDayMs;
  auto counted = db_.Read([&](soci::session& s) -> core::Status {
    stats.by_type = repo::CountBy(s, "event_type", since);
    auto severities = repo::CountBy(s, "severity", since);
    for (const char* severity : kSeverities) {
      std::int64_t n = 0;
      for (const auto& c : severities) {
        if (c.key == severity) n = c.count;
      }
      stats.by_severity.push_back({severity, n});
    }
    std::map<std::int64_t, std::int64_t> per_day;
    for (const auto& c : repo::CountByDay(s, since)) per_day[std::stoll(c.key)] = c.count;
    for (std::int64_t day = first_day; day <= today; ++day) {
      auto it = per_day.find(day);
      stats.by_day.push_back({DayOf(day), it == per_day.end() ? 0 : it->second});
    }
    return {};
  });
  if (!counted) return std::move(counted).error();
  for (const auto& c : stats.by_type) stats.total += c.count;
  return stats;
}

core::Result<ExportResult> AuditService::Export(EventQuery query, ExportFormat format) {
  ExportResult out;
  if (format == ExportFormat::kCsv) out.body = CsvHeader();
  if (query.matches_nothing) return out;
  // Everything that matches (page and limit do not apply), from the cursor if one is given.
  // The createdAt order walks by keyset; any other order by offset.
  const bool keyset = query.filter.sort_column == "created_at";
  std::int64_t offset = 0;
  std::optional<Cursor> cursor = query.cursor;
  while (true) {
    const std::int64_t want =
        std::min<std::int64_t>(options_.export_page, options_.export_cap - out.count + 1);
    repo::EventFilter f = query.filter;
    f.limit = static_cast<int>(want);
    f.offset = offset;
    if (cursor) {
      f.after_created_at = cursor->created_at;
      f.after_seq = cursor->seq;
      f.offset = 0;
    }
    auto rows = db_.Read([&](soci::session& s) -> core::Result<std::vector<StoredEvent>> {
      return repo::QueryEvents(s, f);
    });
    if (!rows) return std::move(rows).error();
    for (const auto& e : *rows) {
      if (out.count == options_.export_cap) {
        out.truncated = true;
        return out;
      }
      out.body += format == ExportFormat::kCsv ? CsvRow(e) : JsonLine(e);
      ++out.count;
    }
    if (static_cast<std::int64_t>(rows->size()) < want || rows->empty()) return out;
    if (keyset) {
      cursor = Cursor{rows->back().created_at, rows->back().seq};
    } else {
      offset += static_cast<std::int64_t>(rows->size());
    }
  }
}

core::Result<VerifyResult> AuditService::Verify() {
  return db_.Read([&](soci::session& s) -> core::Result<VerifyResult> {
    VerifyResult result;
    const repo::ChainHead head = repo::ReadChainHead(s);
    std::int64_t last_seq = 0;
    std::string last_hash = kGenesisHash;
    std::string last_id;
    if (auto checkpoint = repo::LatestCheckpoint(s)) {
      last_seq = checkpoint->last_seq;
      last_hash = checkpoint->last_hash;
    }
    result.from_seq = last_seq;
    auto fail = [&](const StoredEvent* e, std::int64_t seq, std::string reason) {
      result.intact = false;
      result.broken_id = e != nullptr ? e->id : "";
      result.broken_seq = seq;
      result.reason = std::move(reason);
    };
    repo::WalkChain(s, last_seq, [&](const StoredEvent& e) {
      if (e.seq > head.last_seq) return false;  // appended after we read the head
      if (e.seq != last_seq + 1) {
        fail(&e, e.seq,
             "events " + std::to_string(last_seq + 1) + ".." + std::to_string(e.seq - 1) +
                 " are missing before it");
        return false;
      }
      if (e.prev_hash != last_hash) {
        fail(&e, e.seq, "prev_hash does not match the previous event's hash");
        return false;
      }
      if (ChainHash(e.prev_hash, e) != e.hash) {
        fail(&e, e.seq, "hash does not match its contents (the row was changed)");
        return false;
      }
      ++result.checked;
      last_seq = e.seq;
      last_hash = e.hash;
      last_id = e.id;
      return true;
    });
    if (!result.intact) return result;
    if (last_seq < head.last_seq) {
      fail(nullptr, last_seq + 1,
           "the log ends at seq " + std::to_string(last_seq) + " but the chain head is at seq " +
               std::to_string(head.last_seq) + " (events deleted)");
    } else if (last_hash != head.last_hash) {
      result.intact = false;
      result.broken_id = last_id;
      result.broken_seq = last_seq;
      result.reason = "the chain head's hash does not match the last event";
    }
    return result;
  });
}

core::Result<PruneResult> AuditService::Prune(std::int64_t before_ms, bool force) {
  if (!force) {
    auto check = Verify();
    if (!check) return std::move(check).error();
    if (!check->intact) {
      return core::FailedPrecondition("The audit chain is broken at event " +
                                          (check->broken_id.empty() ? "?" : check->broken_id) +
                                          " (seq " + std::to_string(check->broken_seq) + "): " +
                                          check->reason + "; refusing to prune the evidence",
                                      "ChainBroken");
    }
  }
  PruneResult result;
  const std::string checkpoint_id = core::NewUuidV7();
  auto pruned = db_.Write([&](soci::session& tx) -> core::Result<std::int64_t> {
    return repo::Prune(tx, before_ms, core::ToUnixMillis(clock_.Now()), checkpoint_id);
  });
  if (!pruned) return std::move(pruned).error();
  result.pruned = *pruned;
  if (result.pruned > 0) result.checkpoint_id = checkpoint_id;
  return result;
}

}  // namespace gatehouse::audit
