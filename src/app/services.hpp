// The object graph behind `serve` and the operator commands: store, keys, hashing and the
// module services, built once from the configuration in dependency order.
//
//   auto services = Services::Build(config, /*for_server=*/true);
//   if (!services) { spdlog::error(...); return 1; }
//   (*services)->auth->Login(...);
#pragma once

#include <memory>

#include "audit/group_writer.hpp"
#include "audit/recorder.hpp"
#include "audit/service.hpp"
#include "audit/user_agent.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "events/bus.hpp"
#include "modules/apikeys/authenticator.hpp"
#include "modules/apikeys/service.hpp"
#include "modules/auth/service.hpp"
#include "modules/realtime/hub.hpp"
#include "modules/roles/service.hpp"
#include "modules/sessions/service.hpp"
#include "modules/users/service.hpp"
#include "modules/vault/service.hpp"
#include "security/login_throttle.hpp"
#include "security/master_keyring.hpp"
#include "security/password_hasher.hpp"
#include "security/signing_key_store.hpp"
#include "security/token_service.hpp"
#include "store/database.hpp"

namespace gatehouse::app {

struct Services {
  core::SystemClock clock;
  events::Bus bus;
  std::unique_ptr<store::Database> db;
  std::shared_ptr<const security::SigningKeyStore> keys;
  std::unique_ptr<security::TokenService> tokens;
  std::unique_ptr<security::PasswordHasher> hasher;
  std::unique_ptr<security::LoginThrottle> throttle;
  std::shared_ptr<const audit::UserAgentParser> user_agents;
  std::unique_ptr<audit::Recorder> recorder;
  std::unique_ptr<audit::AuditService> audit;
  std::unique_ptr<audit::GroupWriter> audit_writer;  // started by `serve` only
  std::unique_ptr<modules::sessions::SessionService> sessions;
  std::unique_ptr<modules::users::UserService> users;
  std::unique_ptr<modules::auth::AuthService> auth;
  std::unique_ptr<modules::roles::RoleService> roles;
  std::unique_ptr<modules::apikeys::ApiKeyService> api_keys;  // before db closes: Stop()
  std::unique_ptr<modules::apikeys::ApiKeyAuthenticator> api_key_auth;
  std::shared_ptr<security::MasterKeyring> master_keys;
  std::unique_ptr<modules::vault::VaultService> vault;  // VerifyMasterKeys() before use
  // Last: it subscribes to the services above (and to the bus after their resync handlers).
  std::unique_ptr<modules::realtime::Hub> realtime;

  // Opens and migrates the store, loads (or creates) the signing key, and wires the services.
  // `db_pool_size` connections; the error names what failed.
  static core::Result<std::unique_ptr<Services>> Build(const core::Config& config,
                                                      unsigned db_pool_size);
  // Stops the event transport first: its thread calls into the services below.
  ~Services() {
    if (audit_writer) audit_writer->Stop();
    bus.Stop();
  }
};

}  // namespace gatehouse::app
