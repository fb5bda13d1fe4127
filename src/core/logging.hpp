// Logging set-up: spdlog to stderr as text for terminals or one JSON object per line, plus an
// "access" logger on stdout that always writes JSON lines (one per request).
//
//   InitLogging({.format = "json", .level = "info"});
//   spdlog::info("listening on http://{}:{}", host, port);
//   AccessLog(R"({"method":"GET",...})");
#pragma once

#include <string>
#include <string_view>

namespace gatehouse::core {

struct LogOptions {
  std::string format = "text";  // text | json
  std::string level = "info";
  bool access_log = true;
};

void InitLogging(const LogOptions& options);

// Writes one already-serialized JSON object as a line to the access log (if enabled).
void AccessLog(std::string_view json_line);
bool AccessLogEnabled();

// Escapes `text` for use inside a JSON string literal.
std::string JsonEscape(std::string_view text);

}  // namespace gatehouse::core
