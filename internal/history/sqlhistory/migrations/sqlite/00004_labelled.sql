-- +goose Up
-- A labelled event's row, copied with its label: the training examples of
-- the control plane's retrain (history.Store.Labelled) outlive the
-- retention of their day's table, until the client is erased.
ALTER TABLE labels ADD COLUMN data BLOB;

-- +goose Down
ALTER TABLE labels DROP COLUMN data;
