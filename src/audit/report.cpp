#include "audit/report.hpp"

#include "audit/catalog.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"

namespace gatehouse::audit {

bool IsReportStatus(std::string_view status) {
  for (const char* known : kReportStatuses) {
    if (status == known) return true;
  }
  return false;
}

bool IsReportReason(std::string_view reason) {
  for (const char* known : kReportReasons) {
    if (reason == known) return true;
  }
  return false;
}

bool IsOpenReportStatus(std::string_view status) {
  return status == kReportPending || status == kReportReviewed;
}

bool CanTransition(std::string_view from, std::string_view to) {
  const bool closing = to == kReportResolved || to == kReportDismissed;
  if (from == kReportPending) return to == kReportReviewed || closing;
  if (from == kReportReviewed) return closing;
  return false;  // resolved and dismissed are final
}

boost::json::object ToJson(const Report& r) {
  boost::json::object out;
  out.reserve(11);
  out.emplace("id", r.id);
  out.emplace("auditEventId", r.audit_event_id);
  out.emplace("userId", r.user_id);
  out.emplace("reason", r.reason);
  if (r.description) out.emplace("description", *r.description);
  out.emplace("status", r.status);
  if (r.reviewed_by) out.emplace("reviewedBy", *r.reviewed_by);
  if (r.reviewed_at) out.emplace("reviewedAt", core::JsonTime(*r.reviewed_at));
  if (r.resolution_notes) out.emplace("resolutionNotes", *r.resolution_notes);
  out.emplace("createdAt", core::JsonTime(r.created_at));
  out.emplace("updatedAt", core::JsonTime(r.updated_at));
  return out;
}

}  // namespace gatehouse::audit
