-- +goose Up
-- Indexes for the invitations page (issue 12), as in SQLite's 00012: each
-- orders an account's invitations as a sort of the page does (names as
-- the sorts compare them: lower-cased, bytewise), the id last for the
-- tie-break, and carries the columns the page's filters test, so a page's
-- ids and its count can be index-only scans.
DROP INDEX invitations_status;
CREATE INDEX invitations_status ON invitations (account_id, status, sent_at, id) INCLUDE (direction, had_note);
CREATE INDEX invitations_sent ON invitations (account_id, sent_at, id) INCLUDE (direction, status, had_note);
CREATE INDEX invitations_name ON invitations (account_id, (lower(name) COLLATE "C"), id) INCLUDE (direction, sent_at);
CREATE INDEX invitations_company ON invitations (account_id, (lower(company) COLLATE "C"), sent_at, id) INCLUDE (direction);

-- +goose Down
DROP INDEX invitations_company;
DROP INDEX invitations_name;
DROP INDEX invitations_sent;
DROP INDEX invitations_status;
CREATE INDEX invitations_status ON invitations (account_id, status, sent_at);
