// JSON shapes of the users module, field for field as the seeds define them: seed 002's user
// object (camelCase), seed 001's UserProfile, PlatformAccount and UserPermissions (snake_case).
//
//   http::Ok(UserJson(user), "Fetched user.");
//   auto update = ParseUserUpdate(body, /*admin=*/true);   // 400 on unknown or bad fields
#pragma once

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "modules/users/model.hpp"
#include "modules/users/service.hpp"

namespace gatehouse::modules::users {

boost::json::object UserJson(const User& user);
boost::json::object RoleJson(const RoleRef& role);
boost::json::object ProfileJson(const User& user);
boost::json::object AccountJson(const PlatformAccount& account);
boost::json::object PermissionsJson(const AccessProfile& profile);
// What any signed-in user may see of another in a search: no email.
boost::json::object PublicUserJson(const User& user);

// Body of PATCH /v1/user/@me (name, image) or, with `admin`, PATCH /v1/user/users/:identifier
// (also roles, permissions, status). Anything else is a 400.
core::Result<UserUpdate> ParseUserUpdate(std::string_view body, bool admin);

}  // namespace gatehouse::modules::users
