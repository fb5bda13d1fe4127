#include "modules/sessions/dto.hpp"

#include <boost/json/array.hpp>

#include "core/json.hpp"

namespace gatehouse::modules::sessions {

boost::json::object ActiveSessionJson(const Session& s, const std::string& current) {
  return {{"id", s.id},
          {"ipAddress", core::JsonOptional(s.ip_address)},
          {"userAgent", core::JsonOptional(s.user_agent)},
          {"deviceType", core::JsonOptional(s.device_type)},
          {"browserName", core::JsonOptional(s.browser_name)},
          {"osName", core::JsonOptional(s.os_name)},
          {"provider", s.provider},
          {"providerName", ProviderDisplayName(s.provider)},
          {"lastActivityAt", core::JsonTime(s.last_activity_at)},
          {"createdAt", core::JsonTime(s.created_at)},
          {"expiresAt", core::JsonTime(s.expires_at)},
          {"isCurrent", !current.empty() && s.id == current}};
}



boost::json::object ActiveSessionsJson(const std::vector<Session>& sessions,
                                       const std::string& current) {
  boost::json::array data;
  data.reserve(sessions.size());
  for (const auto& s : sessions) data.emplace_back(ActiveSessionJson(s, current));
  return {{"sessions", std::move(data)},
          {"currentSessionId",
           current.empty() ? boost::json::value(nullptr) : boost::json::value(current)}};
}

}  // namespace gatehouse::modules::sessions
