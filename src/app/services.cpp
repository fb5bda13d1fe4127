#include "app/services.hpp"

#include <spdlog/spdlog.h>

#include "audit/geoip.hpp"
#include "events/pg_transport.hpp"
#include "store/migrations.hpp"

namespace gatehouse::app {

core::Result<std::unique_ptr<Services>> Services::Build(const core::Config& config,
                                                        unsigned db_pool_size) {
  auto s = std::make_unique<Services>();

  auto db = store::Database::Open(
      {.url = config.database_url, .data_dir = config.data_dir, .pool_size = db_pool_size});
  if (!db) return db.error();
  s->db = std::move(*db);
  auto report = store::Migrate(*s->db);
  if (!report) return report.error();
  if (!report->applied.empty()) {
    spdlog::info("database migrated from version {} to {}", report->from_version,
                 report->to_version);
  }

  auto keys = security::SigningKeyStore::Load(
      {.data_dir = config.data_dir, .key_path = config.jwt_key_file});
  if (!keys) return keys.error();
  s->keys = std::make_shared<const security::SigningKeyStore>(std::move(*keys));
  s->tokens = std::make_unique<security::TokenService>(
      s->keys, s->clock,
      security::TokenOptions{
          .issuer = config.jwt_issuer,
          .audience = config.jwt_audience,
          .access_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.access_token_ttl),
      });

  const security::PasswordParams params{.ops_limit = config.password_iterations,
                                        .mem_limit = config.password_memory};
  if (auto status = security::PasswordHasher::CheckParams(params); !status) {
    return core::InvalidArgument("invalid password hashing parameters: " +
                                 status.error().public_message);
  }
  s->hasher = std::make_unique<security::PasswordHasher>(params, config.password_concurrency);
  s->throttle = std::make_unique<security::LoginThrottle>(
      s->clock,
      security::LoginThrottleOptions{.account_failures_per_hour = config.login_failures_per_hour});

  auto parser = audit::UserAgentParser::Load(config.user_agent_regexes);
  if (parser) {
    s->user_agents = std::move(*parser);
  } else {
    // Sessions still work without device details; say so once.
    spdlog::warn("user-agent parsing disabled: {}", parser.error().public_message);
  }

  std::shared_ptr<const audit::GeoLocator> geo;
  if (!config.geoip_database.empty()) {
    auto opened = audit::MaxMindLocator::Open(config.geoip_database);
    if (!opened) return opened.error();
    geo = std::move(*opened);
  }
  s->recorder = std::make_unique<audit::Recorder>(s->clock, std::move(geo));
  s->audit = std::make_unique<audit::AuditService>(*s->db, s->clock, *s->recorder);
  s->audit_writer = std::make_unique<audit::GroupWriter>(*s->db, *s->recorder);
  s->sessions = std::make_unique<modules::sessions::SessionService>(
      *s->db, s->clock, *s->tokens,
      modules::sessions::SessionOptions{
          .absolute_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.session_ttl),
          .idle_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.session_idle_ttl),
          .reuse_grace =
              std::chrono::duration_cast<std::chrono::seconds>(config.refresh_reuse_grace),
      },
      s->user_agents, s->bus, *s->recorder);
  if (auto status = s->sessions->LoadRevocations(); !status) return status.error();
  s->users = std::make_unique<modules::users::UserService>(*s->db, s->clock, *s->sessions, s->bus,
                                                           *s->recorder);
  s->auth = std::make_unique<modules::auth::AuthService>(
      *s->db, *s->users, *s->sessions, *s->hasher, *s->throttle, *s->tokens, s->clock,
      *s->recorder, modules::auth::AuthOptions{.registration_enabled = config.allow_registration});
  s->roles =
      std::make_unique<modules::roles::RoleService>(*s->db, s->clock, *s->users, *s->recorder);

  s->api_keys = std::make_unique<modules::apikeys::ApiKeyService>(*s->db, s->clock, *s->users,
                                                                  *s->recorder, s->bus);
  s->api_key_auth = std::make_unique<modules::apikeys::ApiKeyAuthenticator>(
      *s->api_keys, *s->users, *s->db, *s->recorder, s->clock, config.root_api_key);

  auto master_keys = security::MasterKeyring::Load({.data_dir = config.data_dir,
                                                   .keyring_text = config.master_key,
                                                   .keyring_file = config.master_key_file});
  if (!master_keys) return master_keys.error();
  s->master_keys = std::move(*master_keys);
  s->vault = std::make_unique<modules::vault::VaultService>(*s->db, s->clock, *s->recorder,
                                                            s->master_keys, s->audit_writer.get());
  s->realtime = std::make_unique<modules::realtime::Hub>(s->bus, s->clock, *s->users,
                                                         *s->sessions, *s->roles, *s->api_keys);

  // Several nodes share a PostgreSQL database: carry revocations and cache invalidations
  // between them. (A SQLite file has one node; the bus stays in-process.)
  if (s->db->dialect() == store::Dialect::kPostgres) {
    auto transport = events::PgTransport::Start(config.database_url, s->bus);
    if (!transport) return transport.error();
    s->bus.SetTransport(std::move(*transport));
  }
  return s;
}

}  // namespace gatehouse::app
