// Schema migrations: numbered SQL files per dialect (src/store/migrations/{sqlite,postgres}/
// NNNN_name.sql), compiled into the binary and applied in order, each in its own transaction
// together with its row in schema_migrations(version, name, applied_at).
//
//   auto report = Migrate(*db);                        // at start-up and by `gatehouse migrate`
//   if (!report) return report.error();                // kFailedPrecondition: schema too new
//   spdlog::info("schema {} -> {}", report->from_version, report->to_version);
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/database.hpp"

namespace gatehouse::store {

struct Migration {
  int version;       // NNNN of the file name
  std::string name;  // the rest of the file name, without ".sql"
  std::string sql;   // the whole file, run as one script (see ExecuteScript)
};

// Sorted by version. A file holds any number of statements, run by the driver's own
// multi-statement parser (ExecuteScript), so ';' inside literals or function bodies is fine.
// It must not contain BEGIN/COMMIT: the runner owns the transaction. For the same reason
// SQLite's PRAGMA foreign_keys cannot be switched off in one (use defer_foreign_keys for table
// rebuilds). Both dialects are expected to carry the same versions and names.
const std::vector<Migration>& EmbeddedMigrations(Dialect dialect);

struct MigrationReport {
  int from_version;                  // highest version recorded before
  int to_version;                    // highest version recorded after
  std::vector<std::string> applied;  // "0001_instance_meta", in the order applied
};

// Applies every embedded migration not yet recorded, then makes sure instance_meta holds an
// 'instance_id'. Safe to run from several processes at once: on PostgreSQL each migration
// transaction takes an advisory lock and re-checks whether it is still pending; on SQLite the
// writer's BEGIN IMMEDIATE serialises them. A database whose schema is newer than the newest
// embedded migration is refused with kFailedPrecondition, and nothing is changed.
core::Result<MigrationReport> Migrate(Database& db);

// Highest recorded version; 0 for an empty database (no schema_migrations table).
core::Result<int> SchemaVersion(Database& db);

// The UUID created for this installation by the first Migrate().
core::Result<std::string> InstanceId(Database& db);

}  // namespace gatehouse::store
