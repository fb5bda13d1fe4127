-- The credential vault (seed 002): companies and their configurations, credential types with
-- their field definitions, credentials, and field values. Secure values are sealed with the
-- credential's own data key (XChaCha20-Poly1305), which is stored only wrapped by a master key
-- version that never enters the database. Timestamps are Unix milliseconds.

-- One row per master key version ever used: a value sealed under that version, so a server
-- started with the wrong key refuses to start instead of serving undecryptable data.
CREATE TABLE vault_master_keys (
  version      INTEGER NOT NULL PRIMARY KEY,
  check_value  TEXT NOT NULL,                -- MasterKeyring::MakeCheck(version), base64url
  created_at   BIGINT NOT NULL
);

CREATE TABLE companies (
  id             TEXT NOT NULL PRIMARY KEY,     -- UUIDv7
  name           TEXT NOT NULL,
  cw_company_id  BIGINT,                        -- PSA (ConnectWise) ids, filled by a connector
  cw_identifier  TEXT,
  cw_data        TEXT NOT NULL DEFAULT '{}',    -- JSON object; "address" needs company.fetch.address
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX companies_name ON companies (name, id);

CREATE TABLE company_configurations (
  id          TEXT NOT NULL PRIMARY KEY,
  company_id  TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  type        TEXT,
  data        TEXT NOT NULL DEFAULT '{}',       -- JSON object
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX company_configurations_company ON company_configurations (company_id, created_at);

CREATE TABLE credential_types (
  id                TEXT NOT NULL PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  permission_scope  TEXT,                       -- "aws.credentials": also needs <scope>.<verb>
  icon              TEXT,
  fields            TEXT NOT NULL DEFAULT '[]', -- JSON array of {id,name,required,secure,valueType}
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL
);

CREATE TABLE credentials (
  id                  TEXT NOT NULL PRIMARY KEY,
  name                TEXT NOT NULL,
  notes               TEXT,
  type_id             TEXT NOT NULL REFERENCES credential_types (id) ON DELETE CASCADE,
  company_id          TEXT NOT NULL REFERENCES companies (id),
  dek_master_version  INTEGER NOT NULL,         -- master key version that wrapped the data key
  dek_wrapped         TEXT NOT NULL,            -- base64url of the wrapped data key
  dek_generation      INTEGER NOT NULL DEFAULT 1,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL
);
CREATE INDEX credentials_company ON credentials (company_id, created_at);
CREATE INDEX credentials_type ON credentials (type_id, created_at);
CREATE INDEX credentials_master_version ON credentials (dek_master_version, id);

-- Plain values as text; secure values as base64 of nonce || ciphertext || tag, sealed with the
-- credential's data key and AAD "gatehouse.vault.v1|<credential>|<field>|<dek_generation>".
CREATE TABLE credential_values (
  id             TEXT NOT NULL PRIMARY KEY,
  credential_id  TEXT NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  field_id       TEXT NOT NULL,
  secure         INTEGER NOT NULL,
  value          TEXT NOT NULL,
  UNIQUE (credential_id, field_id)
);
