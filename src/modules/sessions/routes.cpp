#include "modules/sessions/routes.hpp"

#include <boost/json/array.hpp>

#include "authz/nodes.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/envelope.hpp"

namespace gatehouse::modules::sessions {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {

boost::json::value OptString(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return boost::json::string(*v);
}

std::string Stamp(std::int64_t ms) { return core::FormatIso8601(core::FromUnixMillis(ms)); }

// Seed 001's ActiveSession, field for field.
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

core::Result<Response> ListFor(SessionService& sessions, const std::string& user_id,
                               const std::string& current) {
  auto list = sessions.ListActive(user_id);
  if (!list) return list.error();
  boost::json::array data;
  for (const auto& s : *list) data.push_back(ActiveSessionJson(s, current));
  return http::Ok(
      boost::json::object{{"sessions", std::move(data)},
                          {"currentSessionId", current.empty() ? boost::json::value(nullptr)
                                                               : boost::json::value(current)}},
      "Sessions Fetched Successfully!");
}

}  // namespace

void BindSessionRoutes(http::Router& router, SessionService& sessions) {
  router.Add(Method::kGet, "/v1/sessions", Access::Nodes({n::kSessionRead}),
             [&sessions](Context& c) -> core::Result<Response> {
               return ListFor(sessions, c.principal.user_id, c.principal.session_id);
             });

  router.Add(Method::kGet, "/v1/user/users/:identifier/sessions",
             Access::Authenticated({n::kSessionRead, n::kSessionReadOther}),
             [&sessions](Context& c) -> core::Result<Response> {
               const std::string target(c.Param("identifier"));
               const bool self = target == "@me" || target == c.principal.user_id;
               if (!c.principal.Can(self ? n::kSessionRead : n::kSessionReadOther)) {
                 return core::PermissionDenied();
               }
               return ListFor(sessions, self ? c.principal.user_id : target,
                              self ? c.principal.session_id : std::string());
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
               auto revoked = sessions.Revoke(session_id, reason.value_or("user_initiated"));
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
                   "revoke_others");
               if (!count) return count.error();
               return http::Ok(boost::json::object{{"success", true}, {"revokedCount", *count}},
                               "Sessions Revoked Successfully!");
             });
}

}  // namespace gatehouse::modules::sessions
