// Rendering audit events for export: JSON Lines (one seed 001 AuditEvent object per line) or
// CSV (RFC 4180, with a header row and spreadsheet formula neutralisation).
//
//   std::string body = CsvHeader();
//   for (const auto& e : events) body += CsvRow(e);
//   std::string line = JsonLine(e);                    // "{...}\n"
#pragma once

#include <string>
#include <string_view>

#include "audit/event.hpp"

namespace gatehouse::audit {

// One CSV cell: quoted when it holds a comma, quote, CR or LF or starts or ends with a space
// (quotes doubled). A cell that a spreadsheet would evaluate (starting with =, +, -, @, tab or
// CR) gets a leading apostrophe first (OWASP "CSV injection"): descriptions are client text.
std::string CsvField(std::string_view value);

// Column names, then one line per event, each ending in CRLF.
std::string CsvHeader();
std::string CsvRow(const StoredEvent& event);

std::string JsonLine(const StoredEvent& event);

}  // namespace gatehouse::audit
