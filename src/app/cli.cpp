#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "app/app.hpp"
#include "app/audit_cli.hpp"
#include "app/keys_cli.hpp"
#include "app/vault_cli.hpp"
#include "core/logging.hpp"

namespace gatehouse::app {
namespace {

// Registers the options named in `only` (all when empty) on `command`, as plain strings so
// the precedence flag > environment > file is decided in one place (core::ResolveConfig).
void AddConfigOptions(CLI::App& command, std::map<std::string, CLI::Option*>& seen,
                      std::map<std::string, std::string>& values,
                      const std::set<std::string>& only = {}) {
  for (const auto& option : core::ConfigOptions()) {
    if (!only.empty() && !only.contains(option.name)) continue;
    auto* flag = command.add_option("--" + option.name, values[option.name],
                                    option.help + " [env " + option.env + "]");
    flag->type_name(option.value_name);
    seen[option.name] = flag;
  }
}

core::Result<core::Config> Resolve(const std::map<std::string, CLI::Option*>& seen,
                                   const std::map<std::string, std::string>& values,
                                   std::string config_file) {
  core::ConfigSources sources;
  for (const auto& [name, flag] : seen) {
    if (flag->count() > 0) sources.flags[name] = values.at(name);
  }
  if (config_file.empty()) {
    if (const char* env = std::getenv("GATEHOUSE_CONFIG")) config_file = env;
  }
  sources.config_file = config_file;
  return core::ResolveConfig(sources);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App cli{"gatehouse: identity, access control, audit and secrets server"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", kVersion);

  std::map<std::string, std::string> values;
  std::string config_file;

  std::map<std::string, CLI::Option*> serve_flags;
  auto* serve = cli.add_subcommand("serve", "run the HTTP server (applies migrations first)");
  serve->add_option("--config", config_file, "TOML file with options [env GATEHOUSE_CONFIG]")
      ->type_name("FILE");
  AddConfigOptions(*serve, serve_flags, values);

  std::map<std::string, CLI::Option*> migrate_flags;
  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations and exit");
  migrate->add_option("--config", config_file, "TOML file with options [env GATEHOUSE_CONFIG]")
      ->type_name("FILE");
  AddConfigOptions(*migrate, migrate_flags, values,
                   {"data-dir", "database-url", "log-format", "log-level"});

  std::map<std::string, CLI::Option*> admin_flags;
  auto* admin = cli.add_subcommand("admin", "operator commands against the local database");
  admin->require_subcommand(1);
  auto* admin_create = admin->add_subcommand(
      "create", "create a super admin (no account exists on a fresh install)");
  std::string admin_email, admin_name;
  bool password_stdin = false;
  admin_create->add_option("--email", admin_email, "email address to sign in with")->required();
  admin_create->add_option("--name", admin_name, "display name");
  admin_create->add_flag("--password-stdin", password_stdin,
                         "read the password from the first line of standard input");
  admin_create->add_option("--config", config_file, "TOML file with options [env GATEHOUSE_CONFIG]")
      ->type_name("FILE");
  AddConfigOptions(*admin_create, admin_flags, values,
                   {"data-dir", "database-url", "log-format", "log-level", "jwt-key-file",
                    "password-memory", "password-iterations", "user-agent-regexes"});

  // `audit verify|prune`: each subcommand its own flag map (a shared one would keep only the
  // last subcommand's options).
  AuditCli audit_cli;
  AddAuditCommands(cli, audit_cli);
  std::map<std::string, CLI::Option*> audit_verify_flags, audit_prune_flags;
  for (CLI::App* sub : audit_cli.subcommands) {
    sub->add_option("--config", config_file, "TOML file with options [env GATEHOUSE_CONFIG]")
        ->type_name("FILE");
    AddConfigOptions(*sub, sub == audit_cli.verify ? audit_verify_flags : audit_prune_flags,
                     values, {"data-dir", "database-url", "log-format", "log-level"});
  }

  KeysCli keys_cli;
  AddKeysCommands(cli, keys_cli);
  std::vector<std::map<std::string, CLI::Option*>> keys_flags(keys_cli.subcommands.size());
  for (std::size_t i = 0; i < keys_cli.subcommands.size(); ++i) {
    keys_cli.subcommands[i]
        ->add_option("--config", config_file, "TOML file with options [env GATEHOUSE_CONFIG]")
        ->type_name("FILE");
    AddConfigOptions(*keys_cli.subcommands[i], keys_flags[i], values,
                     {"data-dir", "database-url", "log-format", "log-level", "jwt-key-file",
                      "user-agent-regexes", "geoip-database"});
  }
  const std::map<std::string, CLI::Option*>* keys_parsed = nullptr;

  VaultCli vault_cli;
  AddVaultCommands(cli, vault_cli);
  std::map<std::string, CLI::Option*> vault_flags;
  vault_cli.rotate
      ->add_option("--config", config_file, "TOML file with options [env GATEHOUSE_CONFIG]")
      ->type_name("FILE");
  AddConfigOptions(*vault_cli.rotate, vault_flags, values,
                   {"data-dir", "database-url", "log-format", "log-level", "master-key",
                    "master-key-file", "jwt-key-file", "user-agent-regexes"});

  auto* version = cli.add_subcommand("version", "print the version and exit");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (version->parsed()) {
    std::cout << "gatehouse " << kVersion << "\n";
    return 0;
  }

  for (std::size_t i = 0; i < keys_cli.subcommands.size(); ++i) {
    if (keys_cli.subcommands[i]->parsed()) keys_parsed = &keys_flags[i];
  }
  const auto& flags = serve->parsed()               ? serve_flags
                      : admin_create->parsed()      ? admin_flags
                      : audit_cli.verify->parsed()  ? audit_verify_flags
                      : audit_cli.prune->parsed()   ? audit_prune_flags
                      : keys_parsed != nullptr      ? *keys_parsed
                      : vault_cli.Parsed()          ? vault_flags
                                                    : migrate_flags;
  auto config = Resolve(flags, values, config_file);
  if (!config) {
    std::fprintf(stderr, "gatehouse: %s\n", config.error().public_message.c_str());
    return 2;
  }
  core::InitLogging({.format = config->log_format,
                     .level = config->log_level,
                     .access_log = config->access_log});
  if (serve->parsed()) return Serve(*config);
  if (admin_create->parsed()) return AdminCreate(*config, admin_email, admin_name, password_stdin);
  if (keys_cli.Parsed()) return Keys(*config, keys_cli);
  if (vault_cli.Parsed()) return Vault(*config, vault_cli);
  if (audit_cli.Parsed()) return RunAuditCommand(audit_cli, *config, std::cout, std::cerr);
  return Migrate(*config);
}

}  // namespace gatehouse::app
