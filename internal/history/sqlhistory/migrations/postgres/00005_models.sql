-- +goose Up
-- What each combiner model did an hour (history.Store.ModelCounts): the
-- events it scored and blocked, and beside it the shadow model's would-be
-- refusals and the two models' disagreements. Counted at ingest from the
-- stored events (format 2: internal/event), so benign events are sampled
-- as they are in the events tables.
CREATE TABLE model_hours (
  tenant TEXT NOT NULL, hour BIGINT NOT NULL, model TEXT NOT NULL, shadow TEXT NOT NULL,
  events BIGINT NOT NULL, blocked BIGINT NOT NULL, shadow_refused BIGINT NOT NULL,
  shadow_only BIGINT NOT NULL, model_only BIGINT NOT NULL,
  PRIMARY KEY (tenant, hour, model, shadow));

-- +goose Down
DROP TABLE model_hours;
