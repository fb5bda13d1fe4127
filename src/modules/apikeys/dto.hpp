// JSON shapes of API keys (camelCase, as seed 003's key management routes use them) and the
// request bodies of the key routes. No function here ever sees a key's plaintext except
// IssuedKeyJson, whose answer is the one time a key is shown.
//
//   http::Ok(KeyJson(key, now_ms), "API key fetched.");
//   auto input = ParseCreate(body, /*admin=*/true);   // 400 on unknown or bad fields
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/error.hpp"
#include "modules/apikeys/model.hpp"
#include "modules/apikeys/service.hpp"

namespace gatehouse::modules::apikeys {

// {id, userId, name, description, scopes, prefix, isActive, expiresAt, lastUsedAt, usageCount,
//  createdAt, updatedAt, rotatedFrom, graceUntil, rateLimit}
boost::json::object KeyJson(const ApiKey& key);
// KeyJson plus "key": the plaintext, shown this once.
boost::json::object IssuedKeyJson(const IssuedKey& issued);

// POST /v1/admin/keys {userId, name, description?, scopes, expiresIn?, rateLimit?}; without
// `admin` (POST /v1/user/@me/keys) a userId is an unknown field: keys are for oneself.
core::Result<NewKey> ParseCreate(std::string_view body, bool admin);
// PATCH /v1/admin/keys/:keyId {name?, description?, scopes?, isActive?, rateLimit?}.
core::Result<KeyUpdate> ParseUpdate(std::string_view body);

}  // namespace gatehouse::modules::apikeys
