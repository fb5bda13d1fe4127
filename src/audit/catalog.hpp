// The audit event catalog (seed 001's "Audit Event Constants & Utilities"): for every event type
// the server emits, its label, category, icon and severity, plus the category colours, the
// failure colour and the filter options a client needs to render an activity log without
// hard-coding any of it. Served by GET /v1/audit/catalog.
//
//   const EventTypeInfo& info = Describe("login");     // {"Signed in", "security", "LogIn", "low"}
//   std::string color = EventColor("login_failed", /*failed=*/true);   // "text-[var(--error)]"
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::audit {

struct EventTypeInfo {
  std::string type;
  std::string label;
  std::string category;  // security | account | sessions | oauth
  std::string icon;      // lucide icon name
  std::string severity;  // critical | high | medium | low (seed 004)
};

const std::vector<EventTypeInfo>& EventTypes();
// Known types get their entry; any other type (custom events) a generic one.
EventTypeInfo Describe(std::string_view type);
std::string EventColor(std::string_view type, bool failed);

inline constexpr const char* kSeverities[] = {"critical", "high", "medium", "low"};
inline constexpr const char* kSourceServices[] = {"api",      "id",          "backend",
                                                  "policies", "discord_bot", "twitch_bot"};
inline constexpr const char* kReportReasons[] = {"not_me", "suspicious", "unknown_device",
                                                 "unknown_location", "other"};

boost::json::object CatalogJson();

}  // namespace gatehouse::audit
