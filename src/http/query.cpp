#include "http/query.hpp"

#include <charconv>

namespace gatehouse::http {

core::Result<std::int64_t> QueryInt(const Request& request, std::string_view name,
                                    std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto text = request.Query(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || text->empty()) {
    return core::Validation({{{std::string(name)}, "Must be an integer"}});
  }
  if (value < min || value > max) {
    return core::Validation({{{std::string(name)}, "Must be between " + std::to_string(min) +
                                                       " and " + std::to_string(max)}});
  }
  return value;
}

core::Result<bool> QueryBool(const Request& request, std::string_view name, bool fallback) {
  auto text = request.Query(name);
  if (!text) return fallback;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  return core::Validation({{{std::string(name)}, "Must be true or false"}});
}

core::Result<std::string> QueryString(const Request& request, std::string_view name,
                                      std::size_t max, std::string fallback) {
  auto text = request.Query(name);
  if (!text) return fallback;
  if (text->size() > max) {
    return core::Validation({{{std::string(name)}, "Must be at most " + std::to_string(max) +
                                                       " characters"}});
  }
  return std::move(*text);
}

}  // namespace gatehouse::http
