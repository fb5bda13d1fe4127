#include "core/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

namespace gatehouse::core {
namespace {

Result<std::uint64_t> ParseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return InvalidArgument("must be a non-negative integer");
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return InvalidArgument("must be true or false");
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

// Option setters: each validates and stores one value.
template <typename Field>
std::function<Status(Config&, std::string_view)> Count(Field Config::*field, std::uint64_t min,
                                                       std::uint64_t max) {
  return [=](Config& c, std::string_view v) -> Status {
    auto n = ParseUnsigned(v);
    if (!n) return n.error();
    if (*n < min || *n > max) {
      return InvalidArgument("must be between " + std::to_string(min) + " and " +
                             std::to_string(max));
    }
    c.*field = static_cast<Field>(*n);
    return {};
  };
}

std::function<Status(Config&, std::string_view)> Bytes(std::size_t Config::*field,
                                                       std::size_t min) {
  return [=](Config& c, std::string_view v) -> Status {
    auto n = ParseByteSize(v);
    if (!n) return n.error();
    if (*n < min) return InvalidArgument("must be at least " + std::to_string(min) + " bytes");
    c.*field = *n;
    return {};
  };
}

std::function<Status(Config&, std::string_view)> Duration(std::chrono::milliseconds Config::*f) {
  return [=](Config& c, std::string_view v) -> Status {
    auto d = ParseDuration(v);
    if (!d) return d.error();
    if (d->count() <= 0) return InvalidArgument("must be positive");
    c.*f = *d;
    return {};
  };
}

std::function<Status(Config&, std::string_view)> DurationOrZero(
    std::chrono::milliseconds Config::*f) {
  return [=](Config& c, std::string_view v) -> Status {
    auto d = ParseDuration(v);
    if (!d) return d.error();
    c.*f = *d;
    return {};
  };
}

std::function<Status(Config&, std::string_view)> Text(std::string Config::*field,
                                                      bool allow_empty) {
  return [=](Config& c, std::string_view v) -> Status {
    if (v.empty() && !allow_empty) return InvalidArgument("must not be empty");
    c.*field = std::string(v);
    return {};
  };
}

std::function<Status(Config&, std::string_view)> OneOf(std::string Config::*field,
                                                       std::vector<std::string> allowed) {
  return [=](Config& c, std::string_view v) -> Status {
    for (const auto& a : allowed) {
      if (v == a) {
        c.*field = std::string(v);
        return {};
      }
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return InvalidArgument("must be one of " + list);
  };
}

std::vector<OptionSpec> BuildOptions() {
  std::vector<OptionSpec> o;
  o.push_back({"listen", "GATEHOUSE_LISTEN", "HOST:PORT",
               "address to serve on; port 0 picks a free port (default 127.0.0.1:8080)",
               [](Config& c, std::string_view v) {
                 return ParseListen(v, c.listen_host, c.listen_port);
               }});
  o.push_back({"data-dir", "GATEHOUSE_DATA_DIR", "DIR",
               "directory for the SQLite database and generated keys (default ./data)",
               [](Config& c, std::string_view v) -> Status {
                 if (v.empty()) return InvalidArgument("must not be empty");
                 c.data_dir = std::string(v);
                 return {};
               }});
  o.push_back({"database-url", "GATEHOUSE_DATABASE_URL", "URL",
               "postgres://user:pass@host:port/db or sqlite:PATH (default SQLite in data-dir)",
               [](Config& c, std::string_view v) -> Status {
                 if (!v.empty() && !v.starts_with("postgres://") &&
                     !v.starts_with("postgresql://") && !v.starts_with("sqlite:")) {
                   return InvalidArgument("must start with postgres://, postgresql:// or sqlite:");
                 }
                 c.database_url = std::string(v);
                 return {};
               }});
  o.push_back({"io-threads", "GATEHOUSE_IO_THREADS", "N",
               "network I/O threads (default: one per core)",
               Count(&Config::io_threads, 0, 256)});
  o.push_back({"workers", "GATEHOUSE_WORKERS", "N",
               "handler threads (default: two per core)", Count(&Config::workers, 0, 1024)});
  o.push_back({"worker-queue", "GATEHOUSE_WORKER_QUEUE", "N",
               "requests queued or running before the server answers 503 (default 1024)",
               Count(&Config::worker_queue, 1, 1000000)});
  o.push_back({"max-connections", "GATEHOUSE_MAX_CONNECTIONS", "N",
               "open connections (WebSockets included) before new ones are refused "
               "(default 100000, lowered to the open-file limit)",
               Count(&Config::max_connections, 1, 10000000)});
  o.push_back({"header-limit", "GATEHOUSE_HEADER_LIMIT", "BYTES",
               "largest request header block (default 16KiB)",
               Bytes(&Config::header_limit, 1024)});
  o.push_back({"body-limit", "GATEHOUSE_BODY_LIMIT", "BYTES",
               "largest request body (default 1MiB)", Bytes(&Config::body_limit, 1024)});
  o.push_back({"read-timeout", "GATEHOUSE_READ_TIMEOUT", "DURATION",
               "time allowed to receive one whole request (default 10s)",
               Duration(&Config::read_timeout)});
  o.push_back({"idle-timeout", "GATEHOUSE_IDLE_TIMEOUT", "DURATION",
               "keep-alive wait for the next request (default 60s)",
               Duration(&Config::idle_timeout)});
  o.push_back({"shutdown-timeout", "GATEHOUSE_SHUTDOWN_TIMEOUT", "DURATION",
               "how long in-flight requests may finish on SIGTERM (default 10s)",
               Duration(&Config::shutdown_timeout)});
  o.push_back({"cors-origins", "GATEHOUSE_CORS_ORIGINS", "LIST",
               "comma-separated origins allowed by CORS, or * (default none)",
               [](Config& c, std::string_view v) -> Status {
                 c.cors_origins = SplitList(v);
                 for (const auto& origin : c.cors_origins) {
                   if (origin != "*" && !origin.starts_with("http://") &&
                       !origin.starts_with("https://")) {
                     return InvalidArgument("'" + origin + "' is not * or an http(s) origin");
                   }
                 }
                 return {};
               }});
  o.push_back({"trusted-proxies", "GATEHOUSE_TRUSTED_PROXIES", "LIST",
               "comma-separated peer IPs whose X-Forwarded-For is trusted (default none)",
               [](Config& c, std::string_view v) -> Status {
                 c.trusted_proxies = SplitList(v);
                 return {};
               }});
  o.push_back({"db-pool-size", "GATEHOUSE_DB_POOL_SIZE", "N",
               "database connections (default: workers + 2)",
               Count(&Config::db_pool_size, 0, 512)});
  o.push_back({"allow-registration", "GATEHOUSE_ALLOW_REGISTRATION", "BOOL",
               "let anyone create an account with POST /v1/auth/register (default true)",
               [](Config& c, std::string_view v) -> Status {
                 auto b = ParseBool(v);
                 if (!b) return b.error();
                 c.allow_registration = *b;
                 return {};
               }});
  o.push_back({"access-token-ttl", "GATEHOUSE_ACCESS_TOKEN_TTL", "DURATION",
               "lifetime of access tokens (default 15m)", Duration(&Config::access_token_ttl)});
  o.push_back({"session-ttl", "GATEHOUSE_SESSION_TTL", "DURATION",
               "absolute lifetime of a login session (default 30d)",
               Duration(&Config::session_ttl)});
  o.push_back({"session-idle-ttl", "GATEHOUSE_SESSION_IDLE_TTL", "DURATION",
               "a session unused this long ends (default 7d)",
               Duration(&Config::session_idle_ttl)});
  o.push_back({"refresh-reuse-grace", "GATEHOUSE_REFRESH_REUSE_GRACE", "DURATION",
               "a just-rotated refresh token presented again within this window is refused "
               "without ending the session (default 0: strict reuse detection)",
               DurationOrZero(&Config::refresh_reuse_grace)});
  o.push_back({"jwt-key-file", "GATEHOUSE_JWT_KEY_FILE", "FILE",
               "Ed25519 signing key (PEM); default <data-dir>/jwt-signing-key.pem, created on "
               "first start; nodes of one deployment must share it",
               Text(&Config::jwt_key_file, true)});
  o.push_back({"jwt-issuer", "GATEHOUSE_JWT_ISSUER", "TEXT",
               "iss of access tokens (default gatehouse)", Text(&Config::jwt_issuer, false)});
  o.push_back({"jwt-audience", "GATEHOUSE_JWT_AUDIENCE", "TEXT",
               "aud of access tokens (default gatehouse-api)",
               Text(&Config::jwt_audience, false)});
  o.push_back({"password-memory", "GATEHOUSE_PASSWORD_MEMORY", "BYTES",
               "argon2id memory per hash (default 19MiB, OWASP)",
               Bytes(&Config::password_memory, 8 * 1024)});
  o.push_back({"password-iterations", "GATEHOUSE_PASSWORD_ITERATIONS", "N",
               "argon2id passes (default 2, OWASP)", Count(&Config::password_iterations, 1, 64)});
  o.push_back({"password-concurrency", "GATEHOUSE_PASSWORD_CONCURRENCY", "N",
               "password hashes computed at once; more wait briefly, then get 503 (default: "
               "one per core)",
               Count(&Config::password_concurrency, 0, 1024)});
  o.push_back({"login-failures-per-hour", "GATEHOUSE_LOGIN_FAILURES_PER_HOUR", "N",
               "failed logins evaluated per account per hour (default 100)",
               Count(&Config::login_failures_per_hour, 1, 100000)});
  o.push_back({"user-agent-regexes", "GATEHOUSE_USER_AGENT_REGEXES", "FILE",
               "uap-core regexes.yaml (default /usr/share/uap-core/regexes.yaml)",
               Text(&Config::user_agent_regexes, false)});
  o.push_back({"root-api-key", "GATEHOUSE_ROOT_API_KEY", "KEY",
               "X-API-Key that bypasses every permission check, never stored, every use "
               "audited; at least 32 printable characters (default none)",
               [](Config& c, std::string_view v) -> Status {
                 if (!v.empty() && v.size() < 32) {
                   return InvalidArgument("must be at least 32 characters");
                 }
                 for (char ch : v) {
                   if (ch <= ' ' || ch > '~') {
                     return InvalidArgument("must be printable ASCII without spaces");
                   }
                 }
                 c.root_api_key = std::string(v);
                 return {};
               }});
  o.push_back({"master-key", "GATEHOUSE_MASTER_KEY", "KEYRING",
               "vault master keyring text, \"<version>:<base64url 32 bytes>\" per key, comma "
               "separated; wins over master-key-file; never logged (default none)",
               [](Config& c, std::string_view v) -> Status {
                 c.master_key = std::string(v);
                 return {};
               }});
  o.push_back({"master-key-file", "GATEHOUSE_MASTER_KEY_FILE", "FILE",
               "vault master keyring file; default <data-dir>/vault-master.keyring, created "
               "(0600) on first start: back it up apart from the database",
               Text(&Config::master_key_file, true)});
  o.push_back({"geoip-database", "GATEHOUSE_GEOIP_DATABASE", "FILE",
               "MaxMind-format .mmdb giving audit events a country, region and city "
               "(default none)",
               Text(&Config::geoip_database, true)});
  o.push_back({"log-format", "GATEHOUSE_LOG_FORMAT", "FORMAT", "text or json (default text)",
               OneOf(&Config::log_format, {"text", "json"})});
  o.push_back({"log-level", "GATEHOUSE_LOG_LEVEL", "LEVEL",
               "trace, debug, info, warn, error or off (default info)",
               OneOf(&Config::log_level, {"trace", "debug", "info", "warn", "error", "off"})});
  o.push_back({"access-log", "GATEHOUSE_ACCESS_LOG", "BOOL",
               "one JSON line per request (default true)",
               [](Config& c, std::string_view v) -> Status {
                 auto b = ParseBool(v);
                 if (!b) return b.error();
                 c.access_log = *b;
                 return {};
               }});
  return o;
}

Status Apply(Config& config, const OptionSpec& option, std::string_view value,
             const std::string& origin) {
  if (auto status = option.apply(config, value); !status) {
    Error e = status.error();
    e.public_message = "invalid value for --" + option.name + " (" + origin + "): '" +
                       std::string(value) + "' " + e.public_message;
    return e;
  }
  return {};
}

}  // namespace

const std::vector<OptionSpec>& ConfigOptions() {
  static const std::vector<OptionSpec> options = BuildOptions();
  return options;
}

Result<std::size_t> ParseByteSize(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto number = ParseUnsigned(text.substr(0, digits));
  if (!number) return InvalidArgument("must be a size like 1048576, 16KiB or 1MiB");
  const std::string_view unit = text.substr(digits);
  std::uint64_t scale = 1;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "KiB" || unit == "K" || unit == "k") scale = 1024;
  else if (unit == "MiB" || unit == "M") scale = 1024 * 1024;
  else if (unit == "GiB" || unit == "G") scale = 1024ull * 1024 * 1024;
  else return InvalidArgument("must be a size like 1048576, 16KiB or 1MiB");
  return static_cast<std::size_t>(*number * scale);
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto number = ParseUnsigned(text.substr(0, digits));
  if (!number) return InvalidArgument("must be a duration like 500ms, 30s, 2m or 7d");
  const std::string_view unit = text.substr(digits);
  std::uint64_t ms;
  if (unit == "ms") ms = *number;
  else if (unit.empty() || unit == "s") ms = *number * 1000;
  else if (unit == "m") ms = *number * 60 * 1000;
  else if (unit == "h") ms = *number * 3600 * 1000;
  else if (unit == "d") ms = *number * 24 * 3600 * 1000;
  else return InvalidArgument("must be a duration like 500ms, 30s, 2m or 7d");
  return std::chrono::milliseconds(ms);
}

Status ParseListen(std::string_view text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return InvalidArgument("must be HOST:PORT");
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto p = ParseUnsigned(text.substr(colon + 1));
  if (!p || *p > 65535) return InvalidArgument("must be HOST:PORT with a port from 0 to 65535");
  host = h.empty() ? "127.0.0.1" : std::string(h);
  port = static_cast<std::uint16_t>(*p);
  return {};
}

Result<Config> ResolveConfig(const ConfigSources& sources) {
  Config config;
  const auto& options = ConfigOptions();

  if (!sources.config_file.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(sources.config_file);
    } catch (const toml::parse_error& e) {
      std::ostringstream out;
      out << "cannot read config file " << sources.config_file << ": " << e.description()
          << " (line " << e.source().begin.line << ")";
      return InvalidArgument(out.str());
    }
    for (const auto& [key, node] : table) {
      const OptionSpec* option = nullptr;
      for (const auto& o : options) {
        if (o.name == key.str()) option = &o;
      }
      if (option == nullptr) {
        return InvalidArgument("unknown option '" + std::string(key.str()) + "' in " +
                               sources.config_file);
      }
      std::string value;
      if (auto s = node.value<std::string>()) {
        value = *s;
      } else if (auto i = node.value<std::int64_t>(); i && node.is_integer()) {
        value = std::to_string(*i);
      } else if (auto b = node.value<bool>(); b && node.is_boolean()) {
        value = *b ? "true" : "false";
      } else if (const auto* array = node.as_array()) {
        for (const auto& item : *array) {
          if (auto s = item.value<std::string>()) value += (value.empty() ? "" : ",") + *s;
        }
      } else {
        return InvalidArgument("option '" + option->name + "' in " + sources.config_file +
                               " has an unsupported type");
      }
      if (auto status = Apply(config, *option, value, sources.config_file); !status) {
        return std::move(status).error();
      }
    }
  }

  auto getenv = sources.getenv ? sources.getenv : [](const char* n) { return std::getenv(n); };
  for (const auto& option : options) {
    if (const char* value = getenv(option.env.c_str()); value != nullptr) {
      if (auto status = Apply(config, option, value, option.env); !status) {
        return std::move(status).error();
      }
    }
  }

  for (const auto& [name, value] : sources.flags) {
    const OptionSpec* option = nullptr;
    for (const auto& o : options) {
      if (o.name == name) option = &o;
    }
    if (option == nullptr) return InvalidArgument("unknown option --" + name);
    if (auto status = Apply(config, *option, value, "flag"); !status) {
      return std::move(status).error();
    }
  }
  return config;
}

}  // namespace gatehouse::core
