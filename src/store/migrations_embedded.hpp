// Internal to store/: the migration files compiled into the binary by embed_migrations.cmake.
// Use EmbeddedMigrations() from migrations.hpp instead; this is only the generated table.
//
//   for (const auto& file : internal::SqliteMigrationFiles()) {
//     Apply(file.version, file.name, file.sql);
//   }
#pragma once

#include <span>

namespace gatehouse::store::internal {

struct EmbeddedMigrationFile {
  int version;       // NNNN from the file name
  const char* name;  // the rest of the file name, without ".sql"
  const char* sql;   // the whole file
};

// Sorted by version; versions are unique (the generator refuses duplicates).
std::span<const EmbeddedMigrationFile> SqliteMigrationFiles();
std::span<const EmbeddedMigrationFile> PostgresMigrationFiles();

}  // namespace gatehouse::store::internal
