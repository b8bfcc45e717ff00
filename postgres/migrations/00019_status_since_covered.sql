-- +goose Up
-- The weekly review's "changed this week" reads status_since from the
-- invitations_status index (as SQLite's does) rather than from an index of
-- its own: one index less to write on every status change, two a
-- withdrawal, for a query run once a week per account.
DROP INDEX invitations_status_since;
DROP INDEX invitations_status;
CREATE INDEX invitations_status ON invitations (account_id, status, sent_at, id) INCLUDE (direction, had_note, status_since);

-- +goose Down
DROP INDEX invitations_status;
CREATE INDEX invitations_status ON invitations (account_id, status, sent_at, id) INCLUDE (direction, had_note);
CREATE INDEX invitations_status_since ON invitations (account_id, status, status_since);
