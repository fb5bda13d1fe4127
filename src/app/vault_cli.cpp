#include "app/vault_cli.hpp"

#include <CLI/CLI.hpp>
#include <ostream>

#include "core/ids.hpp"
#include "core/request_meta.hpp"
#include "modules/vault/service.hpp"

namespace gatehouse::app {

bool VaultCli::Parsed() const { return rotate != nullptr && rotate->parsed(); }

void AddVaultCommands(CLI::App& root, VaultCli& vault) {
  vault.vault = root.add_subcommand("vault", "credential vault operator commands");
  vault.vault->require_subcommand(1);
  vault.rotate = vault.vault->add_subcommand(
      "rotate-master-key",
      "add a new master key version and re-wrap every data key under it (servers may run)");
  vault.rotate->add_option("--batch", vault.batch, "data keys re-wrapped per transaction")
      ->check(CLI::Range(1, 10000));
  vault.subcommands = {vault.rotate};
}

int RunVaultCommand(const VaultCli& cli, modules::vault::VaultService& vault, std::ostream& out,
                    std::ostream& err) {
  auto& ring = vault.keyring();
  if (auto verified = vault.VerifyMasterKeys(); !verified) {
    err << "gatehouse vault rotate-master-key: " << verified.error().public_message << "\n";
    return 1;
  }
  core::RequestMeta meta;
  meta.source_service = "backend";
  meta.request_id = "cli-" + core::RandomHex(8);

  if (ring.file_backed()) {
    auto version = ring.AppendNewVersion();
    if (!version) {
      err << "gatehouse vault rotate-master-key: " << version.error().public_message << "\n";
      return 1;
    }
    out << "added master key version " << *version << " to " << ring.source() << "\n";
  }
  auto rewrapped = vault.RewrapAll(meta, cli.batch);
  if (!rewrapped) {
    err << "gatehouse vault rotate-master-key: re-wrapping failed: "
        << rewrapped.error().public_message << "\n";
    return 1;
  }
  if (!ring.file_backed() && *rewrapped == 0) {
    // The keys come from the environment: the operator adds the new version there, restarts
    // nothing yet, and runs this command again with the new keyring to re-wrap.
    out << "The master keyring comes from " << ring.source()
        << ", which this command cannot change.\n"
        << "Set GATEHOUSE_MASTER_KEY to the following value on every node (it keeps the old "
           "versions, which stay needed until re-wrapping is done), restart them, then run "
           "`gatehouse vault rotate-master-key` again with it:\n"
        << ring.TextWithNewVersion() << "\n";
    return 3;
  }
  out << "re-wrapped " << *rewrapped << " data key(s) under master key version "
      << ring.current_version() << "\n";
  return 0;
}

}  // namespace gatehouse::app
