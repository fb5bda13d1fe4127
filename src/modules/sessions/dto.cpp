#include "modules/sessions/dto.hpp"

#include <boost/json/array.hpp>

#include "core/clock.hpp"

namespace gatehouse::modules::sessions {
namespace {

boost::json::value OptString(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return boost::json::string(*v);
}

std::string Stamp(std::int64_t ms) { return core::FormatIso8601(core::FromUnixMillis(ms)); }

}  // namespace

boost::json::object ActiveSessionJson(const Session& s, const std::string& current) {
  return {{"id", s.id},
          {"ipAddress", OptString(s.ip_address)},
          {"userAgent", OptString(s.user_agent)},
          {"deviceType", OptString(s.device_type)},
          {"browserName", OptString(s.browser_name)},
          {"osName", OptString(s.os_name)},
          {"provider", s.provider},
          {"providerName", ProviderDisplayName(s.provider)},
          {"lastActivityAt", Stamp(s.last_activity_at)},
          {"createdAt", Stamp(s.created_at)},
          {"expiresAt", Stamp(s.expires_at)},
          {"isCurrent", !current.empty() && s.id == current}};
}



boost::json::object ActiveSessionsJson(const std::vector<Session>& sessions,
                                       const std::string& current) {
  boost::json::array data;
  for (const auto& s : sessions) data.push_back(ActiveSessionJson(s, current));
  return {{"sessions", std::move(data)},
          {"currentSessionId",
           current.empty() ? boost::json::value(nullptr) : boost::json::value(current)}};
}

}  // namespace gatehouse::modules::sessions
