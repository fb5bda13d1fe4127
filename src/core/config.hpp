// Server configuration: one table of options, each settable by flag, environment variable
// (GATEHOUSE_*) or TOML file, in that order of precedence.
//
//   ConfigSources sources{.flags = {{"listen", "127.0.0.1:0"}}, .config_file = "gatehouse.toml"};
//   Result<Config> config = ResolveConfig(sources);   // one clear error naming a bad option
//   for (const OptionSpec& o : ConfigOptions()) app.add_option("--" + o.name, ...);
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace gatehouse::core {

struct Config {
  // Listener
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned io_threads = 0;          // 0 = one per core
  unsigned workers = 0;             // handler threads; 0 = 2 per core (handlers may block on DB)
  std::size_t worker_queue = 1024;  // queued + running handlers before 503
  std::size_t max_connections = 100000;  // lowered to the open-file limit at start
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10000};   // to receive one whole request
  std::chrono::milliseconds idle_timeout{60000};   // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_timeout{10000};
  std::vector<std::string> cors_origins;           // exact origins, or "*"
  std::vector<std::string> trusted_proxies;        // peers whose X-Forwarded-For is believed

  // Storage
  std::string data_dir = "./data";
  std::string database_url;  // empty = SQLite at <data_dir>/gatehouse.db
  unsigned db_pool_size = 0; // 0 = workers + 2

  // Identity
  bool allow_registration = true;
  std::chrono::milliseconds access_token_ttl{15 * 60 * 1000};
  std::chrono::milliseconds session_ttl{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds session_idle_ttl{7LL * 24 * 3600 * 1000};
  std::chrono::milliseconds refresh_reuse_grace{0};
  std::string jwt_key_file;            // "" = <data_dir>/jwt-signing-key.pem, created if missing
  std::string jwt_issuer = "gatehouse";
  std::string jwt_audience = "gatehouse-api";
  std::size_t password_memory = 19 * 1024 * 1024;  // argon2id m (OWASP)
  unsigned password_iterations = 2;                // argon2id t (OWASP)
  unsigned password_concurrency = 0;               // parallel hashes; 0 = one per core
  std::size_t login_failures_per_hour = 100;       // per account; more are not evaluated
  std::string user_agent_regexes = "/usr/share/uap-core/regexes.yaml";
  std::string root_api_key;    // X-API-Key that bypasses all checks; "" = none; never logged
  std::string geoip_database;  // MaxMind .mmdb for audit locations; "" = none

  // Vault
  std::string master_key;       // keyring text ("1:<base64url>,2:…"); never logged
  std::string master_key_file;  // "" = <data_dir>/vault-master.keyring, created if missing

  // Logging
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // trace | debug | info | warn | error | off
  bool access_log = true;
};

struct OptionSpec {
  std::string name;        // flag name without dashes; also the TOML key
  std::string env;         // environment variable
  std::string value_name;  // shown in --help, e.g. HOST:PORT
  std::string help;
  std::function<Status(Config&, std::string_view)> apply;
};

// Every option `serve` understands, in --help order.
const std::vector<OptionSpec>& ConfigOptions();

struct ConfigSources {
  std::map<std::string, std::string> flags;  // option name -> value, only those given
  std::function<const char*(const char*)> getenv = nullptr;  // null = std::getenv
  std::string config_file;                   // optional TOML file; "" = none
};

// Applies file, then environment, then flags. The error message is one line that names the
// option and where its bad value came from.
Result<Config> ResolveConfig(const ConfigSources& sources);

// Parsers shared by options and tests: "1MiB", "16KiB", "1024"; "30s", "500ms", "2m", "10".
Result<std::size_t> ParseByteSize(std::string_view text);
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "host:port", "[::1]:8080", ":8080" (host defaults to 127.0.0.1).
Status ParseListen(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace gatehouse::core
