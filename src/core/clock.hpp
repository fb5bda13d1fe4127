// Time: one clock interface so services can be tested with a fixed time, and the wire format
// for timestamps (ISO 8601 UTC with milliseconds, "2026-02-14T00:00:00.000Z").
//
//   SystemClock clock;
//   std::string stamp = FormatIso8601(clock.Now());
//   auto parsed = ParseIso8601("2024-01-31T23:59:59Z");   // optional<TimePoint>
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::core {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// Milliseconds since the Unix epoch, the form timestamps are stored in.
std::int64_t ToUnixMillis(TimePoint t);
TimePoint FromUnixMillis(std::int64_t ms);

std::string FormatIso8601(TimePoint t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]"; nullopt on anything else.
std::optional<TimePoint> ParseIso8601(std::string_view text);

}  // namespace gatehouse::core
