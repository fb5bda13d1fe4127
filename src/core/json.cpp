#include "core/json.hpp"

#include <boost/json/parse.hpp>

#include "core/clock.hpp"

namespace gatehouse::core {

Result<boost::json::object> ParseJsonObject(std::string_view body, bool allow_empty) {
  if (body.empty()) {
    if (allow_empty) return boost::json::object{};
    return Validation({{{}, "Request body must be a JSON object"}});
  }
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  if (ec) return Validation({{{}, "Malformed JSON: " + ec.message()}});
  if (!value.is_object()) return Validation({{{}, "Request body must be a JSON object"}});
  return std::move(value.as_object());
}

boost::json::array JsonStrings(const std::vector<std::string>& items) {
  boost::json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

boost::json::value JsonOptional(const std::optional<std::string>& value) {
  if (!value) return nullptr;
  return boost::json::string(*value);
}

std::string JsonTime(std::int64_t unix_ms) { return FormatIso8601(FromUnixMillis(unix_ms)); }

boost::json::value JsonOptionalTime(const std::optional<std::int64_t>& unix_ms) {
  if (!unix_ms) return nullptr;
  return boost::json::string(JsonTime(*unix_ms));
}

std::optional<std::size_t> Utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) { n = 1; cp = c; }
    else if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
    else return std::nullopt;
    if (i + n > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Reject overlong forms, surrogates and out-of-range values.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return std::nullopt;
    }
    i += n;
    ++count;
  }
  return count;
}

namespace {

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                        s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Checks `text` against `rule`; returns an error message or empty on success.
std::string CheckString(std::string_view text, const StringRule& rule) {
  const auto length = Utf8Length(text);
  if (!length) return "Must be valid UTF-8";
  if (*length < rule.min) {
    return rule.min == 1 ? "Must not be empty"
                         : "Must be at least " + std::to_string(rule.min) + " characters";
  }
  if (*length > rule.max) return "Must be at most " + std::to_string(rule.max) + " characters";
  return {};
}

}  // namespace

std::optional<std::string> FieldReader::ReadString(std::string_view key, bool required,
                                                   StringRule rule) {
  known_.emplace(key);
  const auto* value = object_.if_contains(key);
  if (value == nullptr) {
    if (required) Fail({std::string(key)}, "Field is required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    Fail({std::string(key)}, "Must be a string");
    return std::nullopt;
  }
  std::string_view text = value->as_string();
  if (rule.trim) text = TrimAscii(text);
  if (auto problem = CheckString(text, rule); !problem.empty()) {
    Fail({std::string(key)}, std::move(problem));
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<std::string> FieldReader::RequiredString(std::string_view key, StringRule rule) {
  return ReadString(key, true, rule);
}

std::optional<std::string> FieldReader::OptionalString(std::string_view key, StringRule rule) {
  return ReadString(key, false, rule);
}

std::optional<std::string> FieldReader::NullableString(std::string_view key, bool& present_null,
                                                       StringRule rule) {
  present_null = false;
  if (const auto* value = object_.if_contains(key); value != nullptr && value->is_null()) {
    known_.emplace(key);
    present_null = true;
    return std::nullopt;
  }
  return ReadString(key, false, rule);
}

std::optional<bool> FieldReader::OptionalBool(std::string_view key) {
  known_.emplace(key);
  const auto* value = object_.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    Fail({std::string(key)}, "Must be a boolean");
    return std::nullopt;
  }
  return value->as_bool();
}

std::optional<std::int64_t> FieldReader::OptionalInt(std::string_view key, std::int64_t min,
                                                     std::int64_t max) {
  known_.emplace(key);
  const auto* value = object_.if_contains(key);
  if (value == nullptr) return std::nullopt;
  std::int64_t number;
  if (value->is_int64()) {
    number = value->as_int64();
  } else if (value->is_uint64() && value->as_uint64() <= INT64_MAX) {
    number = static_cast<std::int64_t>(value->as_uint64());
  } else {
    Fail({std::string(key)}, "Must be an integer");
    return std::nullopt;
  }
  if (number < min || number > max) {
    Fail({std::string(key)},
         "Must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::vector<std::string>> FieldReader::ReadStringArray(std::string_view key,
                                                                     bool required,
                                                                     std::size_t max_items,
                                                                     StringRule rule) {
  known_.emplace(key);
  const auto* value = object_.if_contains(key);
  if (value == nullptr) {
    if (required) Fail({std::string(key)}, "Field is required");
    return std::nullopt;
  }
  if (!value->is_array()) {
    Fail({std::string(key)}, "Must be an array of strings");
    return std::nullopt;
  }
  const auto& array = value->as_array();
  if (array.size() > max_items) {
    Fail({std::string(key)}, "Must hold at most " + std::to_string(max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(array.size());
  bool ok = true;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      Fail({std::string(key), std::to_string(i)}, "Must be a string");
      ok = false;
      continue;
    }
    std::string_view text = array[i].as_string();
    if (rule.trim) text = TrimAscii(text);
    if (auto problem = CheckString(text, rule); !problem.empty()) {
      Fail({std::string(key), std::to_string(i)}, std::move(problem));
      ok = false;
      continue;
    }
    out.emplace_back(text);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> FieldReader::OptionalStringArray(std::string_view key,
                                                                         std::size_t max_items,
                                                                         StringRule rule) {
  return ReadStringArray(key, false, max_items, rule);
}

std::optional<std::vector<std::string>> FieldReader::RequiredStringArray(std::string_view key,
                                                                         std::size_t max_items,
                                                                         StringRule rule) {
  return ReadStringArray(key, true, max_items, rule);
}

const boost::json::value* FieldReader::OptionalValue(std::string_view key) {
  known_.emplace(key);
  return object_.if_contains(key);
}

void FieldReader::Fail(std::vector<std::string> path, std::string message) {
  errors_.push_back({std::move(path), std::move(message)});
}

Status FieldReader::Finish() {
  for (const auto& entry : object_) {
    if (!known_.contains(entry.key())) {
      errors_.push_back({{std::string(entry.key())}, "Unknown field"});
    }
  }
  if (errors_.empty()) return {};
  return Validation(std::move(errors_));
}

}  // namespace gatehouse::core
