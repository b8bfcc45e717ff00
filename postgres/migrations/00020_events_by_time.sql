-- +goose Up
-- The audit log is read newest first: an account's (`unvite log -a`, the
-- activity page) and every account's (`unvite log`). Indexes in the log's
-- own order (see unvite.EventFilter) let a page read its rows and stop
-- instead of sorting every event. The account's index still serves the
-- delete of an account's events.
DROP INDEX events_account;
CREATE INDEX events_account ON events (account_id, at, (coalesce(invitation_id, 0)), id);
CREATE INDEX events_at ON events (at, (coalesce(invitation_id, 0)), id);

-- +goose Down
DROP INDEX events_at;
DROP INDEX events_account;
CREATE INDEX events_account ON events (account_id, id);
