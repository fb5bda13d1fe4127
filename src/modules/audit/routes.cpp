#include "modules/audit/routes.hpp"

#include <boost/json/array.hpp>

#include "audit/catalog.hpp"
#include "audit/input.hpp"
#include "authz/nodes.hpp"
#include "http/deferred.hpp"
#include "http/envelope.hpp"

namespace gatehouse::modules::audit {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace a = gatehouse::audit;
namespace n = authz::nodes;

namespace {

a::ParamLookup Params(const Context& c) {
  return [&c](std::string_view name) { return c.request.Query(name); };
}

// Seed 001 AuditEventPage (+ nextCursor for the createdAt order).
boost::json::object PageJson(const a::EventPage& page,
                             boost::json::object (*event_json)(const a::StoredEvent&)) {
  boost::json::array events;
  events.reserve(page.events.size());
  for (const auto& e : page.events) events.push_back(event_json(e));
  boost::json::object out{{"events", std::move(events)},
                          {"totalCount", page.total_count},
                          {"page", page.page},
                          {"limit", page.limit},
                          {"totalPages", page.total_pages}};
  if (page.next_cursor) out.emplace("nextCursor", *page.next_cursor);
  return out;
}

boost::json::object EventJson(const a::StoredEvent& e) { return a::ToJson(e); }

// Seed 004's SecurityEvent names (type, timestamp, ip) next to the AuditEvent fields.
boost::json::object SecurityEventJson(const a::StoredEvent& e) {
  boost::json::object out = a::ToJson(e);
  out.emplace("type", e.event_type);
  out.emplace("timestamp", e.created_at);
  if (e.ip_address) out.emplace("ip", *e.ip_address);
  return out;
}

boost::json::object ReportResponse(const a::Report& report) {
  return {{"success", true}, {"report", a::ToJson(report)}};
}

boost::json::array CountsJson(const std::vector<a::repo::Count>& counts, const char* key) {
  boost::json::array out;
  for (const auto& c : counts) out.push_back({{key, c.key}, {"count", c.count}});
  return out;
}

core::Result<Response> EventList(a::AuditService& audit, const Context& c, a::QueryScope scope,
                                 const std::string* only_user) {
  auto query = a::ParseEventQuery(Params(c), scope);
  if (!query) return query.error();
  auto page =
      only_user != nullptr ? audit.EventsOf(*only_user, std::move(*query)) : audit.Events(*query);
  if (!page) return page.error();
  return http::Ok(
      PageJson(*page, scope == a::QueryScope::kSecurity ? SecurityEventJson : EventJson),
      scope == a::QueryScope::kSecurity ? "Security Events Fetched Successfully!"
                                        : "Audit Events Fetched Successfully!");
}

}  // namespace

void BindAuditRoutes(http::Router& router, a::AuditService& audit, a::GroupWriter& writer) {
  // --- catalog: what a client needs to render any event ---
  router.Add(Method::kGet, "/v1/audit/catalog", Access::Authenticated(),
             [](Context&) -> core::Result<Response> {
               return http::Ok(a::CatalogJson(), "Audit Catalog Fetched Successfully!");
             });

  // --- activity logs ---
  router.Add(Method::kGet, "/v1/audit/me", Access::Authenticated(),
             [&audit](Context& c) -> core::Result<Response> {
               return EventList(audit, c, a::QueryScope::kOwn, &c.principal.user_id);
             });

  router.Add(Method::kGet, "/v1/audit/users/:id", Access::Authenticated({n::kAuditRead}),
             [&audit](Context& c) -> core::Result<Response> {
               std::string id(c.Param("id"));
               if (id == "@me") id = c.principal.user_id;
               if (id != c.principal.user_id && !c.principal.Can(n::kAuditRead)) {
                 return core::PermissionDenied();
               }
               return EventList(audit, c, a::QueryScope::kOwn, &id);
             });

  router.Add(Method::kGet, "/v1/audit/events", Access::Nodes({n::kAuditRead}),
             [&audit](Context& c) -> core::Result<Response> {
               return EventList(audit, c, a::QueryScope::kAll, nullptr);
             });

  router.Add(Method::kGet, "/v1/audit/events/export", Access::Nodes({n::kAuditRead}),
             [&audit](Context& c) -> core::Result<Response> {
               auto format = a::ParseExportFormat(Params(c));
               if (!format) return format.error();
               auto query = a::ParseEventQuery(Params(c), a::QueryScope::kAll);
               if (!query) return query.error();
               auto exported = audit.Export(std::move(*query), *format);
               if (!exported) return exported.error();
               const bool csv = *format == a::ExportFormat::kCsv;
               Response r;
               r.body = std::move(exported->body);
               r.content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
               r.SetHeader("Content-Disposition",
                           std::string("attachment; filename=\"") +
                               (csv ? "audit-events.csv\"" : "audit-events.jsonl\""));
               r.SetHeader("X-Export-Count", std::to_string(exported->count));
               if (exported->truncated) r.SetHeader("X-Export-Truncated", "true");
               return r;
             });

  // --- logging from clients (group commit: answered once durable) ---
  router.Add(Method::kPost, "/v1/audit/events", Access::Nodes({n::kAuditWrite}),
             [&writer](Context& c) -> core::Result<Response> {
               auto input = a::ParseLogEvent(c.request.body);
               if (!input) return input.error();
               // Answered after the batch's COMMIT, without holding a worker meanwhile.
               auto pending = http::Deferred::Make();
               auto queued = writer.Submit(
                   a::MetaForLoggedEvent(*input, c.Meta()), std::move(input->entry),
                   [pending](core::Result<a::StoredEvent> event) {
                     if (!event) {
                       pending->Complete(std::move(event).error());
                       return;
                     }
                     pending->Complete(
                         http::Ok(a::ToJson(*event), "Audit Event Logged Successfully!", 201));
                   });
               if (!queued) return queued.error();
               return pending->Later();
             });

  // --- reports ---
  router.Add(Method::kPost, "/v1/audit/reports", Access::Authenticated(),
             [&audit](Context& c) -> core::Result<Response> {
               auto input = a::ParseReportInput(c.request.body);
               if (!input) return input.error();
               auto report = audit.ReportEvent(c.principal.user_id, c.Meta(), *input);
               if (!report) return report.error();
               return http::Ok(ReportResponse(*report), "Audit Event Reported Successfully!", 201);
             });

  router.Add(Method::kGet, "/v1/audit/reports/me", Access::Authenticated(),
             [&audit](Context& c) -> core::Result<Response> {
               auto reports = audit.ReportsOf(c.principal.user_id);
               if (!reports) return reports.error();
               boost::json::array data;
               for (const auto& r : *reports) data.push_back(a::ToJson(r));
               return http::Ok(std::move(data), "Audit Reports Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/audit/reports", Access::Nodes({n::kAuditRead}),
             [&audit](Context& c) -> core::Result<Response> {
               auto query = a::ParseReportQuery(Params(c));
               if (!query) return query.error();
               auto page = audit.Reports(*query);
               if (!page) return page.error();
               boost::json::array reports;
               for (const auto& r : page->reports) reports.push_back(a::ToJson(r));
               return http::Ok(boost::json::object{{"reports", std::move(reports)},
                                                   {"totalCount", page->total_count},
                                                   {"page", page->page},
                                                   {"limit", page->limit},
                                                   {"totalPages", page->total_pages}},
                               "Audit Reports Fetched Successfully!");
             });

  router.Add(Method::kPatch, "/v1/audit/reports/:id", Access::Nodes({n::kAuditWrite}),
             [&audit](Context& c) -> core::Result<Response> {
               const std::string id(c.Param("id"));
               auto update = a::ParseReportUpdate(c.request.body, id);
               if (!update) return update.error();
               auto report = audit.UpdateReport(c.principal.user_id, c.Meta(), id, *update);
               if (!report) return report.error();
               return http::Ok(ReportResponse(*report), "Audit Report Updated Successfully!");
             });

  // --- seed 004: security views over the audit log ---
  router.Add(Method::kGet, "/v1/security/events", Access::Nodes({n::kAuditRead}),
             [&audit](Context& c) -> core::Result<Response> {
               return EventList(audit, c, a::QueryScope::kSecurity, nullptr);
             });

  router.Add(Method::kGet, "/v1/security/stats", Access::Nodes({n::kAuditRead}),
             [&audit](Context& c) -> core::Result<Response> {
               auto days = a::ParseStatsDays(Params(c));
               if (!days) return days.error();
               auto stats = audit.Stats(*days);
               if (!stats) return stats.error();
               return http::Ok(
                   boost::json::object{{"byType", CountsJson(stats->by_type, "type")},
                                       {"bySeverity", CountsJson(stats->by_severity, "severity")},
                                       {"byDay", CountsJson(stats->by_day, "date")},
                                       {"total", stats->total},
                                       {"days", stats->days}},
                   "Security Stats Fetched Successfully!");
             });
}

}  // namespace gatehouse::modules::audit
