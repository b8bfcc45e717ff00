-- +goose Up
-- When the account entered its state (needs-login, paused, throttled…),
-- set by the patch that changes the state: "needs login since …", and the
-- one webhook notice per state episode. Unknown (NULL) for the states of
-- accounts older than this column.
ALTER TABLE accounts ADD COLUMN state_since INTEGER;

-- +goose Down
ALTER TABLE accounts DROP COLUMN state_since;
