#include "modules/users/routes.hpp"

#include <boost/json/array.hpp>

#include "authz/matcher.hpp"
#include "authz/nodes.hpp"
#include "core/json.hpp"
#include "http/envelope.hpp"
#include "http/query.hpp"
#include "modules/sessions/dto.hpp"
#include "modules/users/dto.hpp"

namespace gatehouse::modules::users {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {

// The target of a ":identifier" route: the caller themself ("@me" or their own id), or someone
// else, for whom `other_node` is required before we even say whether they exist.
core::Result<User> TargetUser(UserService& users, const Context& c, const char* other_node) {
  const std::string identifier(c.Param("identifier"));
  if (identifier == "@me" || identifier == c.principal.user_id) {
    return users.Get(c.principal.user_id);
  }
  if (!c.principal.Can(other_node)) return core::PermissionDenied();
  return users.FindByIdentifier(identifier);
}

// {"permissions": ["a.b", ...]} -> [{"permission","hasPermission"}] for `who`.
core::Result<Response> CheckPermissions(const Context& c, const core::Principal& who) {
  auto body = core::ParseJsonObject(c.request.body);
  if (!body) return body.error();
  core::FieldReader in(*body);
  auto wanted = in.RequiredStringArray("permissions", 100, {.min = 1, .max = 200});
  if (auto status = in.Finish(); !status) return std::move(status).error();
  std::vector<core::FieldError> problems;
  for (std::size_t i = 0; i < wanted->size(); ++i) {
    if (!authz::IsValidNode((*wanted)[i])) {
      problems.push_back({{"permissions", std::to_string(i)}, "Invalid permission node"});
    }
  }
  if (!problems.empty()) return core::Validation(std::move(problems));
  boost::json::array results;
  for (const auto& node : *wanted) {
    results.push_back({{"permission", node}, {"hasPermission", who.Can(node)}});
  }
  return http::Ok(boost::json::object{{"results", std::move(results)}},
                  "Permission check completed.");
}

}  // namespace

void BindUserRoutes(http::Router& router, UserService& users, sessions::SessionService& sessions) {
  // --- the caller (seed 002) ---
  router.Add(Method::kGet, "/v1/user/@me", Access::Nodes({n::kUserRead}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = users.Get(c.principal.user_id);
               if (!user) return user.error();
               return http::Ok(UserJson(*user), "Fetched user.");
             });

  router.Add(Method::kPatch, "/v1/user/@me", Access::Nodes({n::kUserWrite}),
             [&users](Context& c) -> core::Result<Response> {
               auto update = ParseUserUpdate(c.request.body, /*admin=*/false);
               if (!update) return update.error();
               auto user = users.UpdateSelf(c.principal.user_id, *update, c.Meta());
               if (!user) return user.error();
               return http::Ok(UserJson(*user), "Successfully updated user.");
             });

  router.Add(Method::kPost, "/v1/user/@me/check-permission", Access::Nodes({n::kUserRead}),
             [&users](Context& c) -> core::Result<Response> {
               return CheckPermissions(c, c.principal);
             });

  // --- other users (seed 002) ---
  router.Add(Method::kGet, "/v1/user/users", Access::Nodes({n::kUserReadOther, n::kUserListOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto page = http::QueryInt(c.request, "page", 1, 1, 1000000);
               if (!page) return page.error();
               auto rpp = http::QueryInt(c.request, "rpp", 30, 1, 100);
               if (!rpp) return rpp.error();
               auto search = http::QueryString(c.request, "search", 200);
               if (!search) return search.error();
               auto result = users.List(*search, static_cast<int>(*page), static_cast<int>(*rpp));
               if (!result) return result.error();
               boost::json::array data;
               for (const auto& user : result->users) data.push_back(UserJson(user));
               const std::int64_t total_pages = (result->total + *rpp - 1) / *rpp;
               return http::OkPaged(std::move(data), "Users Fetched Successfully!",
                                    {.current_page = *page,
                                     .total_pages = total_pages,
                                     .total_records = result->total,
                                     .listed_records = static_cast<std::int64_t>(
                                         result->users.size())});
             });

  router.Add(Method::kGet, "/v1/user/users/:identifier", Access::Nodes({n::kUserReadOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = users.FindByIdentifier(std::string(c.Param("identifier")));
               if (!user) return user.error();
               return http::Ok(UserJson(*user), "User Fetched Successfully!");
             });

  router.Add(Method::kPatch, "/v1/user/users/:identifier",
             Access::Nodes({n::kUserWriteOther},
                           {n::kUserRolesOther, n::kUserPermissionsOther, n::kUserBanOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto update = ParseUserUpdate(c.request.body, /*admin=*/true);
               if (!update) return update.error();
               auto user =
                   users.Update(c.principal, std::string(c.Param("identifier")), *update, c.Meta());
               if (!user) return user.error();
               return http::Ok(UserJson(*user), "User Updated Successfully!");
             });

  router.Add(Method::kDelete, "/v1/user/users/:identifier", Access::Nodes({n::kUserDeleteOther}),
             [&users](Context& c) -> core::Result<Response> {
               const std::string identifier(c.Param("identifier"));
               if (identifier == c.principal.user_id || identifier == "@me") {
                 return core::FailedPrecondition("You cannot delete your own account here.",
                                                 "CannotDeleteSelf");
               }
               auto user = users.Delete(c.principal, identifier, c.Meta());
               if (!user) return user.error();
               return http::Ok(UserJson(*user), "User Deleted Successfully!");
             });

  router.Add(Method::kGet, "/v1/user/users/:identifier/roles",
             Access::Nodes({n::kUserReadOther, n::kRoleRead}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = users.FindByIdentifier(std::string(c.Param("identifier")));
               if (!user) return user.error();
               boost::json::array roles;
               for (const auto& role : user->roles) roles.push_back(RoleJson(role));
               return http::Ok(std::move(roles), "User Roles Fetched Successfully!");
             });

  router.Add(Method::kPost, "/v1/user/users/:identifier/check-permission",
             Access::Nodes({n::kUserReadOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = users.FindByIdentifier(std::string(c.Param("identifier")));
               if (!user) return user.error();
               auto profile = users.Access(user->id);
               if (!profile) return profile.error();
               core::Principal target;
               target.kind = core::Principal::Kind::kUser;
               target.user_id = user->id;
               target.permissions = (*profile)->grants;
               return CheckPermissions(c, target);
             });

  // --- seeds 000/001: a user reads their own; others need user.read.other ---
  router.Add(Method::kGet, "/v1/user/users/:identifier/profile",
             Access::Authenticated({n::kUserReadOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = TargetUser(users, c, n::kUserReadOther);
               if (!user) return user.error();
               return http::Ok(ProfileJson(*user), "Profile Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/user/users/:identifier/permissions",
             Access::Authenticated({n::kUserReadOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = TargetUser(users, c, n::kUserReadOther);
               if (!user) return user.error();
               auto profile = users.Access(user->id);
               if (!profile) return profile.error();
               return http::Ok(PermissionsJson(**profile), "Permissions Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/user/users/:identifier/accounts",
             Access::Authenticated({n::kUserReadOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = TargetUser(users, c, n::kUserReadOther);
               if (!user) return user.error();
               auto accounts = users.Accounts(user->id);
               if (!accounts) return accounts.error();
               boost::json::array data;
               for (const auto& account : *accounts) data.push_back(AccountJson(account));
               return http::Ok(std::move(data), "Accounts Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/user/users/:identifier/exists",
             Access::Authenticated({n::kUserReadOther}),
             [&users](Context& c) -> core::Result<Response> {
               auto user = TargetUser(users, c, n::kUserReadOther);
               if (!user && user.error().code != core::ErrorCode::kNotFound) return user.error();
               return http::Ok(boost::json::object{{"exists", user.ok()}}, "User Checked!");
             });

  // Seed 000 getActiveSessions(userId): own sessions with session.read, others' with
  // session.read.other; currentSessionId is only set for one's own list.
  router.Add(Method::kGet, "/v1/user/users/:identifier/sessions",
             Access::Authenticated({n::kSessionRead, n::kSessionReadOther}),
             [&users, &sessions](Context& c) -> core::Result<Response> {
               const std::string identifier(c.Param("identifier"));
               const bool self = identifier == "@me" || identifier == c.principal.user_id;
               if (self && !c.principal.Can(n::kSessionRead)) return core::PermissionDenied();
               auto user = TargetUser(users, c, n::kSessionReadOther);
               if (!user) return user.error();
               auto list = sessions.ListActive(user->id);
               if (!list) return list.error();
               const bool mine = user->id == c.principal.user_id;
               return http::Ok(
                   sessions::ActiveSessionsJson(*list, mine ? c.principal.session_id : ""),
                   "Sessions Fetched Successfully!");
             });

  // --- seed 004: search by name, login or email; answers public fields only ---
  router.Add(Method::kGet, "/v1/user/search", Access::Nodes({n::kUserSearch}),
             [&users](Context& c) -> core::Result<Response> {
               auto query = http::QueryString(c.request, "query", 100);
               if (!query) return query.error();
               if (query->size() < 2) {
                 return core::Validation({{{"query"}, "Must be at least 2 characters"}});
               }
               auto limit = http::QueryInt(c.request, "limit", 20, 1, 100);
               if (!limit) return limit.error();
               auto result = users.List(*query, 1, static_cast<int>(*limit));
               if (!result) return result.error();
               boost::json::array data;
               for (const auto& user : result->users) data.push_back(PublicUserJson(user));
               return http::Ok(std::move(data), "Users Found!");
             });
}

}  // namespace gatehouse::modules::users
