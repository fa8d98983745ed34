-- +goose Up
-- Offences (scored or refused events) a minute by client cohort
-- (history.SeriesQuery.Cohort), the cohort decided at ingest from
-- client_hours, which the index finds by client.
CREATE TABLE cohort_counts (
  tenant TEXT NOT NULL, cohort TEXT NOT NULL, minute INTEGER NOT NULL, route TEXT NOT NULL, outcome TEXT NOT NULL,
  family TEXT NOT NULL, level TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (tenant, cohort, minute, route, outcome, family, level)) WITHOUT ROWID;
CREATE INDEX client_hours_client ON client_hours (tenant, pseudonym, hour);

-- +goose Down
DROP INDEX client_hours_client;
DROP TABLE cohort_counts;
