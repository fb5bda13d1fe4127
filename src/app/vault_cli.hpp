// `gatehouse vault rotate-master-key`: adds a new master key version and re-wraps every
// credential's data key under it, in batches (one transaction each), while servers keep
// running (they reload the keyring file when they meet a version they do not hold). Secure
// field values are not re-encrypted: only the data keys' wrapping changes.
//
//   VaultCli vault;  AddVaultCommands(cli, vault);          // before cli.parse()
//   if (vault.Parsed()) return RunVaultCommand(vault, *services->vault, std::cout, std::cerr);
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

namespace CLI {
class App;
}

namespace gatehouse::modules::vault {
class VaultService;
}

namespace gatehouse::app {

struct VaultCli {
  CLI::App* vault = nullptr;
  CLI::App* rotate = nullptr;
  std::vector<CLI::App*> subcommands;  // rotate-master-key
  std::int64_t batch = 200;            // data keys per transaction

  bool Parsed() const;
};

void AddVaultCommands(CLI::App& root, VaultCli& vault);

// Exit codes: 0 done; 1 failed (keyring does not match the database, store error); 3 the
// keyring comes from GATEHOUSE_MASTER_KEY: the new keyring text was printed for the operator
// to configure, then this command is run again to re-wrap.
int RunVaultCommand(const VaultCli& cli, modules::vault::VaultService& vault, std::ostream& out,
                    std::ostream& err);

}  // namespace gatehouse::app
