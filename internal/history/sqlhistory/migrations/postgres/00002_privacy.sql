-- +goose Up
-- The differential-privacy budget each tenant has spent (an exact rational, as text).
CREATE TABLE privacy_spent (tenant TEXT PRIMARY KEY, spent TEXT NOT NULL);

-- +goose Down
DROP TABLE privacy_spent;
