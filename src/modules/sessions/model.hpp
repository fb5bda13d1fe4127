// Login sessions as the sessions module hands them out.
//
//   Result<std::vector<Session>> mine = sessions.ListActive(user_id);
//   for (const Session& s : *mine) ... s.device_type, s.expires_at ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gatehouse::modules::sessions {

struct Session {
  std::string id;
  std::string user_id;
  std::string provider = "email";
  std::optional<std::string> ip_address;
  std::optional<std::string> user_agent;
  std::optional<std::string> device_type;
  std::optional<std::string> browser_name;
  std::optional<std::string> os_name;
  std::int64_t created_at = 0;  // Unix ms
  std::int64_t last_activity_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::string> revoked_reason;
};

// Where a login or refresh came from, recorded on the session.
struct ClientInfo {
  std::string ip_address;
  std::string user_agent;
};

// Display name for a provider slug: "email" -> "Email", "discord" -> "Discord".
std::string ProviderDisplayName(std::string_view provider);

}  // namespace gatehouse::modules::sessions
