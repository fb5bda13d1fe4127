// The realtime hub: the registry of this node's connected sockets (by user, session, API key and
// role) and the fan-out of seed 001's server messages to them. It knows nothing of WebSockets:
// a socket is a Connection. Domain changes reach it through the event bus, so an action on any
// node of the deployment reaches the sockets held by every node:
//   session.revoked            (sessions) -> sessionRevoked, then close
//   user.access_changed        (published here from UserService::OnChange)
//                                -> accountBanned / accountDeleted, then close;
//                                   rolesUpdated / permissionsUpdated
//   role.nodes_changed         (published here from RoleService::OnChange; the role id only,
//                               each node finds its own holders) -> rolePermissionsChanged
//   apikey.changed             (apikeys) -> forceLogout, then close, for a key that stopped working
//   resync (transport reconnected) -> every socket's session, account, roles and key re-read
//
//   Hub hub(bus, clock, users, sessions, roles, keys);
//   auto id = hub.Add(connection, {.user_id = p.user_id, .session_id = p.session_id});
//   hub.Remove(id);
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "events/bus.hpp"
#include "modules/apikeys/service.hpp"
#include "modules/roles/service.hpp"
#include "modules/sessions/service.hpp"
#include "modules/users/service.hpp"

namespace gatehouse::modules::realtime {

// Bus topics this module publishes (the payloads are documented in hub.cpp).
inline constexpr const char* kUserAccessChangedTopic = "user.access_changed";
inline constexpr const char* kRoleNodesChangedTopic = "role.nodes_changed";

// Why the hub closes a socket; the transport maps each to a close code and reason.
enum class CloseReason { kSessionRevoked, kAccountBanned, kAccountDeleted, kCredentialRevoked };

// One connected socket as the hub sees it. Implementations never block.
class Connection {
 public:
  virtual ~Connection() = default;
  // False when the socket is closing or its queue overflowed (it is then being closed).
  virtual bool Send(std::shared_ptr<const std::string> frame) = 0;
  // Closes after the frames already sent.
  virtual void Close(CloseReason reason) = 0;
};

// Who is on the other end: the authenticated principal's ids (empty when not applicable).
struct Subscriber {
  std::string user_id;
  std::string session_id;  // bearer-token sockets
  std::string api_key_id;  // API-key sockets
};

class Hub {
 public:
  Hub(events::Bus& bus, const core::Clock& clock, users::UserService& users,
      sessions::SessionService& sessions, roles::RoleService& roles,
      apikeys::ApiKeyService& keys);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Registers a socket (reads the user's roles). Returns its id for Remove.
  std::uint64_t Add(std::shared_ptr<Connection> connection, Subscriber who);
  void Remove(std::uint64_t id);
  std::size_t size() const;

  // Sends one message to every socket of a user on this node (the email flows will use it
  // for emailLinkVerified and emailChangeVerified); returns how many sockets took it.
  std::size_t SendToUser(const std::string& user_id, std::string_view type,
                         boost::json::object data);

 private:
  struct Entry {
    std::shared_ptr<Connection> connection;
    Subscriber who;
    std::vector<std::string> roles;
  };
  using Ids = std::unordered_set<std::uint64_t>;
  using Targets = std::vector<std::shared_ptr<Connection>>;

  void OnSessionsRevoked(const std::vector<std::string>& session_ids);
  void OnUserAccessChanged(const events::Event& event);
  void OnRoleNodesChanged(const events::Event& event);
  void OnApiKeyChanged(const events::Event& event);
  void Resync();

  // Account gone (banned/deleted): message, then close, on every socket of the user.
  void EndAccount(const std::string& user_id, users::UserStatus status);
  // Re-reads the user's roles into the registry; true when they differ from what it had.
  bool RefreshRoles(const std::string& user_id, const std::vector<std::string>& roles);
  // Checks the API keys of sockets (all when `only` is empty); forceLogout for dead ones.
  void CheckKeys(const std::string& only);

  Targets Collect(const std::unordered_map<std::string, Ids>& index, const std::string& key) const;
  static std::size_t SendAll(const Targets& targets, const std::shared_ptr<const std::string>& frame);
  void Index(std::unordered_map<std::string, Ids>& index, const std::string& key, std::uint64_t id);
  void Unindex(std::unordered_map<std::string, Ids>& index, const std::string& key,
               std::uint64_t id);

  events::Bus& bus_;
  const core::Clock& clock_;
  users::UserService& users_;
  sessions::SessionService& sessions_;
  roles::RoleService& roles_;
  apikeys::ApiKeyService& keys_;

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Entry> sockets_;
  std::unordered_map<std::string, Ids> by_user_;
  std::unordered_map<std::string, Ids> by_session_;
  std::unordered_map<std::string, Ids> by_key_;
  std::unordered_map<std::string, Ids> by_role_;
};

}  // namespace gatehouse::modules::realtime
