-- +goose Up
-- What each combiner model did an hour (history.Store.ModelCounts): the
-- events it scored and blocked, and beside it the shadow model's would-be
-- refusals and the two models' disagreements. Counted at ingest from the
-- stored events (format 2: internal/event), so benign events are sampled
-- as they are in the events tables.
CREATE TABLE model_hours (
  tenant TEXT NOT NULL, hour INTEGER NOT NULL, model TEXT NOT NULL, shadow TEXT NOT NULL,
  events INTEGER NOT NULL, blocked INTEGER NOT NULL, shadow_refused INTEGER NOT NULL,
  shadow_only INTEGER NOT NULL, model_only INTEGER NOT NULL,
  PRIMARY KEY (tenant, hour, model, shadow)) WITHOUT ROWID;

-- +goose Down
DROP TABLE model_hours;
