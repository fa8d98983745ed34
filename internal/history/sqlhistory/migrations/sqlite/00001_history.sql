-- +goose Up
CREATE TABLE event_days (day INTEGER PRIMARY KEY);
CREATE TABLE minute_counts (
  tenant TEXT NOT NULL, minute INTEGER NOT NULL, route TEXT NOT NULL, outcome TEXT NOT NULL,
  family TEXT NOT NULL, level TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (tenant, minute, route, outcome, family, level)) WITHOUT ROWID;
CREATE TABLE hour_counts (
  tenant TEXT NOT NULL, hour INTEGER NOT NULL, route TEXT NOT NULL, outcome TEXT NOT NULL,
  family TEXT NOT NULL, level TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (tenant, hour, route, outcome, family, level)) WITHOUT ROWID;
CREATE TABLE reports_applied (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX reports_applied_at ON reports_applied (at);
CREATE TABLE instances (
  tenant TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL, version TEXT NOT NULL, boot TEXT NOT NULL,
  last_seen INTEGER NOT NULL, recorded INTEGER NOT NULL, sampled INTEGER NOT NULL, published INTEGER NOT NULL,
  dropped INTEGER NOT NULL, queued INTEGER NOT NULL, breaker TEXT NOT NULL,
  PRIMARY KEY (tenant, name));
CREATE TABLE client_hours (
  tenant TEXT NOT NULL, hour INTEGER NOT NULL, pseudonym TEXT NOT NULL, offences INTEGER NOT NULL,
  refused INTEGER NOT NULL, max_score REAL NOT NULL, family TEXT NOT NULL, route TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  PRIMARY KEY (tenant, hour, pseudonym)) WITHOUT ROWID;
CREATE INDEX client_hours_last ON client_hours (tenant, last_seen);
CREATE TABLE client_days (
  tenant TEXT NOT NULL, day INTEGER NOT NULL, pseudonym TEXT NOT NULL, offences INTEGER NOT NULL,
  refused INTEGER NOT NULL, max_score REAL NOT NULL, family TEXT NOT NULL, last_seen INTEGER NOT NULL,
  PRIMARY KEY (tenant, day, pseudonym)) WITHOUT ROWID;
CREATE TABLE labels (
  tenant TEXT NOT NULL, event_id BLOB NOT NULL, pseudonym TEXT NOT NULL, label TEXT NOT NULL,
  actor TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (tenant, event_id));
CREATE TABLE decisions (
  tenant TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
  expires INTEGER NOT NULL, tombstone INTEGER NOT NULL, wall INTEGER NOT NULL, logical INTEGER NOT NULL,
  origin TEXT NOT NULL, published INTEGER NOT NULL, updated INTEGER NOT NULL,
  PRIMARY KEY (tenant, key));
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash BLOB NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, x'');
-- +goose StatementBegin
CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head WHEN NEW.seq <> OLD.seq + 1
BEGIN SELECT RAISE(ABORT, 'audit head only moves forward'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'audit head is kept'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit;
DROP TABLE decisions;
DROP TABLE labels;
DROP TABLE client_days;
DROP TABLE client_hours;
DROP TABLE instances;
DROP TABLE reports_applied;
DROP TABLE hour_counts;
DROP TABLE minute_counts;
DROP TABLE event_days;
