// The wire envelope (DESIGN.md section 1) and the one place where a core::Error becomes an
// HTTP status and body.
//
//   return Ok(UserJson(user), "Fetched user.");
//   return Ok(boost::json::value(nullptr), "Credential Deleted Successfully!");
//   Response r = FromError(core::NotFound("User with identifier 'x' was not found.", "UserNotFound"));
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "http/message.hpp"

namespace gatehouse::http {

int HttpStatusFor(core::ErrorCode code);

// {"status":S,"message":M,"data":D,"successful":true}
Response Ok(boost::json::value data, std::string_view message, int status = 200);

// The seed-002 page block for page+rpp lists.
struct Pagination {
  std::int64_t current_page = 1;
  std::int64_t total_pages = 0;
  std::int64_t total_records = 0;
  std::int64_t listed_records = 0;
};
Response OkPaged(boost::json::value data, std::string_view message, const Pagination& page);

// {"status":S,"message":M,"error":CODE,"successful":false[,"errors":[...]]}; adds Retry-After
// when the error carries one. Never includes internal_message.
Response FromError(const core::Error& error);

// An envelope with an arbitrary status and no data (418 teapot, 405, ...).
Response Plain(int status, std::string_view message, std::optional<std::string_view> error_code,
               bool successful);

}  // namespace gatehouse::http
