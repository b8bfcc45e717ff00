-- +goose Up
-- The webhook told of accounts that need attention and sent the weekly
-- review: one row. The URL may hold a secret token, so it is kept sealed
-- (AES-GCM, the keyring that seals sessions); url_hint shows its host only.
CREATE TABLE webhook (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    sealed_url BLOB,
    url_hint   TEXT    NOT NULL DEFAULT '',
    format     TEXT    NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    enabled    INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

-- Invitations whose status changed in a week (the weekly review).
CREATE INDEX invitations_status_since ON invitations (account_id, status, status_since);

-- +goose Down
DROP INDEX invitations_status_since;
DROP TABLE webhook;
