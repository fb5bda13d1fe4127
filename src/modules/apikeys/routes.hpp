// HTTP surface of API keys (seed 003, under /v1): the admin routes for everyone's keys, the
// self-service routes for the caller's own, and X-API-Key in front of the bearer authenticator.
//
//   BindApiKeyRoutes(router, api_keys);
//   http::Dispatcher d(router, options, WithApiKeys(auth::MakeAuthenticator(auth), key_auth));
#pragma once

#include "http/dispatcher.hpp"
#include "http/router.hpp"
#include "modules/apikeys/authenticator.hpp"
#include "modules/apikeys/service.hpp"

namespace gatehouse::modules::apikeys {

void BindApiKeyRoutes(http::Router& router, ApiKeyService& keys);

// A request carrying X-API-Key is authenticated by `keys` (and refused with 401 if it also
// carries Authorization: one credential per request); any other request goes to `bearer`.
http::Authenticator WithApiKeys(http::Authenticator bearer, ApiKeyAuthenticator& keys);

}  // namespace gatehouse::modules::apikeys
