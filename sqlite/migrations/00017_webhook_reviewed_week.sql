-- +goose Up
-- The ISO week ("2026-W49") of the last weekly review queued for the
-- webhook: a review due while no process ran is sent once at the next
-- start, never once per process or per restart.
ALTER TABLE webhook ADD COLUMN reviewed_week TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE webhook DROP COLUMN reviewed_week;
