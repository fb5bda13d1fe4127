#include "modules/users/model.hpp"

#include <cctype>

namespace gatehouse::modules::users {

const char* StatusName(UserStatus status) {
  switch (status) {
    case UserStatus::kActive: return "active";
    case UserStatus::kBanned: return "banned";
    case UserStatus::kDeleted: return "deleted";
  }
  return "deleted";
}

std::optional<UserStatus> ParseStatus(std::string_view text) {
  if (text == "active") return UserStatus::kActive;
  if (text == "banned") return UserStatus::kBanned;
  if (text == "deleted") return UserStatus::kDeleted;
  return std::nullopt;
}

std::string NormalizeIdentifier(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace gatehouse::modules::users
