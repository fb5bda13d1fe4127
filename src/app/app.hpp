// The application: the command line (serve | migrate | version | ...) and the wiring that
// assembles the store, services, routes and the HTTP server for `serve`.
//
//   int main(int argc, char** argv) { return gatehouse::app::Main(argc, argv); }
#pragma once

#include <string>

#include "core/config.hpp"

namespace gatehouse::app {

inline constexpr const char* kVersion = "0.1.0";

int Main(int argc, char** argv);

// `gatehouse serve`: returns the process exit code.
int Serve(const core::Config& config);
// `gatehouse migrate`.
int Migrate(const core::Config& config);
struct KeysCli;
// `gatehouse keys create|list|revoke|rotate` (app/keys_cli.hpp).
int Keys(const core::Config& config, const KeysCli& keys);
struct VaultCli;
// `gatehouse vault rotate-master-key` (app/vault_cli.hpp).
int Vault(const core::Config& config, const VaultCli& vault);
// `gatehouse admin create --email E --password-stdin [--name N]`: a super admin.
int AdminCreate(const core::Config& config, const std::string& email, const std::string& name,
                bool password_from_stdin);

}  // namespace gatehouse::app
