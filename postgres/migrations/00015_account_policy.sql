-- +goose Up
-- An account's own policy values (issue 12's settings page), as a JSON
-- object of policy key to value text; they apply over the policy file's.
ALTER TABLE accounts ADD COLUMN policy jsonb NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE accounts DROP COLUMN policy;
