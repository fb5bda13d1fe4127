#include "modules/auth/routes.hpp"

#include <boost/json/serialize.hpp>
#include <strings.h>

#include "authz/nodes.hpp"
#include "core/json.hpp"
#include "http/envelope.hpp"
#include "modules/users/dto.hpp"

namespace gatehouse::modules::auth {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {

sessions::ClientInfo ClientOf(const http::Request& request) {
  return {.ip_address = request.client_ip,
          .user_agent = std::string(request.Header("user-agent"))};
}

boost::json::object LoginJson(const LoginResult& result) {
  return {{"user", users::UserJson(result.user)},
          {"accessToken", result.tokens.access_token},
          {"refreshToken", result.tokens.refresh_token},
          {"sessionId", result.tokens.session.id},
          {"expiresIn", result.tokens.expires_in}};
}

// Passwords are compared as given: no trimming, no normalisation, no truncation.
constexpr core::StringRule kPasswordField{.min = 0, .max = 4096, .trim = false};

}  // namespace

http::Authenticator MakeAuthenticator(AuthService& auth) {
  return [&auth](const http::Request& request) -> core::Result<core::Principal> {
    const std::string_view header = request.Header("authorization");
    if (header.empty()) return core::Principal{};
    if (header.size() < 7 || strncasecmp(header.data(), "Bearer ", 7) != 0) {
      return core::Unauthenticated();
    }
    std::string_view token = header.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    return auth.AuthenticateBearer(token);
  };
}

void BindAuthRoutes(http::Router& router, AuthService& auth,
                    const security::TokenService& tokens) {
  router.Add(Method::kPost, "/v1/auth/register", Access::Public(),
             [&auth](Context& c) -> core::Result<Response> {
               auto body = core::ParseJsonObject(c.request.body);
               if (!body) return body.error();
               core::FieldReader in(*body);
               RegisterInput input;
               auto email = in.RequiredString("email", {.min = 3, .max = 254, .trim = true});
               auto password = in.RequiredString("password", kPasswordField);
               input.name = in.OptionalString("name", {.min = 1, .max = 200, .trim = true});
               input.login = in.OptionalString("login", {.min = 1, .max = 64, .trim = true});
               if (auto status = in.Finish(); !status) return std::move(status).error();
               input.email = *email;
               input.password = *password;
               auto result = auth.Register(input, ClientOf(c.request), c.Meta());
               if (!result) return result.error();
               return http::Ok(LoginJson(*result), "Registered successfully!", 201);
             });

  router.Add(Method::kPost, "/v1/auth/login", Access::Public(),
             [&auth](Context& c) -> core::Result<Response> {
               auto body = core::ParseJsonObject(c.request.body);
               if (!body) return body.error();
               core::FieldReader in(*body);
               auto email = in.OptionalString("email", {.min = 1, .max = 254});
               auto login = in.OptionalString("login", {.min = 1, .max = 254});
               auto password = in.RequiredString("password", kPasswordField);
               if (!in.Has("email") && !in.Has("login")) in.Fail({"email"}, "Field is required");
               if (in.Has("email") && in.Has("login")) {
                 in.Fail({"login"}, "Give either email or login, not both");
               }
               if (auto status = in.Finish(); !status) return std::move(status).error();
               auto result =
                   auth.Login(email ? *email : *login, *password, ClientOf(c.request), c.Meta());
               if (!result) return result.error();
               return http::Ok(LoginJson(*result), "Logged in successfully!");
             });

  // Seed 002: the refresh token comes in x-refresh-token; a JSON body {refreshToken} also works.
  router.Add(Method::kPost, "/v1/auth/refresh", Access::Public(),
             [&auth](Context& c) -> core::Result<Response> {
               std::string token(c.request.Header("x-refresh-token"));
               if (token.empty()) {
                 auto body = core::ParseJsonObject(c.request.body, /*allow_empty=*/true);
                 if (!body) return body.error();
                 core::FieldReader in(*body);
                 auto from_body = in.OptionalString("refreshToken", {.min = 1, .max = 512});
                 if (auto status = in.Finish(); !status) return std::move(status).error();
                 if (!from_body) return core::Unauthenticated("Refresh token required");
                 token = *from_body;
               }
               auto issued = auth.Refresh(token, ClientOf(c.request), c.Meta());
               if (!issued) return issued.error();
               return http::Ok(boost::json::object{{"accessToken", issued->access_token},
                                                   {"refreshToken", issued->refresh_token},
                                                   {"expiresIn", issued->expires_in}},
                               "Token refreshed successfully!", 201);
             });

  router.Add(Method::kPost, "/v1/auth/logout", Access::Authenticated(),
             [&auth](Context& c) -> core::Result<Response> {
               if (c.principal.session_id.empty()) {
                 return core::FailedPrecondition("This credential has no session to end.",
                                                 "NoSession");
               }
               if (auto status = auth.Logout(c.principal.session_id, c.Meta()); !status) {
                 return status.error();
               }
               return http::Ok(boost::json::object{{"success", true}}, "Logged out successfully!");
             });

  router.Add(Method::kPatch, "/v1/user/@me/password", Access::Nodes({n::kUserWrite}),
             [&auth](Context& c) -> core::Result<Response> {
               auto body = core::ParseJsonObject(c.request.body);
               if (!body) return body.error();
               core::FieldReader in(*body);
               auto current = in.RequiredString("currentPassword", kPasswordField);
               auto next = in.RequiredString("newPassword", kPasswordField);
               auto revoke = in.OptionalBool("revokeOtherSessions");
               if (auto status = in.Finish(); !status) return std::move(status).error();
               auto changed = auth.ChangePassword(c.principal.user_id, c.principal.session_id,
                                                  *current, *next, revoke.value_or(false),
                                                  c.Meta());
               if (!changed) return changed.error();
               return http::Ok(boost::json::object{{"success", true}},
                               "Password changed successfully!");
             });

  // The JWK Set is served bare, as JOSE libraries expect it, not inside the envelope.
  router.Add(Method::kGet, "/.well-known/jwks.json", Access::Public(),
             [&tokens](Context&) -> core::Result<Response> {
               Response response;
               response.body = boost::json::serialize(tokens.JwksJson());
               response.content_type = "application/jwk-set+json";
               response.SetHeader("Cache-Control", "public, max-age=300");
               return response;
             });
}

}  // namespace gatehouse::modules::auth
