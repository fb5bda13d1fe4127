#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace gatehouse::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

std::string_view Context::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view{} : std::string_view(it->second);
}

core::RequestMeta Context::Meta() const {
  core::RequestMeta meta;
  meta.actor_id = principal.user_id;
  meta.api_key_id = principal.api_key_id;
  meta.ip_address = request.client_ip;
  meta.user_agent = std::string(request.Header("user-agent"));
  meta.request_id = request.request_id;
  return meta;
}

void Router::Add(Method method, std::string pattern, Access access, Handler handler,
                 RouteOptions options) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::logic_error("route pattern must start with '/': " + pattern);
  }
  if (access.kind == Access::Kind::kNodes && access.nodes.empty()) {
    throw std::logic_error("route " + pattern + " lists no nodes; use Access::Public()");
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  route->pattern = pattern;
  route->access = std::move(access);
  route->handler = std::move(handler);
  route->options = options;
  for (auto segment : SplitPath(pattern)) route->segments.emplace_back(segment);
  for (const auto& existing : routes_) {
    if (existing->method == method && existing->segments.size() == route->segments.size()) {
      bool same = true;
      for (std::size_t i = 0; i < route->segments.size() && same; ++i) {
        const bool a = existing->segments[i].starts_with(':');
        const bool b = route->segments[i].starts_with(':');
        same = (a && b) || (!a && !b && existing->segments[i] == route->segments[i]);
      }
      if (same) throw std::logic_error("duplicate route " + pattern);
    }
  }
  routes_.push_back(std::move(route));
}

RouteMatch Router::Match(Method method, std::string_view path) const {
  RouteMatch result;
  const auto segments = SplitPath(path);
  const Route* best = nullptr;
  std::vector<bool> best_shape;
  const Method wanted = method == Method::kHead ? Method::kGet : method;

  for (const auto& route : routes_) {
    if (route->segments.size() != segments.size()) continue;
    std::vector<bool> shape;  // true = static segment matched
    shape.reserve(segments.size());
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      const std::string& want = route->segments[i];
      if (!want.empty() && want.front() == ':') {
        matches = !segments[i].empty();
        shape.push_back(false);
      } else {
        matches = want == segments[i];
        shape.push_back(true);
      }
    }
    if (!matches) continue;
    if (route->method != wanted) {
      if (std::find(result.allowed.begin(), result.allowed.end(), route->method) ==
          result.allowed.end()) {
        result.allowed.push_back(route->method);
      }
      continue;
    }
    if (best == nullptr || shape > best_shape) {  // lexicographic: earlier static wins
      best = route.get();
      best_shape = std::move(shape);
    }
  }

  if (best == nullptr) {
    if (std::find(result.allowed.begin(), result.allowed.end(), Method::kGet) !=
        result.allowed.end()) {
      result.allowed.push_back(Method::kHead);
    }
    return result;
  }
  result.allowed.clear();
  result.route = best;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = best->segments[i];
    if (!want.empty() && want.front() == ':') {
      auto decoded = PercentDecode(segments[i], false);
      if (!decoded) {
        result.bad_path = true;
        continue;
      }
      result.params.emplace(want.substr(1), std::move(*decoded));
    }
  }
  return result;
}

}  // namespace gatehouse::http
