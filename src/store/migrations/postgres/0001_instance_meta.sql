-- Facts about this installation, one row per key. Migrate() inserts key 'instance_id' (a UUIDv7)
-- when it is missing.
CREATE TABLE instance_meta (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
