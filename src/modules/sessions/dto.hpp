// JSON shapes of sessions, field for field as seed 001 defines them (ActiveSession,
// ActiveSessionsResponse).
//
//   http::Ok(ActiveSessionsJson(list, principal.session_id), "Sessions Fetched Successfully!");
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "modules/sessions/model.hpp"

namespace gatehouse::modules::sessions {

boost::json::object ActiveSessionJson(const Session& session, const std::string& current);
// {sessions: ActiveSession[], currentSessionId}; `current` empty = null.
boost::json::object ActiveSessionsJson(const std::vector<Session>& sessions,
                                       const std::string& current);

}  // namespace gatehouse::modules::sessions
