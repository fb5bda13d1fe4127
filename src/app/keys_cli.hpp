// `gatehouse keys …`: API keys managed from the command line against the local database, for
// operators without a token. Acts as the operator (like the root key: no permission checks,
// but a key still never exceeds its owner's permissions), and audits every change.
//
//   KeysCli keys;  AddKeysCommands(cli, keys);          // before cli.parse()
//   for (CLI::App* sub : keys.subcommands) AddConfigOptions(*sub, ...);   // data-dir, …
//   if (keys.Parsed()) return RunKeysCommand(keys, *services->api_keys, std::cout, std::cerr);
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gatehouse::modules::apikeys {
class ApiKeyService;
}

namespace gatehouse::app {

struct KeysCli {
  CLI::App* keys = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* rotate = nullptr;
  std::vector<CLI::App*> subcommands;  // create, list, revoke, rotate

  // Parsed values.
  std::string user;    // create: owner (id, email or login); list: filter
  std::string scopes;  // create: comma-separated
  std::string name = "cli";
  std::string description;
  std::string expires_in;         // create: "30d", "12h", "3600" (seconds)
  std::string rate_limit;         // create: "100/60" = 100 requests per 60 s
  std::string key_id;             // revoke, rotate: id, public id or gh_ prefix
  std::int64_t grace_period = 0;  // rotate: seconds
  bool active_only = false;       // list
  bool json = false;              // machine-readable output

  bool Parsed() const;
};

// Registers `keys create|list|revoke|rotate` on `root`, writing into `keys`.
void AddKeysCommands(CLI::App& root, KeysCli& keys);

// Runs the parsed subcommand. A new key is printed once, on `out`; errors go to `err`.
// Returns the process exit code (0 ok, 1 refused or failed, 2 bad arguments).
int RunKeysCommand(const KeysCli& keys, modules::apikeys::ApiKeyService& service, std::ostream& out,
                   std::ostream& err);

}  // namespace gatehouse::app
