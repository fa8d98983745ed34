-- +goose Up
CREATE TABLE event_days (day BIGINT PRIMARY KEY);
CREATE TABLE events (
  id BYTEA NOT NULL, tenant TEXT NOT NULL, ts BIGINT NOT NULL, pseudonym TEXT NOT NULL, data BYTEA NOT NULL,
  PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts);
CREATE INDEX events_client ON events (tenant, pseudonym, ts);
CREATE TABLE minute_counts (
  tenant TEXT NOT NULL, minute BIGINT NOT NULL, route TEXT NOT NULL, outcome TEXT NOT NULL,
  family TEXT NOT NULL, level TEXT NOT NULL, n BIGINT NOT NULL,
  PRIMARY KEY (tenant, minute, route, outcome, family, level));
CREATE TABLE hour_counts (
  tenant TEXT NOT NULL, hour BIGINT NOT NULL, route TEXT NOT NULL, outcome TEXT NOT NULL,
  family TEXT NOT NULL, level TEXT NOT NULL, n BIGINT NOT NULL,
  PRIMARY KEY (tenant, hour, route, outcome, family, level));
CREATE TABLE reports_applied (id TEXT PRIMARY KEY, at BIGINT NOT NULL);
CREATE INDEX reports_applied_at ON reports_applied (at);
CREATE TABLE instances (
  tenant TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL, version TEXT NOT NULL, boot TEXT NOT NULL,
  last_seen BIGINT NOT NULL, recorded BIGINT NOT NULL, sampled BIGINT NOT NULL, published BIGINT NOT NULL,
  dropped BIGINT NOT NULL, queued BIGINT NOT NULL, breaker TEXT NOT NULL,
  PRIMARY KEY (tenant, name));
CREATE TABLE client_hours (
  tenant TEXT NOT NULL, hour BIGINT NOT NULL, pseudonym TEXT NOT NULL, offences BIGINT NOT NULL,
  refused BIGINT NOT NULL, max_score DOUBLE PRECISION NOT NULL, family TEXT NOT NULL, route TEXT NOT NULL,
  first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
  PRIMARY KEY (tenant, hour, pseudonym));
CREATE INDEX client_hours_last ON client_hours (tenant, last_seen);
CREATE TABLE client_days (
  tenant TEXT NOT NULL, day BIGINT NOT NULL, pseudonym TEXT NOT NULL, offences BIGINT NOT NULL,
  refused BIGINT NOT NULL, max_score DOUBLE PRECISION NOT NULL, family TEXT NOT NULL, last_seen BIGINT NOT NULL,
  PRIMARY KEY (tenant, day, pseudonym));
CREATE TABLE labels (
  tenant TEXT NOT NULL, event_id BYTEA NOT NULL, pseudonym TEXT NOT NULL, label TEXT NOT NULL,
  actor TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (tenant, event_id));
CREATE TABLE decisions (
  tenant TEXT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
  expires BIGINT NOT NULL, tombstone BOOLEAN NOT NULL, wall BIGINT NOT NULL, logical BIGINT NOT NULL,
  origin TEXT NOT NULL, published BOOLEAN NOT NULL, updated BIGINT NOT NULL,
  PRIMARY KEY (tenant, key));
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY, tenant TEXT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, prev BYTEA NOT NULL, hash BYTEA NOT NULL);
CREATE TABLE audit_head (id INT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash BYTEA NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ''::bytea);
-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_append_only();
-- +goose StatementBegin
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq <> OLD.seq + 1 THEN RAISE EXCEPTION 'audit head only moves forward'; END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_forward();

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit;
DROP FUNCTION audit_head_forward;
DROP FUNCTION audit_append_only;
DROP TABLE decisions;
DROP TABLE labels;
DROP TABLE client_days;
DROP TABLE client_hours;
DROP TABLE instances;
DROP TABLE reports_applied;
DROP TABLE hour_counts;
DROP TABLE minute_counts;
DROP TABLE events;
DROP TABLE event_days;
