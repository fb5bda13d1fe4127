#include "audit/input.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <map>
#include <vector>

#include "audit/catalog.hpp"
#include "audit/report.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "security/base64url.hpp"

namespace gatehouse::audit {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::size_t kMaxEventTypes = 100;

core::Error Bad(std::string_view field, std::string message) {
  return core::Validation({{{std::string(field)}, std::move(message)}});
}

template <std::size_t N>
bool OneOf(std::string_view value, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list),
                     [&](const char* known) { return value == known; });
}

template <std::size_t N>
std::string List(const char* const (&list)[N]) {
  std::string out;
  for (const char* item : list) out += (out.empty() ? "" : ", ") + std::string(item);
  return out;
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

core::Result<std::int64_t> IntParam(const ParamLookup& param, std::string_view name,
                                    std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto text = param(name);
  if (!text) return fallback;
  auto value = ParseInt(*text);
  if (!value) return Bad(name, "Must be an integer");
  if (*value < min || *value > max) {
    return Bad(name, "Must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return *value;
}

// A short free-text parameter: 1..max bytes of valid UTF-8.
core::Result<std::optional<std::string>> TextParam(const ParamLookup& param, std::string_view name,
                                                   std::size_t max) {
  auto text = param(name);
  if (!text) return std::optional<std::string>();
  if (text->empty()) return Bad(name, "Must not be empty");
  if (text->size() > max || !core::Utf8Length(*text)) {
    return Bad(name, "Must be valid UTF-8 of at most " + std::to_string(max) + " bytes");
  }
  return text;
}

// ISO 8601; `end` widens a date to its last millisecond and a whole second to its last
// millisecond, so "endDate=2024-01-31" and "…T23:59:59Z" include everything they name.
core::Result<std::optional<std::int64_t>> DateParam(const ParamLookup& param, std::string_view name,
                                                    bool end) {
  auto text = param(name);
  if (!text) return std::optional<std::int64_t>();
  auto parsed = core::ParseIso8601(*text);
  if (!parsed) return Bad(name, "Must be an ISO 8601 date or date-time");
  std::int64_t ms = core::ToUnixMillis(*parsed);
  if (end) {
    if (text->find('T') == std::string::npos && text->find('t') == std::string::npos) {
      ms += kDayMs - 1;
    } else if (text->find('.') == std::string::npos) {
      ms += 999;
    }
  }
  return std::optional<std::int64_t>(ms);
}

// sortField (seed 000) -> column.
const std::map<std::string, std::string, std::less<>>& SortFields() {
  static const std::map<std::string, std::string, std::less<>> fields = {
      {"createdAt", "created_at"},
      {"eventType", "event_type"},
      {"status", "status"},
      {"userId", "user_id"},
      {"sourceService", "source_service"},
      {"severity", "severity"},
      {"resourceType", "resource_type"}};
  return fields;
}

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

}  // namespace

bool IsEventType(std::string_view type) {
  if (type.empty() || type.size() > 64) return false;
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string EncodeCursor(const Cursor& cursor) {
  return security::Base64UrlEncode("v1." + std::to_string(cursor.created_at) + "." +
                                   std::to_string(cursor.seq));
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  if (text.empty() || text.size() > 128) return std::nullopt;
  auto raw = security::Base64UrlDecode(text);
  if (!raw || !raw->starts_with("v1.")) return std::nullopt;
  std::string_view rest = std::string_view(*raw).substr(3);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto created = ParseInt(rest.substr(0, dot));
  auto seq = ParseInt(rest.substr(dot + 1));
  if (!created || !seq || *created < 0 || *seq < 0) return std::nullopt;
  return Cursor{*created, *seq};
}

core::Result<EventQuery> ParseEventQuery(const ParamLookup& param, QueryScope scope) {
  EventQuery q;
  repo::EventFilter& f = q.filter;
  const bool all = scope == QueryScope::kAll;
  const bool security = scope == QueryScope::kSecurity;

  auto page = IntParam(param, "page", 1, 1, kMaxPage);
  if (!page) return page.error();
  q.page = *page;
  auto limit = IntParam(param, "limit", kDefaultLimit, 1, kMaxLimit);
  if (!limit) return limit.error();
  f.limit = static_cast<int>(*limit);

  // Event types: eventType (security: type) and eventTypes; both given means the one type if
  // the list holds it, else nothing.
  const char* type_name = security ? "type" : "eventType";
  auto type = TextParam(param, type_name, 64);
  if (!type) return type.error();
  if (*type && !IsEventType(**type)) return Bad(type_name, "Must match [a-z0-9_]{1,64}");
  std::vector<std::string> types;
  if (!security) {
    if (auto list = param("eventTypes")) {
      std::string_view rest = *list;
      while (true) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!IsEventType(item)) {
          return Bad("eventTypes", "Must be a comma-separated list of event types");
        }
        if (std::find(types.begin(), types.end(), item) == types.end()) types.emplace_back(item);
        if (types.size() > kMaxEventTypes) {
          return Bad("eventTypes", "At most " + std::to_string(kMaxEventTypes) + " types");
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  }
  if (*type) {
    if (!types.empty() && std::find(types.begin(), types.end(), **type) == types.end()) {
      q.matches_nothing = true;
    }
    f.event_types = {**type};
  } else {
    f.event_types = std::move(types);
  }

  if (all || security) {
    auto user = TextParam(param, "userId", 128);
    if (!user) return user.error();
    f.user_id = std::move(*user);
  }
  if (all) {
    auto search = TextParam(param, "userSearch", 100);
    if (!search) return search.error();
    f.user_search = std::move(*search);
  }
  if (security) {
    auto severity = TextParam(param, "severity", 16);
    if (!severity) return severity.error();
    if (*severity && !OneOf(**severity, kSeverities)) {
      return Bad("severity", "Must be one of: " + List(kSeverities));
    }
    f.severity = std::move(*severity);
  } else {
    auto resource = TextParam(param, "resourceType", 64);
    if (!resource) return resource.error();
    f.resource_type = std::move(*resource);
    auto status = TextParam(param, "status", 16);
    if (!status) return status.error();
    if (*status && **status != "success" && **status != "failure") {
      return Bad("status", "Must be success or failure");
    }
    f.status = std::move(*status);
    auto source = TextParam(param, "sourceService", 32);
    if (!source) return source.error();
    if (*source && !OneOf(**source, kSourceServices)) {
      return Bad("sourceService", "Must be one of: " + List(kSourceServices));
    }
    f.source_service = std::move(*source);
    if (auto reported = param("isReported")) {
      if (*reported == "true" || *reported == "1") {
        f.is_reported = true;
      } else if (*reported == "false" || *reported == "0") {
        f.is_reported = false;
      } else {
        return Bad("isReported", "Must be true or false");
      }
    }
  }

  auto start = DateParam(param, "startDate", /*end=*/false);
  if (!start) return start.error();
  auto end = DateParam(param, "endDate", /*end=*/true);
  if (!end) return end.error();
  if (*start && *end && **start > **end) return Bad("endDate", "Must not be before startDate");
  f.start_ms = *start;
  f.end_ms = *end;

  if (!security) {
    if (auto field = param("sortField")) {
      auto it = SortFields().find(*field);
      if (it == SortFields().end()) {
        return Bad("sortField",
                   "Must be one of: createdAt, eventType, status, userId, sourceService, "
                   "severity, resourceType");
      }
      f.sort_column = it->second;
    }
    if (auto direction = param("sortDirection")) {
      if (*direction == "asc") {
        f.descending = false;
      } else if (*direction == "desc") {
        f.descending = true;
      } else {
        return Bad("sortDirection", "Must be asc or desc");
      }
    }
  }

  if (auto cursor = param("cursor")) {
    if (f.sort_column != "created_at") return Bad("cursor", "Only with sortField createdAt");
    q.cursor = DecodeCursor(*cursor);
    if (!q.cursor) return Bad("cursor", "Not a cursor this server issued");
  }
  return q;
}

core::Result<LogEventInput> ParseLogEvent(std::string_view body) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  LogEventInput out;
  Entry& e = out.entry;
  auto user = in.OptionalString("userId", {.min = 1, .max = 128});
  auto type = in.RequiredString("eventType", {.min = 1, .max = 64});
  auto resource_type = in.OptionalString("resourceType", {.min = 1, .max = 64});
  auto resource_id = in.OptionalString("resourceId", {.min = 1, .max = 256});
  out.actor_id = in.OptionalString("actorId", {.min = 1, .max = 128});
  auto description = in.OptionalString("description", {.max = 1000});
  const boost::json::value* metadata = in.OptionalValue("metadata");
  out.ip_address = in.OptionalString("ipAddress", {.min = 1, .max = 64});
  out.user_agent = in.OptionalString("userAgent", {.max = 512});
  auto status = in.OptionalString("status", {.min = 1, .max = 16});
  auto error = in.OptionalString("errorMessage", {.max = 1000});
  out.source_service = in.OptionalString("sourceService", {.min = 1, .max = 32});

  if (type && !IsEventType(*type)) in.Fail({"eventType"}, "Must match [a-z0-9_]{1,64}");
  if (metadata != nullptr && !metadata->is_null()) {
    if (!metadata->is_object()) {
      in.Fail({"metadata"}, "Must be an object");
    } else if (boost::json::serialize(*metadata).size() > kMaxMetadataBytes) {
      in.Fail({"metadata"}, "Must be at most 16 KiB when serialized");
    } else {
      e.metadata = metadata->as_object();
    }
  }
  if (out.ip_address && !IsIpAddress(*out.ip_address)) {
    in.Fail({"ipAddress"}, "Must be an IPv4 or IPv6 address");
  }
  if (status && *status != "success" && *status != "failure") {
    in.Fail({"status"}, "Must be success or failure");
  }
  if (out.source_service && !OneOf(*out.source_service, kSourceServices)) {
    in.Fail({"sourceService"}, "Must be one of: " + List(kSourceServices));
  }
  if (auto finished = in.Finish(); !finished) return std::move(finished).error();

  e.event_type = *type;
  e.user_id = user.value_or("");
  e.resource_type = resource_type.value_or("");
  e.resource_id = resource_id.value_or("");
  e.description = description.value_or("");
  e.success = status.value_or("success") == "success";
  e.error_message = error.value_or("");
  return out;
}

core::RequestMeta MetaForLoggedEvent(const LogEventInput& input, core::RequestMeta caller) {
  if (input.actor_id) caller.actor_id = *input.actor_id;
  if (input.ip_address) caller.ip_address = *input.ip_address;
  if (input.user_agent) caller.user_agent = *input.user_agent;
  caller.source_service = input.source_service.value_or("api");
  return caller;
}

core::Result<ReportInput> ParseReportInput(std::string_view body) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  auto event = in.RequiredString("auditEventId", {.min = 1, .max = 128});
  auto reason = in.RequiredString("reason", {.min = 1, .max = 32});
  auto description = in.OptionalString("description", {.max = 2000});
  if (reason && !IsReportReason(*reason)) {
    in.Fail({"reason"}, "Must be one of: " + List(kReportReasons));
  }
  if (auto finished = in.Finish(); !finished) return std::move(finished).error();
  return ReportInput{*event, *reason, description};
}

core::Result<ReportUpdate> ParseReportUpdate(std::string_view body, std::string_view report_id) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  auto id = in.OptionalString("reportId", {.min = 1, .max = 128});
  auto status = in.RequiredString("status", {.min = 1, .max = 16});
  auto notes = in.OptionalString("resolutionNotes", {.max = 2000});
  if (id && *id != report_id) in.Fail({"reportId"}, "Must match the report id in the path");
  if (status && *status != kReportReviewed && *status != kReportResolved &&
      *status != kReportDismissed) {
    in.Fail({"status"}, "Must be one of: reviewed, resolved, dismissed");
  }
  if (auto finished = in.Finish(); !finished) return std::move(finished).error();
  return ReportUpdate{*status, notes};
}

core::Result<ReportQuery> ParseReportQuery(const ParamLookup& param) {
  ReportQuery q;
  auto page = IntParam(param, "page", 1, 1, kMaxPage);
  if (!page) return page.error();
  q.page = *page;
  auto limit = IntParam(param, "limit", kDefaultLimit, 1, kMaxLimit);
  if (!limit) return limit.error();
  q.limit = static_cast<int>(*limit);
  if (auto status = param("status")) {
    if (!IsReportStatus(*status)) {
      return Bad("status", "Must be one of: " + List(kReportStatuses));
    }
    q.status = std::move(*status);
  }
  return q;
}

core::Result<int> ParseStatsDays(const ParamLookup& param) {
  auto days = IntParam(param, "days", 7, 1, 366);
  if (!days) return days.error();
  return static_cast<int>(*days);
}

core::Result<ExportFormat> ParseExportFormat(const ParamLookup& param) {
  auto format = param("format");
  if (!format || *format == "jsonl") return ExportFormat::kJsonl;
  if (*format == "csv") return ExportFormat::kCsv;
  return Bad("format", "Must be jsonl or csv");
}

}  // namespace gatehouse::audit
