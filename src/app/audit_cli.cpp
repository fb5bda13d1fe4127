#include "app/audit_cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "audit/recorder.hpp"
#include "audit/service.hpp"
#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace gatehouse::app {

bool AuditCli::Parsed() const {
  return (verify != nullptr && verify->parsed()) || (prune != nullptr && prune->parsed());
}

void AddAuditCommands(CLI::App& root, AuditCli& audit) {
  audit.audit = root.add_subcommand("audit",
                                    "audit log tamper evidence: verify the hash chain, "
                                    "prune old events");
  audit.audit->require_subcommand(1);
  audit.verify = audit.audit->add_subcommand(
      "verify",
      "recompute the hash chain from the latest checkpoint; exit 1 at the first "
      "broken link");
  audit.prune = audit.audit->add_subcommand(
      "prune", "delete events created before a date and record a checkpoint");
  audit.prune->add_option("--before", audit.before, "ISO 8601 date or date-time (UTC)")
      ->required()
      ->type_name("DATE");
  audit.prune->add_flag("--force", audit.force, "prune even when the chain does not verify");
  audit.subcommands = {audit.verify, audit.prune};
}

int RunAuditCommand(const AuditCli& cli, gatehouse::audit::AuditService& service, std::ostream& out,
                    std::ostream& err) {
  if (cli.verify != nullptr && cli.verify->parsed()) {
    auto result = service.Verify();
    if (!result) {
      err << "audit verify failed: " << result.error().public_message << "\n";
      return 3;
    }
    if (!result->intact) {
      out << "chain broken at event " << (result->broken_id.empty() ? "?" : result->broken_id)
          << " (seq " << result->broken_seq << "): " << result->reason << "\n";
      return 1;
    }
    out << "chain intact: " << result->checked << " events";
    if (result->from_seq > 0) out << " (since the checkpoint at seq " << result->from_seq << ")";
    out << "\n";
    return 0;
  }
  if (cli.prune != nullptr && cli.prune->parsed()) {
    auto before = core::ParseIso8601(cli.before);
    if (!before) {
      err << "audit prune: --before must be an ISO 8601 date or date-time, not '" << cli.before
          << "'\n";
      return 2;
    }
    auto result = service.Prune(core::ToUnixMillis(*before), cli.force);
    if (!result) {
      if (result.error().code == core::ErrorCode::kFailedPrecondition) {
        err << "audit prune refused: " << result.error().public_message
            << " (pass --force to prune anyway)\n";
        return 1;
      }
      err << "audit prune failed: " << result.error().public_message << "\n";
      return 3;
    }
    if (result->pruned == 0) {
      out << "nothing to prune before " << core::FormatIso8601(*before) << "\n";
    } else {
      out << "pruned " << result->pruned << " events before " << core::FormatIso8601(*before)
          << "; checkpoint " << result->checkpoint_id << "\n";
    }
    return 0;
  }
  err << "audit: expected verify or prune\n";
  return 2;
}

int RunAuditCommand(const AuditCli& cli, const core::Config& config, std::ostream& out,
                    std::ostream& err) {
  auto db = store::Database::Open(
      {.url = config.database_url, .data_dir = config.data_dir, .pool_size = 1});
  if (!db) {
    err << "audit: cannot open the store: " << db.error().public_message << "\n";
    return 3;
  }
  auto migrated = store::Migrate(**db);
  if (!migrated) {
    err << "audit: cannot migrate the store: " << migrated.error().public_message << "\n";
    return 3;
  }
  core::SystemClock clock;
  gatehouse::audit::Recorder recorder(clock, nullptr);
  gatehouse::audit::AuditService service(**db, clock, recorder);
  const int code = RunAuditCommand(cli, service, out, err);
  (*db)->Close();
  return code;
}

}  // namespace gatehouse::app
