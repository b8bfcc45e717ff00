-- +goose Up
-- The engine's safety state, shared by every process (issue 11): LinkedIn
-- calls that failed in a row (the circuit breaker pauses the account at
-- the policy's max_failures), and when LinkedIn last rate-limited the
-- account (the rest of that day runs at half pace).
ALTER TABLE accounts
    ADD COLUMN failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    ADD COLUMN rate_limited_at timestamptz;

-- +goose Down
ALTER TABLE accounts DROP COLUMN rate_limited_at, DROP COLUMN failures;
