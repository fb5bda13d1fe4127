// The user records the users module keeps, as the service hands them to other modules.
//
//   Result<User> user = users.Get(id);
//   if (user->status != UserStatus::kActive) ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gatehouse::modules::users {

// When adding a value, also update the CHECK in migrations 0002 and StatusName().
enum class UserStatus { kActive, kBanned, kDeleted };
const char* StatusName(UserStatus status);
std::optional<UserStatus> ParseStatus(std::string_view text);

struct RoleRef {
  std::string id;
  std::string title;
  std::string moniker;
  std::vector<std::string> permissions;
};

struct User {
  std::string id;
  std::string email;
  std::optional<std::string> login;
  std::optional<std::string> name;
  std::optional<std::string> image;
  std::optional<std::string> password_hash;
  UserStatus status = UserStatus::kActive;
  std::string primary_provider = "email";
  std::vector<std::string> permissions;  // direct grants
  std::vector<RoleRef> roles;
  std::int64_t created_at = 0;  // Unix ms
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> last_login_at;
};

struct PlatformAccount {
  std::string id;
  std::string user_id;
  std::string platform_slug;
  std::string platform_id;
  std::string username;
  std::optional<std::string> email;
  std::optional<std::string> avatar_url;
  bool is_oauth = false;
  bool is_primary = false;
  std::int64_t created_at = 0;
};

// Trims surrounding whitespace and lower-cases ASCII letters: "  Admin@X.org " -> "admin@x.org".
// Used for emails, logins and every identifier a login throttle is keyed by.
std::string NormalizeIdentifier(std::string_view text);

}  // namespace gatehouse::modules::users
