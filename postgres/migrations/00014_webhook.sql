-- +goose Up
-- The webhook told of accounts that need attention and sent the weekly
-- review: one row. The URL may hold a secret token, so it is kept sealed
-- (AES-GCM, the keyring that seals sessions); url_hint shows its host only.
CREATE TABLE webhook (
    id         integer     PRIMARY KEY CHECK (id = 1),
    sealed_url bytea,
    url_hint   text        NOT NULL DEFAULT '',
    format     text        NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    enabled    boolean     NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL
);

-- Invitations whose status changed in a week (the weekly review).
CREATE INDEX invitations_status_since ON invitations (account_id, status, status_since);

-- +goose Down
DROP INDEX invitations_status_since;
DROP TABLE webhook;
