-- +goose Up
-- The engine's safety state, shared by every process (issue 11): LinkedIn
-- calls that failed in a row (the circuit breaker pauses the account at
-- the policy's max_failures), and when LinkedIn last rate-limited the
-- account (the rest of that day runs at half pace).
ALTER TABLE accounts ADD COLUMN failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0);
ALTER TABLE accounts ADD COLUMN rate_limited_at INTEGER;

-- +goose Down
ALTER TABLE accounts DROP COLUMN rate_limited_at;
ALTER TABLE accounts DROP COLUMN failures;
