// JSON-array text columns (permission lists and the like), read and written the same way on
// both dialects.
//
//   std::string text = ToJsonArray({"user.read", "user.write"});   // ["user.read","user.write"]
//   std::vector<std::string> nodes = FromJsonArray(text);           // malformed text -> {}
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::store {

std::string ToJsonArray(const std::vector<std::string>& items);
std::vector<std::string> FromJsonArray(std::string_view text);

}  // namespace gatehouse::store
