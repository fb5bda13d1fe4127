#include "http/dispatcher.hpp"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <exception>

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "http/envelope.hpp"

namespace gatehouse::http {
namespace {

constexpr std::string_view kCorsAllowHeaders =
    "Authorization, Content-Type, X-API-Key, X-Refresh-Token, X-Request-Id";
constexpr std::string_view kCorsExposeHeaders =
    "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset";

// A propagated request id must be short and plain so it cannot forge log lines.
bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == ':';
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string AllowHeader(const std::vector<Method>& methods) {
  static constexpr Method kOrder[] = {Method::kGet,   Method::kHead,   Method::kPost,
                                      Method::kPut,   Method::kPatch,  Method::kDelete,
                                      Method::kOptions};
  std::string out;
  for (Method m : kOrder) {
    if (std::find(methods.begin(), methods.end(), m) != methods.end()) {
      if (!out.empty()) out += ", ";
      out += MethodName(m);
    }
  }
  return out;
}

Dispatcher::Dispatcher(const Router& router, DispatcherOptions options,
                       Authenticator authenticator)
    : router_(router), options_(std::move(options)), authenticator_(std::move(authenticator)) {}

RouteMatch Dispatcher::Route(Request& request) const {
  const auto incoming = request.Header("x-request-id");
  request.request_id = SaneRequestId(incoming) ? std::string(incoming) : core::FastId();

  request.client_ip = request.peer_ip;
  if (!options_.trusted_proxies.empty() &&
      std::find(options_.trusted_proxies.begin(), options_.trusted_proxies.end(),
                request.peer_ip) != options_.trusted_proxies.end()) {
    // Walk X-Forwarded-For from the right, skipping our own proxies: the first address that
    // is not a trusted proxy is the client.
    std::string_view chain = request.Header("x-forwarded-for");
    while (!chain.empty()) {
      const auto comma = chain.rfind(',');
      std::string_view hop = Trim(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
      chain = comma == std::string_view::npos ? std::string_view{} : chain.substr(0, comma);
      if (hop.empty()) continue;
      request.client_ip = std::string(hop);
      if (std::find(options_.trusted_proxies.begin(), options_.trusted_proxies.end(), hop) ==
          options_.trusted_proxies.end()) {
        break;
      }
    }
  }

  Method method = request.method;
  const bool preflight = method == Method::kOptions && !request.Header("origin").empty() &&
                         !request.Header("access-control-request-method").empty();
  if (preflight) {
    method = ParseMethod(request.Header("access-control-request-method"));
  }
  return router_.Match(method, request.path);
}

bool Dispatcher::OriginAllowed(std::string_view origin) const {
  for (const auto& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void Dispatcher::Decorate(const Request& request, Response& response) const {
  response.SetHeader("X-Request-Id", request.request_id);
  response.SetHeader("X-Content-Type-Options", "nosniff");
  bool has_cache_control = false;
  for (const auto& [name, value] : response.headers) {
    has_cache_control = has_cache_control || strcasecmp(name.c_str(), "cache-control") == 0;
  }
  if (!has_cache_control) response.SetHeader("Cache-Control", "no-store");
  const auto origin = request.Header("origin");
  if (!origin.empty() && OriginAllowed(origin)) {
    response.SetHeader("Access-Control-Allow-Origin", std::string(origin));
    response.SetHeader("Vary", "Origin");
    response.SetHeader("Access-Control-Expose-Headers", std::string(kCorsExposeHeaders));
  }
}

Response Dispatcher::Preflight(const Request& request, const RouteMatch& match) const {
  Response response;
  response.status = 204;
  response.content_type.clear();
  const auto origin = request.Header("origin");
  if (match.route != nullptr && OriginAllowed(origin)) {
    std::vector<Method> methods{match.route->method};
    for (const auto& route : router_.routes()) {
      auto other = router_.Match(route->method, request.path);
      if (other.route != nullptr &&
          std::find(methods.begin(), methods.end(), route->method) == methods.end()) {
        methods.push_back(route->method);
      }
    }
    response.SetHeader("Access-Control-Allow-Methods", AllowHeader(methods));
    response.SetHeader("Access-Control-Allow-Headers", std::string(kCorsAllowHeaders));
    response.SetHeader("Access-Control-Max-Age", "600");
  }
  return response;
}

Response Dispatcher::Run(Request& request, const RouteMatch& match) const {
  Response response;
  try {
    response = RunChecked(request, match);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} failed: {}", request.request_id, request.method_text,
                  request.path, e.what());
    response = FromError(core::Internal(e.what()));
  }
  Decorate(request, response);
  return response;
}

Response Dispatcher::RunChecked(Request& request, const RouteMatch& match) const {
  if (request.method == Method::kOptions && !request.Header("origin").empty() &&
      !request.Header("access-control-request-method").empty()) {
    return Preflight(request, match);
  }
  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      core::Error error;
      error.code = core::ErrorCode::kMethodNotAllowed;
      error.public_message = "Method not allowed";
      Response response = FromError(error);
      response.SetHeader("Allow", AllowHeader(match.allowed));
      return response;
    }
    return FromError(core::NotFound("Resource not found"));
  }
  if (match.bad_path) return FromError(core::InvalidArgument("Malformed path"));

  const http::Route& route = *match.route;
  core::Principal principal;
  // Headers the authenticator attached (X-RateLimit-*), for whatever answer follows.
  std::vector<std::pair<std::string, std::string>> extra;
  auto finish = [&extra](Response response) {
    for (auto& [name, value] : extra) response.SetHeader(name, value);
    return response;
  };
  if (route.access.kind != Access::Kind::kPublic) {
    if (!authenticator_) return FromError(core::Unauthenticated());
    auto who = authenticator_(request);
    if (!who) {
      const auto& error = who.error();
      if (!error.internal_message.empty()) {
        spdlog::info("request {} authentication refused: {}", request.request_id,
                     error.internal_message);
      }
      return FromError(error);
    }
    principal = std::move(*who);
    extra = std::move(principal.response_headers);
    if (!principal.authenticated()) return FromError(core::Unauthenticated());
    for (const auto& node : route.access.nodes) {
      if (!principal.Can(node)) return finish(FromError(core::PermissionDenied()));
    }
  }

  Context context{request, match.params, std::move(principal)};
  auto result = route.handler(context);
  if (!result) return finish(HandlerError(request, result.error()));
  return finish(std::move(*result));
}

Response Dispatcher::HandlerError(const Request& request, const core::Error& error) const {
  if (error.code == core::ErrorCode::kInternal || error.code == core::ErrorCode::kUnavailable) {
    spdlog::error("request {} {} {}: {}", request.request_id, request.method_text, request.path,
                  error.internal_message);
  } else if (!error.internal_message.empty()) {
    spdlog::debug("request {} {} {}: {}", request.request_id, request.method_text, request.path,
                  error.internal_message);
  }
  return FromError(error);
}

Response Dispatcher::Finish(const Request& request, const Response& placeholder,
                            core::Result<Response> outcome) const {
  Response response = outcome ? std::move(*outcome) : HandlerError(request, outcome.error());
  // A handler cannot defer twice: a nested placeholder would never be sent.
  if (response.deferred) {
    response = FromError(core::Internal("deferred response completed with another deferral"));
  }
  for (const auto& [name, value] : placeholder.headers) {
    bool present = false;
    for (const auto& [have, unused] : response.headers) {
      present = present || strcasecmp(have.c_str(), name.c_str()) == 0;
    }
    if (!present) response.headers.emplace_back(name, value);
  }
  Decorate(request, response);
  return response;
}

void Dispatcher::LogAccess(const Request& request, int status, std::size_t bytes,
                           std::chrono::steady_clock::duration elapsed) const {
  if (!core::AccessLogEnabled()) return;
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  // The path only: query strings may carry tokens (e.g. access_token for WebSockets).
  std::string line;
  line.reserve(160);
  line += R"({"method":")";
  line += core::JsonEscape(request.method_text);
  line += R"(","path":")";
  line += core::JsonEscape(request.path);
  line += R"(","status":)";
  line += std::to_string(status);
  line += R"(,"durationMs":)";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  line += buf;
  line += R"(,"requestId":")";
  line += core::JsonEscape(request.request_id);
  line += R"(","ip":")";
  line += core::JsonEscape(request.client_ip);
  line += R"(","bytes":)";
  line += std::to_string(bytes);
  line += "}";
  core::AccessLog(line);
}

}  // namespace gatehouse::http
