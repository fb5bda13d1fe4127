#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <iostream>
#include <thread>

#include "app/app.hpp"
#include "app/keys_cli.hpp"
#include "app/vault_cli.hpp"
#include "app/services.hpp"
#include "authz/catalog.hpp"
#include "http/dispatcher.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "modules/apikeys/routes.hpp"
#include "modules/audit/routes.hpp"
#include "modules/auth/routes.hpp"
#include "modules/permissions/routes.hpp"
#include "modules/realtime/routes.hpp"
#include "modules/roles/routes.hpp"
#include "modules/sessions/routes.hpp"
#include "modules/system/routes.hpp"
#include "modules/users/routes.hpp"
#include "modules/vault/routes.hpp"
#include "store/migrations.hpp"

namespace gatehouse::app {
namespace {

unsigned Cores() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// Idle keep-alive connections and WebSockets each hold a descriptor; use what the hard limit
// allows. Returns the soft limit in effect (0 if unknown).
std::size_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  const auto before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  spdlog::info("open-file limit {} (was {}, hard limit {})", limit.rlim_cur, before,
               limit.rlim_max);
  return limit.rlim_cur == RLIM_INFINITY ? 0 : static_cast<std::size_t>(limit.rlim_cur);
}

// Descriptors kept back from the connection cap: the store, the event channel, log files.
constexpr std::size_t kReservedDescriptors = 128;

void LogStartError(std::string_view what, const core::Error& error) {
  spdlog::error("{}: {}", what, error.public_message);
  if (!error.internal_message.empty()) spdlog::error("detail: {}", error.internal_message);
}

}  // namespace

int Migrate(const core::Config& config) {
  auto database = store::Database::Open(
      {.url = config.database_url, .data_dir = config.data_dir, .pool_size = 1});
  if (!database) {
    LogStartError("migrate failed", database.error());
    return 1;
  }
  auto report = store::Migrate(**database);
  if (!report) {
    LogStartError("migrate failed", report.error());
    return 1;
  }
  spdlog::info("database {} is at schema version {} ({} migration(s) applied)",
               (*database)->Describe(), report->to_version, report->applied.size());
  (*database)->Close();
  return 0;
}

int AdminCreate(const core::Config& config, const std::string& email, const std::string& name,
                bool password_from_stdin) {
  if (!password_from_stdin) {
    spdlog::error("admin create: pass the password on standard input with --password-stdin");
    return 2;
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  auto services = Services::Build(config, 1);
  if (!services) {
    LogStartError("admin create failed", services.error());
    return 1;
  }
  auto user = (*services)->auth->CreateSuperAdmin(
      email, password, name.empty() ? std::nullopt : std::optional<std::string>(name));
  if (!user) {
    std::string detail = user.error().public_message;
    for (const auto& field : user.error().details) {
      detail += "; " + (field.path.empty() ? std::string() : field.path.front() + ": ") +
                field.message;
    }
    spdlog::error("admin create failed: {}", detail);
    return 1;
  }
  spdlog::info("created super admin {} ({})", user->email, user->id);
  std::cout << user->id << "\n";
  return 0;
}

int Keys(const core::Config& config, const KeysCli& keys) {
  auto services = Services::Build(config, 1);
  if (!services) {
    LogStartError("keys failed", services.error());
    return 1;
  }
  return RunKeysCommand(keys, *(*services)->api_keys, std::cout, std::cerr);
}

int Vault(const core::Config& config, const VaultCli& vault) {
  auto services = Services::Build(config, 1);
  if (!services) {
    LogStartError("vault failed", services.error());
    return 1;
  }
  return RunVaultCommand(vault, *(*services)->vault, std::cout, std::cerr);
}

int Serve(const core::Config& config) {
  const std::size_t file_limit = RaiseFileLimit();
  std::size_t max_connections = config.max_connections;
  if (file_limit > kReservedDescriptors && max_connections > file_limit - kReservedDescriptors) {
    max_connections = file_limit - kReservedDescriptors;
    spdlog::warn("connection cap lowered from {} to {} by the open-file limit",
                 config.max_connections, max_connections);
  }
  const unsigned io_threads = config.io_threads != 0 ? config.io_threads : Cores();
  const unsigned workers = config.workers != 0 ? config.workers : 2 * Cores();

  auto built = Services::Build(config, config.db_pool_size != 0 ? config.db_pool_size
                                                                 : workers + 2);
  if (!built) {
    LogStartError("cannot start", built.error());
    return 1;
  }
  Services& services = **built;
  // Never serve secrets under a master key that does not match the one the data was sealed
  // with: refuse to start, with one line saying which version and where the keys came from.
  if (auto keys = services.vault->VerifyMasterKeys(); !keys) {
    spdlog::critical("cannot start: {}", keys.error().public_message);
    return 1;
  }

  http::Router router;
  modules::system::BindSystemRoutes(router, {.database = services.db.get(), .version = kVersion});
  modules::auth::BindAuthRoutes(router, *services.auth, *services.tokens);
  modules::users::BindUserRoutes(router, *services.users, *services.sessions);
  modules::sessions::BindSessionRoutes(router, *services.sessions);
  modules::roles::BindRoleRoutes(router, *services.roles);
  modules::apikeys::BindApiKeyRoutes(router, *services.api_keys);
  modules::audit::BindAuditRoutes(router, *services.audit, *services.audit_writer);
  modules::vault::BindVaultRoutes(router, *services.vault);
  const http::Authenticator authenticator = modules::apikeys::WithApiKeys(
      modules::auth::MakeAuthenticator(*services.auth), *services.api_key_auth);
  const http::WebSocketEndpoint websocket =
      modules::realtime::MakeWebSocketEndpoint(*services.realtime, authenticator);
  modules::realtime::BindRealtimeRoutes(router, websocket);
  modules::permissions::BindPermissionRoutes(router);  // last: it lists everyone's nodes
  // Every node a route declares must be in the catalog, or clients could never be granted it
  // knowingly: a programming error, caught by every test that starts the server.
  for (const auto& route : router.routes()) {
    for (const auto* list : {&route->access.nodes, &route->access.conditional}) {
      for (const auto& node : *list) {
        if (authz::FindNode(node) == nullptr) {
          spdlog::critical("route {} {} declares node '{}' missing from the catalog",
                           http::MethodName(route->method), route->pattern, node);
          return 70;
        }
      }
    }
  }

  http::Dispatcher dispatcher(router,
                              {.cors_origins = config.cors_origins,
                               .trusted_proxies = config.trusted_proxies},
                              authenticator);
  http::Server server({.host = config.listen_host,
                       .port = config.listen_port,
                       .io_threads = io_threads,
                       .workers = workers,
                       .worker_queue = config.worker_queue,
                       .max_connections = max_connections,
                       .header_limit = config.header_limit,
                       .body_limit = config.body_limit,
                       .read_timeout = config.read_timeout,
                       .idle_timeout = config.idle_timeout,
                       .shutdown_timeout = config.shutdown_timeout,
                       .websocket = &websocket},
                      dispatcher);
  services.audit_writer->Start();
  auto port = server.Listen();
  if (!port) {
    spdlog::error("{}", port.error().public_message);
    return 1;
  }
  const std::string host =
      config.listen_host.find(':') != std::string::npos ? "[" + config.listen_host + "]"
                                                        : config.listen_host;
  spdlog::info("gatehouse {} using {} ({} I/O threads, {} workers)", kVersion,
               services.db->Describe(), io_threads, workers);
  // Scripts and tests wait for this line, so it is written whatever the log level.
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::info);
  spdlog::info("listening on http://{}:{}", host, *port);
  spdlog::set_level(level);
  server.Run();
  services.api_keys->Stop();  // writes the last usage counts while the store is open
  services.audit_writer->Stop();  // answers every queued event before the store closes
  services.bus.Stop();
  services.db->Close();
  spdlog::info("store closed");
  return 0;
}

}  // namespace gatehouse::app
