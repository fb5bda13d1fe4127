// Validated query parameters: a bad value is a 400 ValidationError naming the parameter.
//
//   auto page = QueryInt(request, "page", 1, 1, 1000000);     // Result<std::int64_t>
//   auto flag = QueryBool(request, "includeAddress", false);  // Result<bool>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/message.hpp"

namespace gatehouse::http {

core::Result<std::int64_t> QueryInt(const Request& request, std::string_view name,
                                    std::int64_t fallback, std::int64_t min, std::int64_t max);
core::Result<bool> QueryBool(const Request& request, std::string_view name, bool fallback);
// A string parameter of at most `max` bytes; `fallback` when absent.
core::Result<std::string> QueryString(const Request& request, std::string_view name,
                                      std::size_t max, std::string fallback = {});

}  // namespace gatehouse::http
