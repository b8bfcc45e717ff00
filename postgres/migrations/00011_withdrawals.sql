-- +goose Up
-- The withdrawal engine (issue 11): intents, attempts and the daily budget.

-- The attempt in flight while an invitation is withdrawing.
ALTER TABLE invitations ADD COLUMN attempt_id text;

-- A user's (or an enabled policy's) intent to withdraw an invitation. Its
-- River job is inserted in the same transaction.
CREATE TABLE withdrawal_queue (
    invitation_id bigint      PRIMARY KEY REFERENCES invitations (id) ON DELETE CASCADE,
    account_id    bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    queued_at     timestamptz NOT NULL,
    actor         text        NOT NULL DEFAULT '',
    reason        text        NOT NULL DEFAULT ''
);
CREATE INDEX withdrawal_queue_account ON withdrawal_queue (account_id, queued_at);

-- Every withdrawal attempt. day is the calendar day in the account's time
-- zone the attempt spends budget on; outcome is '' while in flight.
CREATE TABLE withdrawal_attempts (
    id            text        PRIMARY KEY,
    account_id    bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    invitation_id bigint      NOT NULL,
    day           text        NOT NULL,
    claimed_at    timestamptz NOT NULL,
    outcome       text        NOT NULL DEFAULT '' CHECK (outcome IN ('', 'withdrawn', 'accepted', 'gone', 'failed')),
    finished_at   timestamptz,
    actor         text        NOT NULL DEFAULT ''
);
CREATE INDEX withdrawal_attempts_day ON withdrawal_attempts (account_id, day);
CREATE INDEX withdrawal_attempts_invitation ON withdrawal_attempts (invitation_id);

-- Whatever moves an invitation out of withdrawing (the engine, a sync, an
-- import, a manual change) closes its attempt with the matching outcome, and
-- an invitation that is no longer pending has nothing left to withdraw.
-- +goose StatementBegin
CREATE FUNCTION invitations_attempt_close() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'withdrawing' AND NEW.status <> 'withdrawing' AND OLD.attempt_id IS NOT NULL THEN
        UPDATE withdrawal_attempts
        SET outcome = CASE NEW.status WHEN 'pending' THEN 'failed' ELSE NEW.status END,
            finished_at = NEW.changed_at
        WHERE id = OLD.attempt_id AND outcome = '';
        NEW.attempt_id := NULL;
    END IF;
    IF NEW.status IN ('accepted', 'withdrawn', 'gone') THEN
        DELETE FROM withdrawal_queue WHERE invitation_id = NEW.id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invitations_attempt_close BEFORE UPDATE OF status ON invitations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION invitations_attempt_close();

-- +goose Down
DROP TRIGGER invitations_attempt_close ON invitations;
DROP FUNCTION invitations_attempt_close();
DROP TABLE withdrawal_attempts;
DROP TABLE withdrawal_queue;
ALTER TABLE invitations DROP COLUMN attempt_id;
