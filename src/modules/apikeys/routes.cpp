#include "modules/apikeys/routes.hpp"

#include <boost/json/array.hpp>

#include "authz/nodes.hpp"
#include "http/envelope.hpp"
#include "http/query.hpp"
#include "modules/apikeys/dto.hpp"

namespace gatehouse::modules::apikeys {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;

namespace {

// The root key belongs to nobody: it has no "own" keys.
core::Status NeedsUser(const Context& c) {
  if (c.principal.user_id.empty()) {
    return core::NotFound("The root key belongs to no user; use /v1/admin/keys.", "UserNotFound");
  }
  return {};
}

core::Result<KeyFilter> ParseFilter(const http::Request& request, bool admin) {
  KeyFilter filter;
  auto page = http::QueryInt(request, "page", 1, 1, 1000000);
  if (!page) return page.error();
  auto rpp = http::QueryInt(request, "rpp", 30, 1, 100);
  if (!rpp) return rpp.error();
  filter.page = *page;
  filter.per_page = *rpp;
  if (request.Query("active")) {
    auto active = http::QueryBool(request, "active", true);
    if (!active) return active.error();
    filter.active = *active;
  }
  if (admin) {
    auto user = http::QueryString(request, "userId", 254);
    if (!user) return user.error();
    if (!user->empty()) filter.user_id = std::move(*user);
  }
  return filter;
}

Response Page(const KeyPage& page, const KeyFilter& filter) {
  boost::json::array data;
  for (const auto& key : page.keys) data.push_back(KeyJson(key));
  http::Pagination pagination{
      .current_page = filter.page,
      .total_pages = (page.total + filter.per_page - 1) / filter.per_page,
      .total_records = page.total,
      .listed_records = static_cast<std::int64_t>(page.keys.size()),
  };
  return http::OkPaged(std::move(data), "API keys fetched.", pagination);
}

}  // namespace

http::Authenticator WithApiKeys(http::Authenticator bearer, ApiKeyAuthenticator& keys) {
  return [bearer = std::move(bearer),
          &keys](const http::Request& request) -> core::Result<core::Principal> {
    const std::string_view presented = request.Header("x-api-key");
    if (presented.empty()) return bearer ? bearer(request) : core::Principal{};
    if (!request.Header("authorization").empty()) {
      core::Error error = core::Unauthenticated();
      error.internal_message = "both X-API-Key and Authorization";
      return error;
    }
    core::RequestMeta meta;
    meta.ip_address = request.client_ip;
    meta.user_agent = std::string(request.Header("user-agent"));
    meta.request_id = request.request_id;
    HeaderList headers;
    auto who = keys.Authenticate(
        presented, meta,
        {.method = request.method_text, .path = request.path, .headers = &headers});
    if (who) who->response_headers = std::move(headers);
    return who;
  };
}

void BindApiKeyRoutes(http::Router& router, ApiKeyService& keys) {
  // --- everyone's keys (seed 003's admin routes) ---
  router.Add(Method::kPost, "/v1/admin/keys", Access::Nodes({n::kApiKeyCreateOther}),
             [&keys](Context& c) -> core::Result<Response> {
               auto input = ParseCreate(c.request.body, /*admin=*/true);
               if (!input) return input.error();
               auto issued = keys.Create(c.principal, *input, c.Meta());
               if (!issued) return issued.error();
               return http::Ok(IssuedKeyJson(*issued),
                               "API key created. Store it now: it will not be shown again.", 201);
             });

  router.Add(Method::kGet, "/v1/admin/keys", Access::Nodes({n::kApiKeyReadOther}),
             [&keys](Context& c) -> core::Result<Response> {
               auto filter = ParseFilter(c.request, /*admin=*/true);
               if (!filter) return filter.error();
               auto page = keys.List(*filter);
               if (!page) return page.error();
               return Page(*page, *filter);
             });

  router.Add(Method::kGet, "/v1/admin/keys/:keyId", Access::Nodes({n::kApiKeyReadOther}),
             [&keys](Context& c) -> core::Result<Response> {
               auto key = keys.Get(std::string(c.Param("keyId")));
               if (!key) return key.error();
               return http::Ok(KeyJson(*key), "API key fetched.");
             });

  router.Add(Method::kPatch, "/v1/admin/keys/:keyId", Access::Nodes({n::kApiKeyUpdateOther}),
             [&keys](Context& c) -> core::Result<Response> {
               auto update = ParseUpdate(c.request.body);
               if (!update) return update.error();
               auto key =
                   keys.Update(c.principal, std::string(c.Param("keyId")), *update, c.Meta());
               if (!key) return key.error();
               return http::Ok(KeyJson(*key), "API key updated.");
             });

  router.Add(Method::kDelete, "/v1/admin/keys/:keyId", Access::Nodes({n::kApiKeyRevokeOther}),
             [&keys](Context& c) -> core::Result<Response> {
               auto key = keys.Deactivate(c.principal, std::string(c.Param("keyId")), std::nullopt,
                                          c.Meta());
               if (!key) return key.error();
               return http::Ok(KeyJson(*key), "API key deactivated.");
             });

  router.Add(Method::kPost, "/v1/admin/keys/:keyId/rotate", Access::Nodes({n::kApiKeyRotateOther}),
             [&keys](Context& c) -> core::Result<Response> {
               auto grace = http::QueryInt(c.request, "gracePeriod", 0, 0, kMaxGraceSeconds);
               if (!grace) return grace.error();
               auto issued =
                   keys.Rotate(c.principal, std::string(c.Param("keyId")), *grace, c.Meta());
               if (!issued) return issued.error();
               return http::Ok(IssuedKeyJson(*issued),
                               "API key rotated. Store the new key now: it will not be shown "
                               "again.",
                               201);
             });

  // --- the caller's own keys ---
  router.Add(Method::kGet, "/v1/user/@me/keys", Access::Nodes({n::kApiKeyRead}),
             [&keys](Context& c) -> core::Result<Response> {
               if (auto s = NeedsUser(c); !s) return s.error();
               auto filter = ParseFilter(c.request, /*admin=*/false);
               if (!filter) return filter.error();
               filter->user_id = c.principal.user_id;
               auto page = keys.List(*filter);
               if (!page) return page.error();
               return Page(*page, *filter);
             });

  router.Add(Method::kPost, "/v1/user/@me/keys", Access::Nodes({n::kApiKeyCreate}),
             [&keys](Context& c) -> core::Result<Response> {
               if (auto s = NeedsUser(c); !s) return s.error();
               auto input = ParseCreate(c.request.body, /*admin=*/false);
               if (!input) return input.error();
               input->owner = c.principal.user_id;
               auto issued = keys.Create(c.principal, *input, c.Meta());
               if (!issued) return issued.error();
               return http::Ok(IssuedKeyJson(*issued),
                               "API key created. Store it now: it will not be shown again.", 201);
             });

  router.Add(Method::kDelete, "/v1/user/@me/keys/:keyId", Access::Nodes({n::kApiKeyRevoke}),
             [&keys](Context& c) -> core::Result<Response> {
               if (auto s = NeedsUser(c); !s) return s.error();
               auto key = keys.Deactivate(c.principal, std::string(c.Param("keyId")),
                                          c.principal.user_id, c.Meta());
               if (!key) return key.error();
               return http::Ok(KeyJson(*key), "API key deactivated.");
             });
}

}  // namespace gatehouse::modules::apikeys
