#include "modules/apikeys/dto.hpp"

#include <boost/json/array.hpp>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "modules/apikeys/key_format.hpp"

namespace gatehouse::modules::apikeys {
namespace {

constexpr core::StringRule kName{.min = 1, .max = 100, .trim = true};
constexpr core::StringRule kDescription{.min = 0, .max = 500};
constexpr core::StringRule kScope{.min = 1, .max = 200};
constexpr std::size_t kMaxScopes = 100;

// {"limit": n, "windowSeconds": s}, or null when `nullable`. Problems are added to `in`.
std::optional<std::optional<RateLimit>> ReadRateLimit(core::FieldReader& in) {
  const boost::json::value* value = in.OptionalValue("rateLimit");
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::optional<RateLimit>();
  if (!value->is_object()) {
    in.Fail({"rateLimit"}, "Must be an object {limit, windowSeconds} or null");
    return std::nullopt;
  }
  const boost::json::object& object = value->get_object();
  RateLimit limit;
  bool ok = true;
  for (const auto& [field, target] :
       {std::pair<const char*, std::int64_t*>{"limit", &limit.limit},
        std::pair<const char*, std::int64_t*>{"windowSeconds", &limit.window_seconds}}) {
    const boost::json::value* v = object.if_contains(field);
    if (v == nullptr) {
      in.Fail({"rateLimit", field}, "Field is required");
      ok = false;
    } else if (v->is_int64()) {
      *target = v->get_int64();
    } else if (v->is_uint64()) {
      *target = static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
    } else {
      in.Fail({"rateLimit", field}, "Must be an integer");
      ok = false;
    }
  }
  for (const auto& entry : object) {
    if (entry.key() != "limit" && entry.key() != "windowSeconds") {
      in.Fail({"rateLimit", std::string(entry.key())}, "Unknown field");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return std::optional<RateLimit>(limit);
}

}  // namespace

boost::json::object KeyJson(const ApiKey& key) {
  boost::json::array scopes;
  for (const auto& scope : key.scopes) scopes.emplace_back(scope);
  boost::json::value rate_limit = nullptr;
  if (key.rate_limit) {
    rate_limit = boost::json::object{{"limit", key.rate_limit->limit},
                                     {"windowSeconds", key.rate_limit->window_seconds}};
  }
  return boost::json::object{
      {"id", key.id},
      {"userId", key.user_id},
      {"name", key.name},
      {"description", core::JsonOptional(key.description)},
      {"scopes", std::move(scopes)},
      {"prefix", DisplayPrefix(key.public_id)},
      {"isActive", key.is_active},
      {"expiresAt", core::JsonOptionalTime(key.expires_at)},
      {"lastUsedAt", core::JsonOptionalTime(key.last_used_at)},
      {"usageCount", key.usage_count},
      {"createdAt", core::JsonTime(key.created_at)},
      {"updatedAt", core::JsonTime(key.updated_at)},
      {"rotatedFrom", core::JsonOptional(key.rotated_from)},
      {"graceUntil", core::JsonOptionalTime(key.grace_until)},
      {"rateLimit", std::move(rate_limit)},
  };
}

boost::json::object IssuedKeyJson(const IssuedKey& issued) {
  boost::json::object out = KeyJson(issued.key);
  out.emplace("key", issued.plaintext);
  return out;
}

core::Result<NewKey> ParseCreate(std::string_view body, bool admin) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  NewKey input;
  std::optional<std::string> user_id;
  if (admin) user_id = in.RequiredString("userId", {.min = 1, .max = 254, .trim = true});
  auto name = in.RequiredString("name", kName);
  bool description_null = false;
  input.description = in.NullableString("description", description_null, kDescription);
  auto scopes = in.RequiredStringArray("scopes", kMaxScopes, kScope);
  input.expires_in_seconds = in.OptionalInt("expiresIn", 1, kMaxExpiresInSeconds);
  auto rate_limit = ReadRateLimit(in);
  if (auto status = in.Finish(); !status) return std::move(status).error();
  if (user_id) input.owner = *user_id;
  input.name = *name;
  input.scopes = std::move(*scopes);
  if (rate_limit) input.rate_limit = *rate_limit;
  return input;
}

core::Result<KeyUpdate> ParseUpdate(std::string_view body) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  KeyUpdate update;
  update.name = in.OptionalString("name", kName);
  bool description_null = false;
  auto description = in.NullableString("description", description_null, kDescription);
  if (description_null) {
    update.description = std::optional<std::string>();
  } else if (description) {
    update.description = std::move(description);
  }
  update.scopes = in.OptionalStringArray("scopes", kMaxScopes, kScope);
  update.is_active = in.OptionalBool("isActive");
  update.rate_limit = ReadRateLimit(in);
  if (auto status = in.Finish(); !status) return std::move(status).error();
  return update;
}

}  // namespace gatehouse::modules::apikeys
