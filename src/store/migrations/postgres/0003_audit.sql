-- Audit log: append-only events (seed 001 AuditEvent), hash-chained for tamper evidence;
-- reports users file about events ("this wasn't me"); prune checkpoints.
CREATE TABLE audit_events (
  id             TEXT NOT NULL PRIMARY KEY,
  seq            BIGINT NOT NULL UNIQUE,        -- position in the hash chain
  user_id        TEXT,                          -- whose activity log shows it
  event_type     TEXT NOT NULL,
  resource_type  TEXT,
  resource_id    TEXT,
  actor_id       TEXT,
  ip_address     TEXT,
  user_agent     TEXT,
  description    TEXT,
  metadata       TEXT NOT NULL DEFAULT '{}',    -- JSON object
  status         TEXT NOT NULL CHECK (status IN ('success', 'failure')),
  error_message  TEXT,
  country_code   TEXT,
  country_name   TEXT,
  city           TEXT,
  region         TEXT,
  source_service TEXT NOT NULL DEFAULT 'api',
  request_id     TEXT,
  severity       TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  is_reported    INTEGER NOT NULL DEFAULT 0,    -- the one column that changes (reports)
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE INDEX audit_events_user_time ON audit_events (user_id, created_at);
CREATE INDEX audit_events_type_time ON audit_events (event_type, created_at);
CREATE INDEX audit_events_time ON audit_events (created_at);
CREATE INDEX audit_events_severity_time ON audit_events (severity, created_at);
CREATE INDEX audit_events_source_time ON audit_events (source_service, created_at);
CREATE INDEX audit_events_status_time ON audit_events (status, created_at);

-- The head of the hash chain: one row, locked by every writer so the chain never forks.
CREATE TABLE audit_chain (
  id        INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  last_seq  BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Where pruning cut the chain: verification starts from the newest checkpoint.
CREATE TABLE audit_checkpoints (
  id          TEXT NOT NULL PRIMARY KEY,
  before_time BIGINT NOT NULL,
  last_seq    BIGINT NOT NULL,                  -- last pruned event
  last_hash   TEXT NOT NULL,                    -- its hash: the next event's prev_hash
  pruned      BIGINT NOT NULL,
  created_at  BIGINT NOT NULL
);

CREATE TABLE audit_reports (
  id               TEXT NOT NULL PRIMARY KEY,
  audit_event_id   TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  reason           TEXT NOT NULL,
  description      TEXT,
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'reviewed', 'resolved', 'dismissed')),
  reviewed_by      TEXT,
  reviewed_at      BIGINT,
  resolution_notes TEXT,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX audit_reports_user ON audit_reports (user_id, created_at);
CREATE INDEX audit_reports_status ON audit_reports (status, created_at);
CREATE INDEX audit_reports_event ON audit_reports (audit_event_id);
