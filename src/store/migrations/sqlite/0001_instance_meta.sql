-- Facts about this installation, one row per key. Migrate() inserts key 'instance_id' (a UUIDv7)
-- when it is missing. NOT NULL on the key: SQLite otherwise lets a non-integer PRIMARY KEY be NULL.
CREATE TABLE instance_meta (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
