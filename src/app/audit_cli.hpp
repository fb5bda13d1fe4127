// `gatehouse audit …`: operator commands for the audit log's tamper evidence, run against the
// local database (the server may be running).
//   audit verify                    walk the hash chain from the latest checkpoint; exit 0 and
//                                   "chain intact: N events", or exit 1 naming the first broken
//                                   event ("chain broken at event ID (seq N): why")
//   audit prune --before DATE [--force]
//                                   delete events created before DATE (ISO 8601) and record a
//                                   checkpoint; refuses (exit 1) on a broken chain unless --force
// Exit codes: 0 ok, 1 broken or refused, 2 bad arguments, 3 the store failed.
//
//   AuditCli audit;  AddAuditCommands(cli, audit);            // before cli.parse()
//   for (CLI::App* sub : audit.subcommands) AddConfigOptions(*sub, ...);   // data-dir, …
//   if (audit.Parsed()) return RunAuditCommand(audit, *config, std::cout, std::cerr);
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace CLI {
class App;
}

namespace gatehouse::audit {
class AuditService;
}

namespace gatehouse::app {

struct AuditCli {
  CLI::App* audit = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* prune = nullptr;
  std::vector<CLI::App*> subcommands;  // verify, prune

  std::string before;  // prune: ISO 8601 date or date-time
  bool force = false;  // prune: even when verification fails

  bool Parsed() const;
};

// Registers `audit verify|prune` on `root`, writing into `audit`.
void AddAuditCommands(CLI::App& root, AuditCli& audit);

// Opens (and migrates) the store named by `config` and runs the parsed subcommand.
int RunAuditCommand(const AuditCli& audit, const core::Config& config, std::ostream& out,
                    std::ostream& err);
// The same on an existing service (tests, or a caller that already built Services).
int RunAuditCommand(const AuditCli& audit, gatehouse::audit::AuditService& service,
                    std::ostream& out, std::ostream& err);

}  // namespace gatehouse::app
