#include "modules/sessions/routes.hpp"

#include <boost/json/array.hpp>

#include "authz/nodes.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/envelope.hpp"
#include "modules/sessions/dto.hpp"

namespace gatehouse::modules::sessions {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {

}  // namespace

void BindSessionRoutes(http::Router& router, SessionService& sessions) {
  router.Add(Method::kGet, "/v1/sessions", Access::Nodes({n::kSessionRead}),
             [&sessions](Context& c) -> core::Result<Response> {
               auto list = sessions.ListActive(c.principal.user_id);
               if (!list) return list.error();
               return http::Ok(ActiveSessionsJson(*list, c.principal.session_id),
                               "Sessions Fetched Successfully!");
             });

  // {sessionToken | sessionId, reason} -> {success}: the session id as listed. Someone else's
  // session needs session.revoke.other; otherwise it is reported as not found.
  router.Add(Method::kPost, "/v1/sessions/revoke",
             Access::Nodes({n::kSessionRevoke}, {n::kSessionRevokeOther}),
             [&sessions](Context& c) -> core::Result<Response> {
               auto body = core::ParseJsonObject(c.request.body);
               if (!body) return body.error();
               core::FieldReader in(*body);
               auto token = in.OptionalString("sessionToken", {.min = 1, .max = 200});
               auto id = in.OptionalString("sessionId", {.min = 1, .max = 200});
               auto reason = in.OptionalString("reason", {.min = 1, .max = 100});
               if (!token && !id && !in.Has("sessionToken") && !in.Has("sessionId")) {
                 in.Fail({"sessionId"}, "Field is required");
               }
               if (auto status = in.Finish(); !status) return std::move(status).error();
               const std::string session_id = id ? *id : *token;

               auto session = sessions.Get(session_id);
               if (!session) return session.error();
               if (session->user_id != c.principal.user_id &&
                   !c.principal.Can(n::kSessionRevokeOther)) {
                 return core::NotFound("Session not found", "SessionNotFound");
               }
               auto revoked =
                   sessions.Revoke(session_id, reason.value_or("user_initiated"), c.Meta());
               if (!revoked) return revoked.error();
               return http::Ok(boost::json::object{{"success", true}},
                               "Session Revoked Successfully!");
             });

  router.Add(Method::kPost, "/v1/sessions/revoke-others", Access::Nodes({n::kSessionRevoke}),
             [&sessions](Context& c) -> core::Result<Response> {
               auto body = core::ParseJsonObject(c.request.body, /*allow_empty=*/true);
               if (!body) return body.error();
               core::FieldReader in(*body);
               auto keep = in.OptionalString("currentSessionId", {.min = 1, .max = 200});
               if (auto status = in.Finish(); !status) return std::move(status).error();
               std::string kept = keep.value_or(c.principal.session_id);
               if (kept != c.principal.session_id) {
                 auto session = sessions.Get(kept);
                 if (!session || session->user_id != c.principal.user_id) {
                   return core::Validation({{{"currentSessionId"}, "Not one of your sessions"}});
                 }
               }
               auto count = sessions.RevokeAllForUser(
                   c.principal.user_id,
                   kept.empty() ? std::nullopt : std::optional<std::string>(kept),
                   "revoke_others", c.Meta());
               if (!count) return count.error();
               return http::Ok(boost::json::object{{"success", true}, {"revokedCount", *count}},
                               "Sessions Revoked Successfully!");
             });
}

}  // namespace gatehouse::modules::sessions
