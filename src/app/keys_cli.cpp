#include "app/keys_cli.hpp"

#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <iostream>
#include <sstream>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/ids.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "modules/apikeys/dto.hpp"
#include "modules/apikeys/key_format.hpp"
#include "modules/apikeys/service.hpp"

namespace gatehouse::app {
namespace {

namespace ak = modules::apikeys;

std::vector<std::string> SplitScopes(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    const auto begin = item.find_first_not_of(" \t");
    const auto end = item.find_last_not_of(" \t");
    if (begin != std::string::npos) out.push_back(item.substr(begin, end - begin + 1));
  }
  return out;
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The operator at the console: no permission checks of their own; still audited.
core::Principal Operator() {
  core::Principal principal;
  principal.kind = core::Principal::Kind::kRoot;
  return principal;
}

core::RequestMeta OperatorMeta() {
  core::RequestMeta meta;
  meta.source_service = "backend";  // the operator's command line, not an API call
  meta.request_id = "cli-" + core::RandomHex(8);
  return meta;
}

void PrintError(std::ostream& err, const char* what, const core::Error& error) {
  err << "gatehouse keys " << what << ": " << error.public_message;
  for (const auto& field : error.details) {
    err << "; ";
    for (std::size_t i = 0; i < field.path.size(); ++i) err << (i ? "." : "") << field.path[i];
    err << ": " << field.message;
  }
  err << "\n";
}

std::string Stamp(const std::optional<std::int64_t>& ms) {
  return ms ? core::FormatIso8601(core::FromUnixMillis(*ms)) : "-";
}

void PrintIssued(std::ostream& out, std::ostream& err, const ak::IssuedKey& issued, bool json) {
  if (json) {
    out << boost::json::serialize(ak::IssuedKeyJson(issued)) << "\n";
    return;
  }
  const ak::ApiKey& key = issued.key;
  std::string scopes;
  for (const auto& s : key.scopes) scopes += (scopes.empty() ? "" : ",") + s;
  out << "id:       " << key.id << "\n"
      << "prefix:   " << ak::DisplayPrefix(key.public_id) << "\n"
      << "owner:    " << key.user_id << "\n"
      << "name:     " << key.name << "\n"
      << "scopes:   " << scopes << "\n"
      << "expires:  " << Stamp(key.expires_at) << "\n"
      << "key:      " << issued.plaintext << "\n";
  err << "Store the key now: it is not stored and will not be shown again.\n";
}

int Create(const KeysCli& cli, ak::ApiKeyService& service, std::ostream& out, std::ostream& err) {
  ak::NewKey input;
  input.owner = cli.user;
  input.name = cli.name;
  if (!cli.description.empty()) input.description = cli.description;
  input.scopes = SplitScopes(cli.scopes);
  if (!cli.expires_in.empty()) {
    auto duration = core::ParseDuration(cli.expires_in);
    if (!duration || duration->count() < 1000) {
      err << "gatehouse keys create: --expires-in must be a duration of at least 1s (30d, 12h, "
             "3600)\n";
      return 2;
    }
    input.expires_in_seconds = duration->count() / 1000;
  }
  if (!cli.rate_limit.empty()) {
    const auto slash = cli.rate_limit.find('/');
    auto limit = ParseInt(std::string_view(cli.rate_limit).substr(0, slash));
    auto window = slash == std::string::npos
                      ? std::optional<std::int64_t>()
                      : ParseInt(std::string_view(cli.rate_limit).substr(slash + 1));
    if (!limit || !window) {
      err << "gatehouse keys create: --rate-limit must be REQUESTS/SECONDS, e.g. 100/60\n";
      return 2;
    }
    input.rate_limit = ak::RateLimit{.limit = *limit, .window_seconds = *window};
  }
  auto issued = service.Create(Operator(), input, OperatorMeta());
  if (!issued) {
    PrintError(err, "create", issued.error());
    return 1;
  }
  PrintIssued(out, err, *issued, cli.json);
  return 0;
}

int List(const KeysCli& cli, ak::ApiKeyService& service, std::ostream& out, std::ostream& err) {
  ak::KeyFilter filter;
  if (!cli.user.empty()) filter.user_id = cli.user;
  if (cli.active_only) filter.active = true;
  filter.per_page = 100;
  boost::json::array all;
  std::vector<ak::ApiKey> keys;
  for (filter.page = 1;; ++filter.page) {
    auto page = service.List(filter);
    if (!page) {
      PrintError(err, "list", page.error());
      return 1;
    }
    for (auto& key : page->keys) keys.push_back(std::move(key));
    if (filter.page * filter.per_page >= page->total || page->keys.empty()) break;
  }
  if (cli.json) {
    for (const auto& key : keys) all.push_back(ak::KeyJson(key));
    out << boost::json::serialize(all) << "\n";
    return 0;
  }
  out << "ID                                    PREFIX           OWNER                             "
         "    "
         "ACTIVE  EXPIRES                   LAST USED                 USES  NAME\n";
  for (const auto& key : keys) {
    char line[512];
    std::snprintf(line, sizeof line, "%-37s %-16s %-37s %-7s %-25s %-25s %5lld  %s\n",
                  key.id.c_str(), ak::DisplayPrefix(key.public_id).c_str(), key.user_id.c_str(),
                  key.is_active ? "yes" : "no", Stamp(key.expires_at).c_str(),
                  Stamp(key.last_used_at).c_str(), static_cast<long long>(key.usage_count),
                  key.name.c_str());
    out << line;
  }
  return 0;
}

int Revoke(const KeysCli& cli, ak::ApiKeyService& service, std::ostream& out, std::ostream& err) {
  auto key = service.Deactivate(Operator(), cli.key_id, std::nullopt, OperatorMeta());
  if (!key) {
    PrintError(err, "revoke", key.error());
    return 1;
  }
  if (cli.json) {
    out << boost::json::serialize(ak::KeyJson(*key)) << "\n";
  } else {
    out << "deactivated " << key->id << " (" << ak::DisplayPrefix(key->public_id) << ")\n";
  }
  return 0;
}

int Rotate(const KeysCli& cli, ak::ApiKeyService& service, std::ostream& out, std::ostream& err) {
  auto issued = service.Rotate(Operator(), cli.key_id, cli.grace_period, OperatorMeta());
  if (!issued) {
    PrintError(err, "rotate", issued.error());
    return 1;
  }
  PrintIssued(out, err, *issued, cli.json);
  return 0;
}

}  // namespace

bool KeysCli::Parsed() const { return keys != nullptr && keys->parsed(); }

void AddKeysCommands(CLI::App& root, KeysCli& keys) {
  keys.keys = root.add_subcommand("keys", "manage API keys against the local database");
  keys.keys->require_subcommand(1);

  keys.create = keys.keys->add_subcommand("create", "create an API key (printed once)");
  keys.create->add_option("--user", keys.user, "owner: user id, email or login")->required();
  keys.create
      ->add_option("--scopes", keys.scopes,
                   "comma-separated grants or presets (read, write, admin)")
      ->required();
  keys.create->add_option("--name", keys.name, "name shown in lists")->capture_default_str();
  keys.create->add_option("--description", keys.description, "what the key is for");
  keys.create->add_option("--expires-in", keys.expires_in, "lifetime: 30d, 12h, 3600 (seconds)")
      ->type_name("DURATION");
  keys.create->add_option("--rate-limit", keys.rate_limit, "at most N requests per S seconds")
      ->type_name("N/S");
  keys.create->add_flag("--json", keys.json, "print the key as JSON");

  keys.list = keys.keys->add_subcommand("list", "list API keys (never the keys themselves)");
  keys.list->add_option("--user", keys.user, "only this owner's keys (user id)");
  keys.list->add_flag("--active", keys.active_only, "only active, unexpired keys");
  keys.list->add_flag("--json", keys.json, "print JSON");

  keys.revoke = keys.keys->add_subcommand("revoke", "deactivate an API key at once");
  keys.revoke->add_option("KEYID", keys.key_id, "key id, or its gh_ prefix")->required();
  keys.revoke->add_flag("--json", keys.json, "print JSON");

  keys.rotate = keys.keys->add_subcommand(
      "rotate", "replace an API key; the old one works for the grace period only");
  keys.rotate->add_option("KEYID", keys.key_id, "key id, or its gh_ prefix")->required();
  keys.rotate->add_option("--grace-period", keys.grace_period, "seconds the old key keeps working")
      ->check(CLI::Range(std::int64_t{0}, ak::kMaxGraceSeconds));
  keys.rotate->add_flag("--json", keys.json, "print the new key as JSON");

  keys.subcommands = {keys.create, keys.list, keys.revoke, keys.rotate};
}

int RunKeysCommand(const KeysCli& keys, ak::ApiKeyService& service, std::ostream& out,
                   std::ostream& err) {
  int code = 2;
  if (keys.create->parsed())
    code = Create(keys, service, out, err);
  else if (keys.list->parsed())
    code = List(keys, service, out, err);
  else if (keys.revoke->parsed())
    code = Revoke(keys, service, out, err);
  else if (keys.rotate->parsed())
    code = Rotate(keys, service, out, err);
  service.Stop();  // writes pending usage; nothing else runs after a command
  return code;
}

}  // namespace gatehouse::app
