#include "support/authz_helpers.hpp"

#include <boost/json.hpp>
#include <tuple>

namespace gatehouse::testing::authz {
namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

::testing::AssertionResult Expect(const Response& r, int status, const std::string& what) {
  if (r.status == status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": expected " << status << ", got " << r.Describe();
}

}  // namespace

void AddCallers(std::vector<Scenario>& table, const Cast& cast, const std::string& name,
                const std::string& method, const std::string& path, const std::string& body,
                CallerStatuses expected, std::function<void(const Response&)> on_success,
                std::vector<JsonFragment> fragments) {
  AddRows(table, name, method, path, body,
          {
              {"anonymous", {}, expected.anonymous},
              {"user", cast.alice.Auth(), expected.user},
              {"other user", cast.bob.Auth(), expected.other},
              {"admin", cast.admin.Auth(), expected.admin},
              {"super admin", cast.super.Auth(), expected.super},
          },
          std::move(on_success), std::move(fragments));
}

void AddRows(std::vector<Scenario>& table, const std::string& name, const std::string& method,
             const std::string& path, const std::string& body, const std::vector<Caller>& callers,
             std::function<void(const Response&)> on_success,
             std::vector<JsonFragment> fragments) {
  for (const auto& [who, headers, status] : callers) {
    Scenario row{.name = name + " by " + who,
                 .method = method,
                 .path = path,
                 .headers = headers,
                 .body = body,
                 .expected_status = status};
    if (status == 401) row.expected_fragments = {{"/error", "Unauthorized"}};
    if (status == 403) {
      row.expected_fragments = {{"/error", "InsufficientPermission"},
                                {"/message", "Insufficient permissions"}};
    }
    if (status != 401 && status != 403) row.expected_fragments = fragments;
    if (status >= 200 && status < 300) row.check = on_success;
    table.push_back(std::move(row));
  }
}

std::string NodesBody(const std::vector<std::string>& nodes) {
  return JsonText(json::object{{"permissions", Strings(nodes)}});
}

std::string RoleBody(const std::string& title, const std::string& moniker,
                     const std::vector<std::string>& nodes) {
  return JsonText(
      json::object{{"title", title}, {"moniker", moniker}, {"permissions", Strings(nodes)}});
}

::testing::AssertionResult CreateRole(HttpClient& client, const Account& actor,
                                      const std::string& moniker,
                                      const std::vector<std::string>& nodes, std::string* id) {
  Response r =
      client.Request("POST", "/v1/role", actor.Auth(), RoleBody("Role " + moniker, moniker, nodes));
  if (auto ok = Expect(r, 201, "creating role " + moniker); !ok) return ok;
  json::value v = At(r, "/data/id");
  if (!v.is_string()) return ::testing::AssertionFailure() << "no role id: " << r.body;
  if (id != nullptr) *id = std::string(v.get_string());
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SetRoles(HttpClient& client, const Account& actor,
                                    const std::string& user_id,
                                    const std::vector<std::string>& roles) {
  Response r = PatchUser(client, actor, user_id, JsonText(json::object{{"roles", Strings(roles)}}));
  return Expect(r, 200, "setting roles of " + user_id);
}

::testing::AssertionResult SetDirectNodes(HttpClient& client, const Account& actor,
                                          const std::string& user_id,
                                          const std::vector<std::string>& nodes) {
  Response r = PatchUser(client, actor, user_id, NodesBody(nodes));
  return Expect(r, 200, "setting direct nodes of " + user_id);
}

std::optional<std::set<std::string>> RoleNodes(HttpClient& client, const Account& reader,
                                               const std::string& identifier) {
  Response r = client.Get("/v1/role/" + identifier, reader.Auth());
  if (r.status != 200) {
    ADD_FAILURE() << "reading role " << identifier << ": " << r.Describe();
    return std::nullopt;
  }
  return StringSet(At(r, "/data/permissions"));
}

json::value UserPermissions(HttpClient& client, const Account& reader, const std::string& user_id) {
  Response r = client.Get("/v1/user/users/" + user_id + "/permissions", reader.Auth());
  if (r.status != 200) {
    ADD_FAILURE() << "reading permissions of " << user_id << ": " << r.Describe();
    return nullptr;
  }
  return At(r, "/data");
}

std::optional<std::vector<bool>> CheckAll(HttpClient& client, const Account& who,
                                          const std::vector<std::string>& nodes) {
  Response r = client.Post("/v1/user/@me/check-permission", NodesBody(nodes), who.Auth());
  if (r.status != 200) {
    ADD_FAILURE() << "check-permission as " << who.email << ": " << r.Describe();
    return std::nullopt;
  }
  json::array results = ArrayAt(r, "/data/results");
  if (results.size() != nodes.size()) {
    ADD_FAILURE() << "check-permission answered " << results.size() << " of " << nodes.size()
                  << ": " << r.body;
    return std::nullopt;
  }
  std::vector<bool> out;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const json::object* o = results[i].if_object();
    const json::value* perm = o ? o->if_contains("permission") : nullptr;
    const json::value* has = o ? o->if_contains("hasPermission") : nullptr;
    if (!perm || !perm->is_string() || perm->get_string() != nodes[i] || !has || !has->is_bool()) {
      ADD_FAILURE() << "bad result " << i << " for " << nodes[i] << ": " << r.body;
      return std::nullopt;
    }
    out.push_back(has->get_bool());
  }
  return out;
}

std::optional<bool> Check(HttpClient& client, const Account& who, const std::string& node) {
  auto all = CheckAll(client, who, {node});
  if (!all) return std::nullopt;
  return all->front();
}

std::set<std::string> StringSet(const json::value& value) {
  std::set<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value.get_array()) {
    if (item.is_string()) out.emplace(item.get_string());
  }
  return out;
}

}  // namespace gatehouse::testing::authz
