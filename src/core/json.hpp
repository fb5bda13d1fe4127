// JSON request parsing and field-by-field validation that reports every bad field with its
// path, and rejects unknown fields (no mass assignment).
//
//   auto body = ParseJsonObject(request.body);            // 400 on malformed JSON
//   FieldReader in(*body);
//   auto name = in.OptionalString("name", {.max = 200});
//   auto roles = in.OptionalStringArray("roles");
//   if (auto status = in.Finish(); !status) return status.error();
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace gatehouse::core {

// Parses `body` as one JSON object. An empty body counts as `{}` when `allow_empty`.
Result<boost::json::object> ParseJsonObject(std::string_view body, bool allow_empty = false);

struct StringRule {
  std::size_t min = 0;       // in UTF-8 code points
  std::size_t max = 10000;   // in UTF-8 code points
  bool trim = false;         // strip surrounding ASCII whitespace before checking
};

// Counts UTF-8 code points; returns nullopt when `text` is not valid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

// Building responses: the few conversions every module's JSON shapes need.
boost::json::array JsonStrings(const std::vector<std::string>& items);
boost::json::value JsonOptional(const std::optional<std::string>& value);  // null when absent
std::string JsonTime(std::int64_t unix_ms);                                 // ISO 8601, ms
boost::json::value JsonOptionalTime(const std::optional<std::int64_t>& unix_ms);

class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& object) : object_(object) {}

  std::optional<std::string> RequiredString(std::string_view key, StringRule rule = {});
  std::optional<std::string> OptionalString(std::string_view key, StringRule rule = {});
  // Present-and-null is reported as `present_null`; absent as nullopt.
  std::optional<std::string> NullableString(std::string_view key, bool& present_null,
                                            StringRule rule = {});
  std::optional<bool> OptionalBool(std::string_view key);
  std::optional<std::int64_t> OptionalInt(std::string_view key, std::int64_t min,
                                          std::int64_t max);
  std::optional<std::vector<std::string>> OptionalStringArray(std::string_view key,
                                                              std::size_t max_items = 1000,
                                                              StringRule rule = {});
  std::optional<std::vector<std::string>> RequiredStringArray(std::string_view key,
                                                              std::size_t max_items = 1000,
                                                              StringRule rule = {});
  const boost::json::value* OptionalValue(std::string_view key);

  // Records a custom failure for `key` (used for rules beyond type and length).
  void Fail(std::vector<std::string> path, std::string message);
  bool Has(std::string_view key) const { return object_.contains(key); }

  // Adds "Unknown field" for every key nobody asked for; returns the validation error if any.
  Status Finish();

 private:
  std::optional<std::string> ReadString(std::string_view key, bool required, StringRule rule);
  std::optional<std::vector<std::string>> ReadStringArray(std::string_view key, bool required,
                                                          std::size_t max_items, StringRule rule);
  const boost::json::object& object_;
  std::set<std::string, std::less<>> known_;
  std::vector<FieldError> errors_;
};

}  // namespace gatehouse::core
