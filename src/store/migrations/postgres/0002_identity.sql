-- Identity: users, roles, linked platform accounts, login sessions and refresh tokens.
-- Timestamps are Unix milliseconds (BIGINT); booleans are INTEGER 0/1 in both dialects.
CREATE TABLE users (
  id               TEXT NOT NULL PRIMARY KEY,
  email            TEXT NOT NULL UNIQUE,          -- trimmed, lower-cased
  login            TEXT UNIQUE,                   -- normalised like email; optional
  name             TEXT,
  image            TEXT,
  password_hash    TEXT,                          -- argon2id encoded string; NULL = no password
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'banned', 'deleted')),
  primary_provider TEXT NOT NULL DEFAULT 'email',
  permissions      TEXT NOT NULL DEFAULT '[]',    -- direct permission nodes, JSON array
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  last_login_at    BIGINT
);
CREATE INDEX users_created_at ON users (created_at);

CREATE TABLE platform_accounts (
  id            TEXT NOT NULL PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  platform_slug TEXT NOT NULL,                    -- email, discord, twitch, ...
  platform_id   TEXT NOT NULL,                    -- the provider's id for the account
  username      TEXT NOT NULL,
  email         TEXT,
  avatar_url    TEXT,
  is_oauth      INTEGER NOT NULL DEFAULT 0,
  is_primary    INTEGER NOT NULL DEFAULT 0,
  created_at    BIGINT NOT NULL,
  UNIQUE (platform_slug, platform_id)
);
CREATE INDEX platform_accounts_user ON platform_accounts (user_id);

CREATE TABLE sessions (
  id               TEXT NOT NULL PRIMARY KEY,
  user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  refresh_hash     TEXT NOT NULL UNIQUE,          -- SHA-256 of the current refresh token
  provider         TEXT NOT NULL DEFAULT 'email',
  ip_address       TEXT,
  user_agent       TEXT,
  device_type      TEXT,
  browser_name     TEXT,
  os_name          TEXT,
  created_at       BIGINT NOT NULL,
  last_activity_at BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,               -- absolute expiry
  revoked_at       BIGINT,
  revoked_reason   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at);

-- Refresh tokens already rotated away, kept to detect reuse (RFC 9700): presenting one revokes
-- the whole session. Rows go with their session.
CREATE TABLE rotated_refresh_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  rotated_at BIGINT NOT NULL
);
CREATE INDEX rotated_refresh_tokens_session ON rotated_refresh_tokens (session_id);

-- Roles: named sets of permission nodes. The built-in ones keep seed 001's ids so clients can
-- test role_ids without looking them up; role_super_admin holds "*".
CREATE TABLE roles (
  id          TEXT NOT NULL PRIMARY KEY,
  title       TEXT NOT NULL,
  moniker     TEXT NOT NULL UNIQUE,
  permissions TEXT NOT NULL DEFAULT '[]',        -- JSON array of grants
  built_in    INTEGER NOT NULL DEFAULT 0,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

CREATE TABLE user_roles (
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id    TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role ON user_roles (role_id);

INSERT INTO roles (id, title, moniker, permissions, built_in, created_at, updated_at) VALUES
  ('role_super_admin', 'Super Admin', 'super_admin', '["*"]', 1, 0, 0),
  ('role_admin', 'Admin', 'admin',
   '["user.*","session.*","role.read","role.list","audit.*","apikey.*","company.*","credential.*","credential_type.*"]',
   1, 0, 0),
  ('role_moderator', 'Moderator', 'moderator',
   '["user.read","user.write","user.search","user.read.other","user.list.other","session.read","session.revoke","session.read.other","session.revoke.other","audit.read"]',
   1, 0, 0),
  ('role_developer', 'Developer', 'developer',
   '["user.read","user.write","user.search","session.read","session.revoke","apikey.read","apikey.create","apikey.revoke","role.read"]',
   1, 0, 0),
  ('role_user', 'User', 'user',
   '["user.read","user.write","user.search","session.read","session.revoke","apikey.read","apikey.create","apikey.revoke"]',
   1, 0, 0);
