-- +goose Up
-- When a sync first did not find a pending invitation known only from an
-- export (no LinkedIn id) on LinkedIn's sent list, which shows only the
-- newest so many: unvite cannot withdraw it, so plans leave it out. NULL
-- for every other, and again once a sync lists it.
ALTER TABLE invitations ADD COLUMN unlisted_at timestamptz;

-- +goose Down
ALTER TABLE invitations DROP COLUMN unlisted_at;
