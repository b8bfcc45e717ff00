-- +goose Up
-- When a sync first did not find a pending invitation known only from an
-- export (no LinkedIn id) on LinkedIn's sent list, which shows only the
-- newest so many: unvite cannot withdraw it, so plans leave it out. NULL
-- for every other, and again once a sync lists it. A plan finds the few
-- set on their partial index (a bulk import keeps it: new rows are NULL)
-- rather than reading the column, last in the row, of every pending one.
ALTER TABLE invitations ADD COLUMN unlisted_at INTEGER;
CREATE INDEX invitations_unlisted ON invitations (account_id) WHERE unlisted_at IS NOT NULL;

-- +goose Down
DROP INDEX invitations_unlisted;
ALTER TABLE invitations DROP COLUMN unlisted_at;
