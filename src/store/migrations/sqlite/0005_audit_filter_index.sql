-- The admin log's usual filters (type, status, source) answered from one index, counts
-- included, without reading the rows: GET /v1/audit/events over a million events.
CREATE INDEX audit_events_type_status_source_time
  ON audit_events (event_type, status, source_service, created_at);
