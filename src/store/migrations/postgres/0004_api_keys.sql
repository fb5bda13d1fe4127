-- API keys (seed 003): "gh_<public_id>_<secret>_<checksum>". Only the SHA-256 of the whole key
-- is stored; the key is shown once, at creation or rotation. Timestamps are Unix milliseconds.
CREATE TABLE api_keys (
  id                  TEXT NOT NULL PRIMARY KEY,      -- UUIDv7, the routes' :keyId
  public_id           TEXT NOT NULL UNIQUE,           -- base62 lookup id, shown as "gh_<id>"
  user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  description         TEXT,
  scopes              TEXT NOT NULL DEFAULT '[]',     -- JSON array: grants and presets
  secret_hash         TEXT NOT NULL,                  -- SHA-256 hex of the whole key
  is_active           INTEGER NOT NULL DEFAULT 1,
  expires_at          BIGINT,
  last_used_at        BIGINT,                         -- written in batches, may lag seconds
  usage_count         BIGINT NOT NULL DEFAULT 0,
  rotated_from        TEXT,                           -- id of the key this one replaced
  grace_until         BIGINT,                         -- set on rotation: usable until then
  rate_limit          INTEGER,                        -- requests per window; NULL = none
  rate_window_seconds INTEGER,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
CREATE INDEX api_keys_created_at ON api_keys (created_at);
