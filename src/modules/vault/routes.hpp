// HTTP surface of the vault (seed 002): companies and their configurations, credential types,
// value types and credentials with their secure values.
//
//   BindVaultRoutes(router, vault);
#pragma once

#include "http/router.hpp"
#include "modules/vault/service.hpp"

namespace gatehouse::modules::vault {

void BindVaultRoutes(http::Router& router, VaultService& vault);

}  // namespace gatehouse::modules::vault
