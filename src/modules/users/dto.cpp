#include "modules/users/dto.hpp"

#include <boost/json/array.hpp>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace gatehouse::modules::users {
namespace {

// Images are shown by browsers: only http(s) URLs, never javascript: or data:.
bool IsImageUrl(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

}  // namespace

boost::json::object UserJson(const User& user) {
  boost::json::array roles;
  for (const auto& role : user.roles) roles.emplace_back(role.moniker);
  return {{"id", user.id},
          {"name", core::JsonOptional(user.name)},
          {"email", user.email},
          {"login", core::JsonOptional(user.login)},
          {"image", core::JsonOptional(user.image)},
          {"roles", std::move(roles)},
          {"status", StatusName(user.status)},
          {"createdAt", core::JsonTime(user.created_at)},
          {"updatedAt", core::JsonTime(user.updated_at)}};
}

boost::json::object RoleJson(const RoleRef& role) {
  return {{"id", role.id},
          {"title", role.title},
          {"moniker", role.moniker},
          {"permissions", core::JsonStrings(role.permissions)}};
}

boost::json::object ProfileJson(const User& user) {
  return {{"name", core::JsonOptional(user.name)},
          {"picture", core::JsonOptional(user.image)},
          {"provider", user.primary_provider},
          {"primary_provider", user.primary_provider},
          {"last_login_at", core::JsonOptionalTime(user.last_login_at)},
          {"created_at", core::JsonTime(user.created_at)}};
}

boost::json::object AccountJson(const PlatformAccount& a) {
  std::string name = a.platform_slug;
  if (name == "email") {
    name = "Email";
  } else if (!name.empty()) {
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  }
  return {{"id", a.id},
          {"platform_id", a.platform_id},
          {"platform_name", name},
          {"platform_slug", a.platform_slug},
          {"is_oauth", a.is_oauth},
          {"is_primary", a.is_primary},
          {"username", a.username},
          {"email", core::JsonOptional(a.email)},
          {"avatar_url", core::JsonOptional(a.avatar_url)},
          {"created_at", core::JsonTime(a.created_at)}};
}

boost::json::object PermissionsJson(const AccessProfile& profile) {
  return {{"roles", core::JsonStrings(profile.role_titles)},
          {"role_ids", core::JsonStrings(profile.role_ids)},
          {"permissions", core::JsonStrings(profile.effective)},
          {"is_super_admin", profile.is_super_admin}};
}

boost::json::object PublicUserJson(const User& user) {
  return {{"id", user.id},
          {"name", core::JsonOptional(user.name)},
          {"login", core::JsonOptional(user.login)},
          {"image", core::JsonOptional(user.image)}};
}

core::Result<UserUpdate> ParseUserUpdate(std::string_view body, bool admin) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  UserUpdate update;

  bool name_null = false, image_null = false;
  auto name = in.NullableString("name", name_null, {.min = 1, .max = 200, .trim = true});
  if (name) update.name = std::optional<std::string>(*name);
  if (name_null) update.name = std::optional<std::string>();
  auto image = in.NullableString("image", image_null, {.min = 1, .max = 2048, .trim = true});
  if (image) {
    if (!IsImageUrl(*image)) {
      in.Fail({"image"}, "Must be an http or https URL");
    } else {
      update.image = std::optional<std::string>(*image);
    }
  }
  if (image_null) update.image = std::optional<std::string>();

  if (admin) {
    update.roles = in.OptionalStringArray("roles", 100, {.min = 1, .max = 100});
    update.permissions = in.OptionalStringArray("permissions", 500, {.min = 1, .max = 200});
    if (auto status = in.OptionalString("status")) {
      auto parsed = ParseStatus(*status);
      if (!parsed || *parsed == UserStatus::kDeleted) {
        in.Fail({"status"}, "Must be 'active' or 'banned'");
      } else {
        update.status = *parsed;
      }
    }
  }
  if (auto status = in.Finish(); !status) return std::move(status).error();
  return update;
}

}  // namespace gatehouse::modules::users
