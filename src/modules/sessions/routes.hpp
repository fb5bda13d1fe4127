// HTTP surface of sessions (seed 000): list mine, revoke one, revoke all others, and an
// administrator's view of another user's sessions.
//
//   BindSessionRoutes(router, sessions);
#pragma once

#include "http/router.hpp"
#include "modules/sessions/service.hpp"

namespace gatehouse::modules::sessions {

void BindSessionRoutes(http::Router& router, SessionService& sessions);

}  // namespace gatehouse::modules::sessions
