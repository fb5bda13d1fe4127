// HTTP surface of authentication: register, login, refresh, logout, password change, the JWKS
// document, and the dispatcher's authenticator (Authorization: Bearer).
//
//   BindAuthRoutes(router, auth, tokens);
//   http::Dispatcher dispatcher(router, options, MakeAuthenticator(auth));
#pragma once

#include "http/dispatcher.hpp"
#include "http/router.hpp"
#include "modules/auth/service.hpp"

namespace gatehouse::modules::auth {

void BindAuthRoutes(http::Router& router, AuthService& auth,
                    const security::TokenService& tokens);

http::Authenticator MakeAuthenticator(AuthService& auth);

}  // namespace gatehouse::modules::auth
