// The report workflow: pending -> reviewed -> resolved | dismissed, never back.
#include "audit/report.hpp"

#include <gtest/gtest.h>

namespace gatehouse::audit {
namespace {

TEST(ReportTransitions, FollowTheWorkflowOnly) {
  struct Row {
    const char* from;
    const char* to;
    bool allowed;
  };
  const Row rows[] = {
      {"pending", "reviewed", true},    {"pending", "resolved", true},
      {"pending", "dismissed", true},   {"pending", "pending", false},
      {"reviewed", "resolved", true},   {"reviewed", "dismissed", true},
      {"reviewed", "reviewed", false},  {"reviewed", "pending", false},
      {"resolved", "reviewed", false},  {"resolved", "dismissed", false},
      {"resolved", "pending", false},   {"resolved", "resolved", false},
      {"dismissed", "resolved", false}, {"dismissed", "reviewed", false},
      {"dismissed", "pending", false},  {"pending", "deleted", false},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(CanTransition(row.from, row.to), row.allowed) << row.from << " -> " << row.to;
  }
  EXPECT_TRUE(IsOpenReportStatus("pending"));
  EXPECT_TRUE(IsOpenReportStatus("reviewed"));
  EXPECT_FALSE(IsOpenReportStatus("resolved"));
  EXPECT_FALSE(IsOpenReportStatus("dismissed"));
}

TEST(ReportJson, IsSeedZeroZeroOneAuditEventReport) {
  Report r;
  r.id = "r1";
  r.audit_event_id = "e1";
  r.user_id = "u1";
  r.reason = "not_me";
  r.created_at = r.updated_at = 0;
  auto json = ToJson(r);
  EXPECT_EQ(json.size(), 7u);  // absent optionals are omitted
  EXPECT_EQ(json.at("auditEventId"), "e1");
  EXPECT_EQ(json.at("status"), "pending");
  EXPECT_EQ(json.at("createdAt"), "1970-01-01T00:00:00.000Z");
  r.description = "d";
  r.reviewed_by = "admin";
  r.reviewed_at = 1000;
  r.resolution_notes = "n";
  json = ToJson(r);
  EXPECT_EQ(json.size(), 11u);
  EXPECT_EQ(json.at("reviewedAt"), "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(json.at("resolutionNotes"), "n");
}

}  // namespace
}  // namespace gatehouse::audit
