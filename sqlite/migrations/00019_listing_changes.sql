-- +goose Up
-- What the dashboard's listings read (the invitations and their tags) has
-- changed since a listing was kept when this counter or the highest
-- invitation id has moved (see sqlite/listcache.go). Any commit of the file
-- moved the state the cache went by before: the job queue's leader election
-- commits every few seconds, and nothing a listing shows had changed.
-- An insert at the end of the table moves the highest id; only one given a
-- lower id, free since a delete, counts here. A large import drops the
-- triggers on invitation rows for its transaction and counts once.
CREATE TABLE listing_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO listing_changes (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER invitations_listing_insert AFTER INSERT ON invitations
WHEN NEW.id < (SELECT max(id) FROM invitations)
BEGIN
    UPDATE listing_changes SET n = n + 1;
END;
-- +goose StatementEnd

-- Only columns a listing reads count: a sync that finds an invitation as
-- it was, or an import marking the rows it saw, drops nothing. A column a
-- listing comes to read belongs here (TestListingChangesColumns).
-- +goose StatementBegin
CREATE TRIGGER invitations_listing_update AFTER UPDATE ON invitations
WHEN OLD.id IS NOT NEW.id OR OLD.account_id IS NOT NEW.account_id OR OLD.direction IS NOT NEW.direction
    OR OLD.kind IS NOT NEW.kind OR OLD.name IS NOT NEW.name OR OLD.headline IS NOT NEW.headline
    OR OLD.company IS NOT NEW.company OR OLD.slug IS NOT NEW.slug OR OLD.member_urn IS NOT NEW.member_urn
    OR OLD.linkedin_id IS NOT NEW.linkedin_id OR OLD.sent_at IS NOT NEW.sent_at
    OR OLD.sent_at_approx IS NOT NEW.sent_at_approx OR OLD.note IS NOT NEW.note
    OR OLD.had_note IS NOT NEW.had_note OR OLD.status IS NOT NEW.status
    OR OLD.status_since IS NOT NEW.status_since OR OLD.reinvite_after IS NOT NEW.reinvite_after
    OR OLD.source IS NOT NEW.source OR OLD.protected IS NOT NEW.protected
    OR OLD.follow_up_on IS NOT NEW.follow_up_on OR OLD.comment IS NOT NEW.comment
    OR OLD.unlisted_at IS NOT NEW.unlisted_at
BEGIN
    UPDATE listing_changes SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invitations_listing_delete AFTER DELETE ON invitations
BEGIN
    UPDATE listing_changes SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tags_listing_insert AFTER INSERT ON tags
BEGIN
    UPDATE listing_changes SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tags_listing_update AFTER UPDATE ON tags
BEGIN
    UPDATE listing_changes SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tags_listing_delete AFTER DELETE ON tags
BEGIN
    UPDATE listing_changes SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tags_listing_delete;
DROP TRIGGER tags_listing_update;
DROP TRIGGER tags_listing_insert;
DROP TRIGGER invitations_listing_delete;
DROP TRIGGER invitations_listing_update;
DROP TRIGGER invitations_listing_insert;
DROP TABLE listing_changes;
