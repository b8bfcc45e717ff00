package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/unvite/unvite"
)

const accountColumns = `id, name, slug, member_id, plan, time_zone, state, state_reason,
	throttled_until, created_at, last_sync_at, session IS NOT NULL, policy, failures, rate_limited_at, state_since`

func scanAccount(row pgx.Row) (*unvite.Account, error) {
	var a unvite.Account
	var throttled, created, lastSync, rateLimited, since pgtype.Timestamptz
	var pol []byte
	if err := row.Scan(&a.ID, &a.Name, &a.Slug, &a.MemberID, &a.Plan, &a.TimeZone, &a.State,
		&a.StateReason, &throttled, &created, &lastSync, &a.HasSession, &pol, &a.Failures, &rateLimited, &since); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(pol, &a.Policy); err != nil {
		return nil, fmt.Errorf("account %d policy: %w", a.ID, err)
	}
	if len(a.Policy) == 0 {
		a.Policy = nil
	}
	a.ThrottledUntil, a.CreatedAt, a.LastSyncAt = fromTS(throttled), fromTS(created), fromTS(lastSync)
	a.RateLimitedAt, a.StateSince = fromTS(rateLimited), fromTS(since)
	return &a, nil
}

// CreateAccount stores a new account and sets its ID and CreatedAt.
func (s *DB) CreateAccount(ctx context.Context, a *unvite.Account) error {
	return createAccount(ctx, s.pool, a, s.now())
}

func createAccount(ctx context.Context, q querier, a *unvite.Account, now time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.CreatedAt, a.StateSince = now, now
	err := q.QueryRow(ctx, `INSERT INTO accounts
		(name, slug, member_id, plan, time_zone, state, state_reason, throttled_until, created_at, state_since)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		a.Name, a.Slug, a.MemberID, string(a.Plan), a.TimeZone, string(a.State), a.StateReason,
		ts(a.ThrottledUntil), a.CreatedAt).Scan(&a.ID)
	if pgCode(err) == uniqueViolation {
		return unvite.Errorf(unvite.ECONFLICT, "an account with profile %s exists already", a.Slug)
	}
	if err != nil {
		return fmt.Errorf("postgres: create account: %w", err)
	}
	return nil
}

// PatchAccount changes the fields p sets on the row as it stands (locked
// FOR UPDATE), with its audit event, in one transaction.
func (s *DB) PatchAccount(ctx context.Context, id int64, p unvite.AccountPatch, ch unvite.Change) (*unvite.Account, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var out *unvite.Account
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = patchAccount(ctx, tx, id, p, ch)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// patchAccount is PatchAccount inside a transaction (an import's too).
func patchAccount(ctx context.Context, tx pgx.Tx, id int64, p unvite.AccountPatch, ch unvite.Change) (*unvite.Account, error) {
	a, err := scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 FOR UPDATE`, id))
	if isNoRows(err) {
		return nil, notFound("account", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: account %d: %w", id, err)
	}
	ev, err := p.Apply(a, ch)
	if err != nil || ev == nil {
		return a, err
	}
	// The failure count is computed here from the row's own value, not
	// written from the copy read above.
	err = tx.QueryRow(ctx, `UPDATE accounts SET name = $1, slug = $2, member_id = $3, plan = $4,
		time_zone = $5, state = $6, state_reason = $7, throttled_until = $8, last_sync_at = $9, policy = $10,
		rate_limited_at = $11, state_since = $15, failures = CASE WHEN $12 THEN 0 ELSE failures END + $13 WHERE id = $14 RETURNING failures`,
		a.Name, a.Slug, a.MemberID, string(a.Plan), a.TimeZone, string(a.State), a.StateReason,
		ts(a.ThrottledUntil), ts(a.LastSyncAt), policyJSON(a.Policy), ts(a.RateLimitedAt), p.ResetFailures, failedCall(p), a.ID, ts(a.StateSince)).Scan(&a.Failures)
	if pgCode(err) == uniqueViolation {
		return nil, unvite.Errorf(unvite.ECONFLICT, "an account with profile %s exists already", a.Slug)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: patch account %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO events (account_id, at, type, reason, actor)
		VALUES ($1, $2, $3, $4, $5)`, ev.AccountID, sec(ev.At), ev.Type, ev.Reason, ev.Actor); err != nil {
		return nil, fmt.Errorf("postgres: account %d event: %w", id, err)
	}
	return a, nil
}

// failedCall is what a patch adds to the failure count.
func failedCall(p unvite.AccountPatch) int {
	if p.FailedCall {
		return 1
	}
	return 0
}

// Account returns one account by id.
func (s *DB) Account(ctx context.Context, id int64) (*unvite.Account, error) {
	return getAccount(ctx, s.pool, id)
}

func getAccount(ctx context.Context, q querier, id int64) (*unvite.Account, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	if isNoRows(err) {
		return nil, notFound("account", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: account %d: %w", id, err)
	}
	return a, nil
}

// FindAccount resolves an id, a slug or profile URL, or an exact name.
func (s *DB) FindAccount(ctx context.Context, ref string) (*unvite.Account, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.Account(ctx, id)
	}
	slug := unvite.SlugFromURL(ref)
	if slug == "" {
		slug = strings.ToLower(ref)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE slug = $1 OR lower(name) = lower($2) ORDER BY id`, slug, ref)
	if err != nil {
		return nil, fmt.Errorf("postgres: find account %q: %w", ref, err)
	}
	list, err := scanAccounts(rows)
	if err != nil {
		return nil, err
	}
	switch len(list) {
	case 0:
		return nil, unvite.Errorf(unvite.ENOTFOUND, "no account matches %q (see unvite account list)", ref)
	case 1:
		return list[0], nil
	}
	return nil, unvite.Errorf(unvite.ECONFLICT, "%d accounts match %q: name one by id", len(list), ref)
}

// Accounts lists every account by id.
func (s *DB) Accounts(ctx context.Context) ([]*unvite.Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	return scanAccounts(rows)
}

func scanAccounts(rows pgx.Rows) ([]*unvite.Account, error) {
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*unvite.Account, error) { return scanAccount(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	return list, nil
}

// DeleteAccount removes an account with its invitations, and then its
// audit events (the append-only trigger allows that once the account is gone).
func (s *DB) DeleteAccount(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM accounts WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("postgres: delete account %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return notFound("account", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM events WHERE account_id = $1`, id); err != nil {
			return fmt.Errorf("postgres: delete events of account %d: %w", id, err)
		}
		return nil
	})
}

// SetSession stores the sealed session blob (nil clears it).
func (s *DB) SetSession(ctx context.Context, accountID int64, sealed []byte) error {
	tag, err := s.pool.Exec(ctx, `UPDATE accounts SET session = $1 WHERE id = $2`, sealed, accountID)
	if err != nil {
		return fmt.Errorf("postgres: set session of account %d: %w", accountID, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("account", accountID)
	}
	return nil
}

// Session returns the sealed session blob, or nil when none is stored.
func (s *DB) Session(ctx context.Context, accountID int64) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT session FROM accounts WHERE id = $1`, accountID).Scan(&b)
	if isNoRows(err) {
		return nil, notFound("account", accountID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: session of account %d: %w", accountID, err)
	}
	return b, nil
}

// ReplaceSession swaps the sealed session if it is still old.
func (s *DB) ReplaceSession(ctx context.Context, accountID int64, old, sealed []byte, ch unvite.Change) (bool, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var done bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET session = $1 WHERE id = $2 AND session = $3`, sealed, accountID, old)
		if err != nil {
			return fmt.Errorf("postgres: replace session of account %d: %w", accountID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		done = true
		_, err = tx.Exec(ctx, `INSERT INTO events (account_id, at, type, reason, actor) VALUES ($1, $2, 'account', $3, $4)`,
			accountID, sec(ch.At), ch.Reason, ch.Actor)
		if err != nil {
			return fmt.Errorf("postgres: account %d event: %w", accountID, err)
		}
		return nil
	})
	return done && err == nil, err
}

// policyJSON is the policy column's text: a JSON object, {} when empty.
func policyJSON(p map[string]string) string {
	if len(p) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(p) // a map of strings cannot fail
	return string(b)
}
