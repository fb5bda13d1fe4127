// HTTP surface of the audit log (seeds 000/001: Audit Routes and Admin Audit Routes; seed 004:
// security events and stats): activity logs, filtered queries and export, client-logged
// events (through the group-commit writer), reports and their review, the event catalog.
// There is deliberately no route that changes or deletes an event.
//
//   BindAuditRoutes(router, audit_service, audit_writer);
#pragma once

#include "audit/group_writer.hpp"
#include "audit/service.hpp"
#include "http/router.hpp"

namespace gatehouse::modules::audit {

void BindAuditRoutes(http::Router& router, gatehouse::audit::AuditService& audit,
                     gatehouse::audit::GroupWriter& writer);

}  // namespace gatehouse::modules::audit
