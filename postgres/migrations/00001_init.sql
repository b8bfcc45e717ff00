-- +goose Up
-- The PostgreSQL twin of the SQLite schema: the same tables, indexes and
-- guards, with timestamptz times (stored to the second, like SQLite's Unix
-- seconds) and plpgsql triggers.
CREATE TABLE accounts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL,
    slug            text        NOT NULL DEFAULT '',
    member_id       text        NOT NULL DEFAULT '',
    plan            text        NOT NULL DEFAULT 'premium' CHECK (plan IN ('free', 'premium')),
    time_zone       text        NOT NULL DEFAULT '',
    state           text        NOT NULL DEFAULT 'offline',
    state_reason    text        NOT NULL DEFAULT '',
    throttled_until timestamptz,
    created_at      timestamptz NOT NULL,
    last_sync_at    timestamptz,
    session         bytea
);
CREATE UNIQUE INDEX accounts_slug ON accounts (slug) WHERE slug <> '';

CREATE TABLE invitations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    direction      text        NOT NULL CHECK (direction IN ('sent', 'received')),
    kind           text        NOT NULL DEFAULT 'person',
    person_key     text        NOT NULL,
    name           text        NOT NULL,
    headline       text        NOT NULL DEFAULT '',
    company        text        NOT NULL DEFAULT '',
    slug           text        NOT NULL DEFAULT '',
    member_urn     text        NOT NULL DEFAULT '',
    linkedin_id    text,
    sent_at        timestamptz NOT NULL,
    sent_at_approx boolean     NOT NULL DEFAULT false,
    note           text        NOT NULL DEFAULT '',
    had_note       boolean     NOT NULL DEFAULT false,
    status         text        NOT NULL CHECK (status IN ('pending', 'withdrawing', 'accepted', 'withdrawn', 'gone')),
    status_since   timestamptz NOT NULL,
    reinvite_after timestamptz,
    source         text        NOT NULL,
    protected      boolean     NOT NULL DEFAULT false,
    follow_up_on   timestamptz,
    comment        text        NOT NULL DEFAULT '',
    -- The last import batch that listed this invitation, to find vanished ones.
    seen_import    bigint,
    -- Who changed the status last, when and why: copied into events by trigger.
    changed_at     timestamptz NOT NULL,
    status_reason  text        NOT NULL DEFAULT '',
    status_actor   text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX invitations_identity ON invitations (account_id, direction, person_key, sent_at);
CREATE UNIQUE INDEX invitations_linkedin ON invitations (account_id, linkedin_id) WHERE linkedin_id IS NOT NULL;
CREATE INDEX invitations_status ON invitations (account_id, status, sent_at);

CREATE TABLE tags (
    invitation_id bigint NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    tag           text   NOT NULL,
    PRIMARY KEY (invitation_id, tag)
);
CREATE INDEX tags_tag ON tags (tag, invitation_id);

CREATE TABLE connections (
    account_id   bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    person_key   text        NOT NULL,
    name         text        NOT NULL,
    slug         text        NOT NULL DEFAULT '',
    headline     text        NOT NULL DEFAULT '',
    company      text        NOT NULL DEFAULT '',
    email        text        NOT NULL DEFAULT '',
    member_urn   text        NOT NULL DEFAULT '',
    connected_on timestamptz NOT NULL,
    PRIMARY KEY (account_id, person_key)
);

CREATE TABLE imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    file        text        NOT NULL,
    as_of       timestamptz,
    snapshot    boolean     NOT NULL,
    started_at  timestamptz NOT NULL,
    summary     jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX imports_account ON imports (account_id);

-- The audit log. No foreign keys: it outlives what it describes.
CREATE TABLE events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    bigint      NOT NULL,
    invitation_id bigint,
    at            timestamptz NOT NULL,
    type          text        NOT NULL,
    from_status   text        NOT NULL DEFAULT '',
    to_status     text        NOT NULL DEFAULT '',
    reason        text        NOT NULL DEFAULT '',
    actor         text        NOT NULL DEFAULT ''
);
CREATE INDEX events_invitation ON events (invitation_id, id);
CREATE INDEX events_account ON events (account_id, id);

-- The status machine of unvite.CanTransition, enforced for every writer.
-- +goose StatementBegin
CREATE FUNCTION invitations_status_machine() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ((OLD.status = 'pending' AND NEW.status IN ('withdrawing', 'accepted', 'withdrawn', 'gone'))
         OR (OLD.status = 'withdrawing' AND NEW.status IN ('pending', 'withdrawn', 'accepted', 'gone'))
         OR (OLD.status = 'gone' AND NEW.status = 'accepted')) THEN
        RAISE EXCEPTION 'illegal status change % -> % (invitation %)', OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invitations_status_machine BEFORE UPDATE OF status ON invitations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION invitations_status_machine();

-- Every status change lands in the audit log, whoever made it.
-- +goose StatementBegin
CREATE FUNCTION invitations_status_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (account_id, invitation_id, at, type, from_status, to_status, reason, actor)
    VALUES (NEW.account_id, NEW.id, NEW.changed_at, 'status', OLD.status, NEW.status, NEW.status_reason, NEW.status_actor);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invitations_status_audit AFTER UPDATE OF status ON invitations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION invitations_status_audit();

-- Events are never edited, and only deleted with their account.
-- +goose StatementBegin
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = OLD.account_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- +goose Down
DROP TABLE events;
DROP TABLE imports;
DROP TABLE connections;
DROP TABLE tags;
DROP TABLE invitations;
DROP TABLE accounts;
DROP FUNCTION events_append_only();
DROP FUNCTION invitations_status_audit();
DROP FUNCTION invitations_status_machine();
