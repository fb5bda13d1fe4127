#include "audit/export.hpp"

#include <boost/json/serialize.hpp>

#include "core/clock.hpp"

namespace gatehouse::audit {
namespace {

// Keep in step with CsvRow.
constexpr const char* kCsvColumns[] = {
    "id",        "createdAt",    "eventType",   "severity",    "status",       "userId",
    "actorId",   "resourceType", "resourceId",  "description", "errorMessage", "ipAddress",
    "userAgent", "countryCode",  "countryName", "region",      "city",         "sourceService",
    "requestId", "isReported",   "metadata"};

void Append(std::string& line, std::string_view value, bool& first) {
  if (!first) line += ',';
  first = false;
  line += CsvField(value);
}

}  // namespace

std::string CsvField(std::string_view value) {
  std::string cell;
  if (!value.empty() && (value.front() == '=' || value.front() == '+' || value.front() == '-' ||
                         value.front() == '@' || value.front() == '\t' || value.front() == '\r')) {
    cell += '\'';
  }
  cell += value;
  const bool quote = cell.find_first_of(",\"\r\n") != std::string::npos ||
                     (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvHeader() {
  std::string line;
  bool first = true;
  for (const char* column : kCsvColumns) Append(line, column, first);
  return line + "\r\n";
}

std::string CsvRow(const StoredEvent& e) {
  std::string line;
  line.reserve(256);
  bool first = true;
  auto opt = [&](const std::optional<std::string>& value) {
    Append(line, value ? std::string_view(*value) : std::string_view(), first);
  };
  Append(line, e.id, first);
  Append(line, core::FormatIso8601(core::FromUnixMillis(e.created_at)), first);
  Append(line, e.event_type, first);
  Append(line, e.severity, first);
  Append(line, e.status, first);
  opt(e.user_id);
  opt(e.actor_id);
  opt(e.resource_type);
  opt(e.resource_id);
  opt(e.description);
  opt(e.error_message);
  opt(e.ip_address);
  opt(e.user_agent);
  opt(e.country_code);
  opt(e.country_name);
  opt(e.region);
  opt(e.city);
  Append(line, e.source_service, first);
  opt(e.request_id);
  Append(line, e.is_reported ? "true" : "false", first);
  Append(line, e.metadata == "{}" ? std::string_view() : std::string_view(e.metadata), first);
  return line + "\r\n";
}

std::string JsonLine(const StoredEvent& e) { return boost::json::serialize(ToJson(e)) + "\n"; }

}  // namespace gatehouse::audit
