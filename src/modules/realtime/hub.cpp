#include "modules/realtime/hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "modules/realtime/messages.hpp"

namespace gatehouse::modules::realtime {
namespace {

// The root key is configured, not stored: nothing to re-check.
constexpr std::string_view kRootKeyId = "root";

boost::json::array ToArray(const std::vector<std::string>& items) {
  boost::json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

std::string StringField(const boost::json::object& data, std::string_view name) {
  const auto* value = data.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

bool BoolField(const boost::json::object& data, std::string_view name) {
  const auto* value = data.if_contains(name);
  return value != nullptr && value->is_bool() && value->get_bool();
}

}  // namespace

Hub::Hub(events::Bus& bus, const core::Clock& clock, users::UserService& users,
         sessions::SessionService& sessions, roles::RoleService& roles,
         apikeys::ApiKeyService& keys)
    : bus_(bus), clock_(clock), users_(users), sessions_(sessions), roles_(roles), keys_(keys) {
  // The services' change hooks fire on the node that made the change; publishing them on the
  // bus delivers them here (synchronously) and to every other node through the transport.
  // user.access_changed: {"id": user id, "roles": bool, "permissions": bool,
  //                       "status": "active" | "banned" | "deleted"}
  users_.OnChange([this](const std::string& user_id, bool roles_changed, bool nodes_changed,
                         users::UserStatus status) {
    if (!roles_changed && !nodes_changed && status == users::UserStatus::kActive) return;
    bus_.Publish(kUserAccessChangedTopic, {{"id", user_id},
                                           {"roles", roles_changed},
                                           {"permissions", nodes_changed},
                                           {"status", users::StatusName(status)}});
  });
  // role.nodes_changed: {"id": role id}. Holders are not carried (a role may have thousands,
  // beyond a NOTIFY payload): each node knows which of its sockets hold the role.
  roles_.OnChange([this](const std::string& role_id, const std::vector<std::string>&) {
    bus_.Publish(kRoleNodesChangedTopic, {{"id", role_id}});
  });
  // Revocations already travel between nodes ("session.revoked"); the sessions service calls
  // its listeners for local and remote ones alike.
  sessions_.OnRevoked([this](const std::vector<std::string>& ids) { OnSessionsRevoked(ids); });
  bus_.Subscribe(kUserAccessChangedTopic,
                 [this](const events::Event& event) { OnUserAccessChanged(event); });
  bus_.Subscribe(kRoleNodesChangedTopic,
                 [this](const events::Event& event) { OnRoleNodesChanged(event); });
  bus_.Subscribe("apikey.changed", [this](const events::Event& event) { OnApiKeyChanged(event); });
  // Registered after the sessions and users services' own resync handlers, so revocations and
  // accounts are re-read from the store by the time this runs.
  bus_.OnResync([this] { Resync(); });
}

std::uint64_t Hub::Add(std::shared_ptr<Connection> connection, Subscriber who) {
  std::vector<std::string> roles;
  if (!who.user_id.empty()) {
    if (auto profile = users_.Access(who.user_id); profile) roles = (*profile)->role_ids;
  }
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    Index(by_user_, who.user_id, id);
    Index(by_session_, who.session_id, id);
    Index(by_key_, who.api_key_id, id);
    for (const auto& role : roles) Index(by_role_, role, id);
    sockets_.emplace(id, Entry{connection, who, std::move(roles)});
  }
  // A revocation between authentication and registration would have found no socket.
  if (!who.session_id.empty() && sessions_.IsRevoked(who.session_id)) {
    OnSessionsRevoked({who.session_id});
  }
  return id;
}

void Hub::Remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  const Entry& entry = it->second;
  Unindex(by_user_, entry.who.user_id, id);
  Unindex(by_session_, entry.who.session_id, id);
  Unindex(by_key_, entry.who.api_key_id, id);
  for (const auto& role : entry.roles) Unindex(by_role_, role, id);
  sockets_.erase(it);
}

std::size_t Hub::size() const {
  std::lock_guard lock(mutex_);
  return sockets_.size();
}

std::size_t Hub::SendToUser(const std::string& user_id, std::string_view type,
                            boost::json::object data) {
  const auto targets = Collect(by_user_, user_id);
  if (targets.empty()) return 0;
  return SendAll(targets, Encode(type, std::move(data), clock_.Now()));
}

void Hub::OnSessionsRevoked(const std::vector<std::string>& session_ids) {
  for (const auto& session_id : session_ids) {
    const auto targets = Collect(by_session_, session_id);
    if (targets.empty()) continue;
    SendAll(targets, Encode(kSessionRevoked, {{"sessionId", session_id}}, clock_.Now()));
    for (const auto& target : targets) target->Close(CloseReason::kSessionRevoked);
  }
}

void Hub::EndAccount(const std::string& user_id, users::UserStatus status) {
  const auto targets = Collect(by_user_, user_id);
  if (targets.empty()) return;
  const bool banned = status == users::UserStatus::kBanned;
  SendAll(targets, Encode(banned ? kAccountBanned : kAccountDeleted, {{"userId", user_id}},
                          clock_.Now()));
  for (const auto& target : targets) {
    target->Close(banned ? CloseReason::kAccountBanned : CloseReason::kAccountDeleted);
  }
}

void Hub::OnUserAccessChanged(const events::Event& event) {
  const std::string user_id = StringField(event.data, "id");
  if (user_id.empty()) return;
  const auto status = users::ParseStatus(StringField(event.data, "status"));
  if (status && *status != users::UserStatus::kActive) {
    EndAccount(user_id, *status);
    return;
  }
  const bool roles_changed = BoolField(event.data, "roles");
  const bool nodes_changed = BoolField(event.data, "permissions");
  if (!roles_changed && !nodes_changed) return;
  if (Collect(by_user_, user_id).empty()) return;  // nobody here to tell
  // The cached profile was dropped by "user.changed", published before this event.
  auto profile = users_.Access(user_id);
  if (!profile) {
    spdlog::warn("realtime: cannot read user {}: {}", user_id, profile.error().internal_message);
    return;
  }
  const auto& access = **profile;
  RefreshRoles(user_id, access.role_ids);
  const auto targets = Collect(by_user_, user_id);
  if (roles_changed) {
    SendAll(targets, Encode(kRolesUpdated,
                            {{"userId", user_id},
                             {"roleIds", ToArray(access.role_ids)},
                             {"roles", ToArray(access.role_titles)},
                             {"permissions", ToArray(access.effective)}},
                            clock_.Now()));
  }
  if (nodes_changed) {
    SendAll(targets, Encode(kPermissionsUpdated,
                            {{"userId", user_id}, {"permissions", ToArray(access.effective)}},
                            clock_.Now()));
  }
}

void Hub::OnRoleNodesChanged(const events::Event& event) {
  const std::string role_id = StringField(event.data, "id");
  if (role_id.empty()) return;
  const auto targets = Collect(by_role_, role_id);
  if (targets.empty()) return;
  boost::json::object data{{"roleId", role_id}};
  auto role = roles_.Get(role_id);
  if (role) {
    data["moniker"] = role->moniker;
    data["title"] = role->title;
    data["permissions"] = ToArray(role->permissions);
    data["deleted"] = false;
  } else if (role.error().code == core::ErrorCode::kNotFound) {
    data["moniker"] = nullptr;
    data["title"] = nullptr;
    data["permissions"] = boost::json::array{};
    data["deleted"] = true;
    // Its holders no longer hold it.
    std::lock_guard lock(mutex_);
    auto it = by_role_.find(role_id);
    if (it != by_role_.end()) {
      for (auto id : it->second) {
        auto socket = sockets_.find(id);
        if (socket == sockets_.end()) continue;
        auto& roles = socket->second.roles;
        roles.erase(std::remove(roles.begin(), roles.end(), role_id), roles.end());
      }
      by_role_.erase(it);
    }
  } else {
    spdlog::warn("realtime: cannot read role {}: {}", role_id, role.error().internal_message);
    return;
  }
  SendAll(targets, Encode(kRolePermissionsChanged, std::move(data), clock_.Now()));
}

void Hub::OnApiKeyChanged(const events::Event& event) { CheckKeys(StringField(event.data, "id")); }

void Hub::CheckKeys(const std::string& only) {
  std::vector<std::string> key_ids;
  {
    std::lock_guard lock(mutex_);
    if (!only.empty()) {
      // The service names a changed key by its id: only that key's sockets need a look.
      if (only != kRootKeyId && by_key_.contains(only)) key_ids.push_back(only);
    } else {
      for (const auto& [key_id, ids] : by_key_) {
        if (key_id != kRootKeyId) key_ids.push_back(key_id);
      }
    }
  }
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  for (const auto& key_id : key_ids) {
    auto key = keys_.Get(key_id);
    if (key && key->Usable(now)) continue;
    if (!key && key.error().code != core::ErrorCode::kNotFound) continue;  // store trouble
    const auto targets = Collect(by_key_, key_id);
    SendAll(targets, Encode(kForceLogout, {{"reason", "apiKeyRevoked"}}, clock_.Now()));
    for (const auto& target : targets) target->Close(CloseReason::kCredentialRevoked);
  }
}

bool Hub::RefreshRoles(const std::string& user_id, const std::vector<std::string>& roles) {
  std::lock_guard lock(mutex_);
  auto it = by_user_.find(user_id);
  if (it == by_user_.end()) return false;
  bool changed = false;
  for (auto id : it->second) {
    auto socket = sockets_.find(id);
    if (socket == sockets_.end()) continue;
    auto& held = socket->second.roles;
    if (held == roles) continue;
    changed = true;
    for (const auto& role : held) Unindex(by_role_, role, id);
    held = roles;
    for (const auto& role : held) Index(by_role_, role, id);
  }
  return changed;
}

void Hub::Resync() {
  std::vector<std::string> sessions, users;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, ids] : by_session_) sessions.push_back(id);
    for (const auto& [id, ids] : by_user_) users.push_back(id);
  }
  spdlog::info("realtime: resynchronising {} socket(s) after the event channel reconnected",
               size());
  std::vector<std::string> revoked;
  for (const auto& id : sessions) {
    if (sessions_.IsRevoked(id)) revoked.push_back(id);
  }
  OnSessionsRevoked(revoked);
  for (const auto& user_id : users) {
    auto profile = users_.Access(user_id);
    if (!profile) {
      if (profile.error().code == core::ErrorCode::kNotFound) {
        EndAccount(user_id, users::UserStatus::kDeleted);
      }
      continue;
    }
    const auto& access = **profile;
    if (access.status != users::UserStatus::kActive) {
      EndAccount(user_id, access.status);
      continue;
    }
    // Role memberships may have changed while events were lost: tell the user's sockets.
    if (RefreshRoles(user_id, access.role_ids)) {
      SendAll(Collect(by_user_, user_id),
              Encode(kRolesUpdated,
                     {{"userId", user_id},
                      {"roleIds", ToArray(access.role_ids)},
                      {"roles", ToArray(access.role_titles)},
                      {"permissions", ToArray(access.effective)}},
                     clock_.Now()));
    }
  }
  CheckKeys("");
}

Hub::Targets Hub::Collect(const std::unordered_map<std::string, Ids>& index,
                          const std::string& key) const {
  Targets out;
  std::lock_guard lock(mutex_);
  auto it = index.find(key);
  if (it == index.end()) return out;
  out.reserve(it->second.size());
  for (auto id : it->second) {
    auto socket = sockets_.find(id);
    if (socket != sockets_.end()) out.push_back(socket->second.connection);
  }
  return out;
}

std::size_t Hub::SendAll(const Targets& targets,
                         const std::shared_ptr<const std::string>& frame) {
  std::size_t sent = 0;
  for (const auto& target : targets) sent += target->Send(frame) ? 1 : 0;
  return sent;
}

void Hub::Index(std::unordered_map<std::string, Ids>& index, const std::string& key,
                std::uint64_t id) {
  if (!key.empty()) index[key].insert(id);
}

void Hub::Unindex(std::unordered_map<std::string, Ids>& index, const std::string& key,
                  std::uint64_t id) {
  if (key.empty()) return;
  auto it = index.find(key);
  if (it == index.end()) return;
  it->second.erase(id);
  if (it->second.empty()) index.erase(it);
}

}  // namespace gatehouse::modules::realtime
