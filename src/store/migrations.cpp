#include "store/migrations.hpp"

#include <algorithm>
#include <cstdio>
#include <span>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/migrations_embedded.hpp"

namespace gatehouse::store {
namespace {

// Identifies "gatehouse schema migration" among the cluster's advisory locks ("gatehous").
constexpr long long kMigrationLockKey = 0x67617465686f7573;

std::string Label(int version, const std::string& name) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", version);
  return std::string(number) + "_" + name;
}

std::vector<Migration> Load(std::span<const internal::EmbeddedMigrationFile> files) {
  std::vector<Migration> migrations;
  for (const auto& file : files) migrations.push_back({file.version, file.name, file.sql});
  return migrations;
}

core::Error SchemaTooNew(int recorded, int newest) {
  std::string message = "database schema version " + std::to_string(recorded) +
                        " is newer than this binary (" + std::to_string(newest) +
                        "); upgrade gatehouse";
  core::Error error = core::FailedPrecondition(message, "SchemaTooNew");
  error.internal_message = "store: " + message;
  return error;
}

// Serialises migrators across processes on PostgreSQL until the transaction ends. (SQLite's
// BEGIN IMMEDIATE already holds the database-wide write lock.)
void LockMigrations(soci::session& session, Dialect dialect) {
  if (dialect == Dialect::kPostgres) {
    session << "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
  }
}

// The runner's own table, created outside the numbered files because it must exist before the
// first of them runs. applied_at is Unix milliseconds, like every stored timestamp.
const char* CreateMigrationsTable(Dialect dialect) {
  return Sql(dialect,
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             "version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, "
             "applied_at INTEGER NOT NULL)",
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
}

int ReadSchemaVersion(soci::session& session, Dialect dialect) {
  int exists = 0;
  session << Sql(dialect,
                 "SELECT COUNT(*) FROM sqlite_master "
                 "WHERE type = 'table' AND name = 'schema_migrations'",
                 "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"),
      soci::into(exists);
  if (exists == 0) return 0;
  int version = 0;
  session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", soci::into(version);
  return version;
}

core::Error WithContext(core::Error error, const std::string& context) {
  error.internal_message = context + ": " + error.internal_message;
  return error;
}

}  // namespace

const std::vector<Migration>& EmbeddedMigrations(Dialect dialect) {
  static const std::vector<Migration> sqlite = Load(internal::SqliteMigrationFiles());
  static const std::vector<Migration> postgres = Load(internal::PostgresMigrationFiles());
  return dialect == Dialect::kSqlite ? sqlite : postgres;
}

core::Result<int> SchemaVersion(Database& db) {
  const Dialect dialect = db.dialect();
  return db.Read([&](soci::session& session) -> core::Result<int> {
    return ReadSchemaVersion(session, dialect);
  });
}

core::Result<std::string> InstanceId(Database& db) {
  return db.Read([](soci::session& session) -> core::Result<std::string> {
    std::string value;
    soci::indicator indicator = soci::i_null;
    session << "SELECT value FROM instance_meta WHERE key = 'instance_id'",
        soci::into(value, indicator);
    if (!session.got_data() || indicator != soci::i_ok) {
      return core::NotFound("the instance id has not been created; run the migrations");
    }
    return value;
  });
}

core::Result<MigrationReport> Migrate(Database& db) {
  const Dialect dialect = db.dialect();
  const std::vector<Migration>& migrations = EmbeddedMigrations(dialect);
  const int newest = migrations.empty() ? 0 : migrations.back().version;

  // Checked before anything is written, so an old binary leaves a newer schema untouched.
  auto before = SchemaVersion(db);
  if (!before.ok()) return WithContext(std::move(before).error(), "reading the schema version");
  if (*before > newest) return SchemaTooNew(*before, newest);

  core::Status created = db.Write([&](soci::session& session) -> core::Status {
    LockMigrations(session, dialect);
    session << CreateMigrationsTable(dialect);
    return {};
  });
  if (!created.ok()) return WithContext(std::move(created).error(), "creating schema_migrations");

  // Every embedded version not yet recorded is pending, including one below the current maximum
  // (two branches that each added a migration): applied in version order, as PocketBase does.
  auto recorded = db.Read([](soci::session& session) -> core::Result<std::vector<int>> {
    std::vector<int> versions;
    soci::rowset<int> rows = (session.prepare << "SELECT version FROM schema_migrations");
    for (int version : rows) versions.push_back(version);
    return versions;
  });
  if (!recorded.ok()) return WithContext(std::move(recorded).error(), "listing migrations");

  MigrationReport report{*before, *before, {}};
  core::SystemClock clock;
  for (const Migration& migration : migrations) {
    if (std::find(recorded->begin(), recorded->end(), migration.version) != recorded->end()) {
      continue;
    }
    const std::string label = Label(migration.version, migration.name);
    auto applied = db.Write([&](soci::session& session) -> core::Result<bool> {
      LockMigrations(session, dialect);
      // Re-read under the lock: another process may have migrated since the list was read.
      int highest = 0;
      session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", soci::into(highest);
      if (highest > newest) return SchemaTooNew(highest, newest);
      int version = migration.version;
      int present = 0;
      session << "SELECT COUNT(*) FROM schema_migrations WHERE version = :version",
          soci::use(version), soci::into(present);
      if (present != 0) return false;

      ExecuteScript(session, migration.sql);
      std::string name = migration.name;
      long long applied_at = core::ToUnixMillis(clock.Now());
      session << "INSERT INTO schema_migrations (version, name, applied_at) "
                 "VALUES (:version, :name, :applied_at)",
          soci::use(version), soci::use(name), soci::use(applied_at);
      return true;
    });
    if (!applied.ok()) {
      return WithContext(std::move(applied).error(), "applying migration " + label);
    }
    if (*applied) report.applied.push_back(label);
  }

  auto existing = InstanceId(db);
  if (!existing.ok() && existing.error().code != core::ErrorCode::kNotFound) {
    return WithContext(std::move(existing).error(), "reading the instance id");
  }
  if (!existing.ok()) {
    // ON CONFLICT: a concurrent migrator may have inserted it since the read above.
    std::string id = core::NewUuidV7();
    core::Status inserted = db.Write([&](soci::session& session) -> core::Status {
      session << "INSERT INTO instance_meta (key, value) VALUES ('instance_id', :id) "
                 "ON CONFLICT (key) DO NOTHING",
          soci::use(id);
      return {};
    });
    if (!inserted.ok()) {
      return WithContext(std::move(inserted).error(), "creating the instance id");
    }
  }

  auto after = SchemaVersion(db);
  if (!after.ok()) return WithContext(std::move(after).error(), "reading the schema version");
  report.to_version = *after;
  return report;
}

}  // namespace gatehouse::store
