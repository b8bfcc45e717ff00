-- +goose Up
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    slug            TEXT    NOT NULL DEFAULT '',
    member_id       TEXT    NOT NULL DEFAULT '',
    plan            TEXT    NOT NULL DEFAULT 'premium' CHECK (plan IN ('free', 'premium')),
    time_zone       TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'offline',
    state_reason    TEXT    NOT NULL DEFAULT '',
    throttled_until INTEGER,
    created_at      INTEGER NOT NULL,
    last_sync_at    INTEGER,
    session         BLOB
);
CREATE UNIQUE INDEX accounts_slug ON accounts (slug) WHERE slug <> '';

-- Times are Unix seconds, UTC.
CREATE TABLE invitations (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    direction      TEXT    NOT NULL CHECK (direction IN ('sent', 'received')),
    kind           TEXT    NOT NULL DEFAULT 'person',
    person_key     TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    headline       TEXT    NOT NULL DEFAULT '',
    company        TEXT    NOT NULL DEFAULT '',
    slug           TEXT    NOT NULL DEFAULT '',
    member_urn     TEXT    NOT NULL DEFAULT '',
    linkedin_id    TEXT,
    sent_at        INTEGER NOT NULL,
    sent_at_approx INTEGER NOT NULL DEFAULT 0,
    note           TEXT    NOT NULL DEFAULT '',
    had_note       INTEGER NOT NULL DEFAULT 0,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'withdrawing', 'accepted', 'withdrawn', 'gone')),
    status_since   INTEGER NOT NULL,
    reinvite_after INTEGER,
    source         TEXT    NOT NULL,
    protected      INTEGER NOT NULL DEFAULT 0,
    follow_up_on   INTEGER,
    comment        TEXT    NOT NULL DEFAULT '',
    -- The last import batch that listed this invitation, to find vanished ones.
    seen_import    INTEGER,
    -- Who changed the status last, when and why: copied into events by trigger.
    changed_at     INTEGER NOT NULL,
    status_reason  TEXT    NOT NULL DEFAULT '',
    status_actor   TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX invitations_identity ON invitations (account_id, direction, person_key, sent_at);
CREATE UNIQUE INDEX invitations_linkedin ON invitations (account_id, linkedin_id) WHERE linkedin_id IS NOT NULL;
CREATE INDEX invitations_status ON invitations (account_id, status, sent_at);

CREATE TABLE tags (
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    tag           TEXT    NOT NULL,
    PRIMARY KEY (invitation_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag, invitation_id);

CREATE TABLE connections (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    person_key   TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    slug         TEXT    NOT NULL DEFAULT '',
    headline     TEXT    NOT NULL DEFAULT '',
    company      TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    member_urn   TEXT    NOT NULL DEFAULT '',
    connected_on INTEGER NOT NULL,
    PRIMARY KEY (account_id, person_key)
) WITHOUT ROWID;

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    file        TEXT    NOT NULL,
    as_of       INTEGER,
    snapshot    INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '{}'
);

-- The audit log. No foreign keys: it outlives what it describes.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL,
    invitation_id INTEGER,
    at            INTEGER NOT NULL,
    type          TEXT    NOT NULL,
    from_status   TEXT    NOT NULL DEFAULT '',
    to_status     TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    actor         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_invitation ON events (invitation_id, id);
CREATE INDEX events_account ON events (account_id, id);

-- +goose StatementBegin
CREATE TRIGGER invitations_status_machine BEFORE UPDATE OF status ON invitations
WHEN OLD.status <> NEW.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('withdrawing', 'accepted', 'withdrawn', 'gone'))
    OR (OLD.status = 'withdrawing' AND NEW.status IN ('pending', 'withdrawn', 'accepted', 'gone'))
    OR (OLD.status = 'gone' AND NEW.status = 'accepted'))
BEGIN
    SELECT RAISE(ABORT, 'illegal status change');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invitations_status_audit AFTER UPDATE OF status ON invitations
WHEN OLD.status <> NEW.status
BEGIN
    INSERT INTO events (account_id, invitation_id, at, type, from_status, to_status, reason, actor)
    VALUES (NEW.account_id, NEW.id, NEW.changed_at, 'status', OLD.status, NEW.status, NEW.status_reason, NEW.status_actor);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
WHEN EXISTS (SELECT 1 FROM accounts WHERE id = OLD.account_id)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE events;
DROP TABLE imports;
DROP TABLE connections;
DROP TABLE tags;
DROP TABLE invitations;
DROP TABLE accounts;
