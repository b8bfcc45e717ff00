package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

const accountColumns = `id, name, slug, member_id, plan, time_zone, state, state_reason,
	throttled_until, created_at, last_sync_at, session IS NOT NULL, policy, failures, rate_limited_at, state_since`

func scanAccount(row interface{ Scan(...any) error }) (*unvite.Account, error) {
	var a unvite.Account
	var throttled, created, lastSync, rateLimited, since sql.NullInt64
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
	a.ThrottledUntil, a.CreatedAt, a.LastSyncAt = fromUnix(throttled), fromUnix(created), fromUnix(lastSync)
	a.RateLimitedAt, a.StateSince = fromUnix(rateLimited), fromUnix(since)
	return &a, nil
}

// CreateAccount stores a new account and sets its ID and CreatedAt.
func (s *DB) CreateAccount(ctx context.Context, a *unvite.Account) error {
	return createAccount(ctx, s.db, a, s.now())
}

func createAccount(ctx context.Context, q queryer, a *unvite.Account, now time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.CreatedAt, a.StateSince = now, now
	err := q.QueryRowContext(ctx, `INSERT INTO accounts
		(name, slug, member_id, plan, time_zone, state, state_reason, throttled_until, created_at, state_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Name, a.Slug, a.MemberID, a.Plan, a.TimeZone, a.State, a.StateReason,
		unix(a.ThrottledUntil), a.CreatedAt.Unix(), a.StateSince.Unix()).Scan(&a.ID)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return unvite.Errorf(unvite.ECONFLICT, "an account with profile %s exists already", a.Slug)
		}
		return fmt.Errorf("sqlite: create account: %w", err)
	}
	return nil
}

// PatchAccount changes the fields p sets on the row as it stands, with its
// audit event, in one write transaction (immediate: writers queue).
func (s *DB) PatchAccount(ctx context.Context, id int64, p unvite.AccountPatch, ch unvite.Change) (*unvite.Account, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var out *unvite.Account
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = patchAccount(ctx, tx, id, p, ch)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// patchAccount is PatchAccount inside a write transaction (an import's too).
func patchAccount(ctx context.Context, tx *sql.Tx, id int64, p unvite.AccountPatch, ch unvite.Change) (*unvite.Account, error) {
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("account", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: account %d: %w", id, err)
	}
	ev, err := p.Apply(a, ch)
	if err != nil || ev == nil {
		return a, err
	}
	// The failure count is computed here from the row's own value, not
	// written from the copy read above.
	err = tx.QueryRowContext(ctx, `UPDATE accounts SET name = ?, slug = ?, member_id = ?, plan = ?,
		time_zone = ?, state = ?, state_reason = ?, throttled_until = ?, last_sync_at = ?, policy = ?, rate_limited_at = ?,
		state_since = ?, failures = CASE WHEN ? THEN 0 ELSE failures END + ? WHERE id = ? RETURNING failures`,
		a.Name, a.Slug, a.MemberID, a.Plan, a.TimeZone, a.State, a.StateReason,
		unix(a.ThrottledUntil), unix(a.LastSyncAt), policyJSON(a.Policy), unix(a.RateLimitedAt), unix(a.StateSince), p.ResetFailures, failedCall(p), a.ID).Scan(&a.Failures)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return nil, unvite.Errorf(unvite.ECONFLICT, "an account with profile %s exists already", a.Slug)
		}
		return nil, fmt.Errorf("sqlite: patch account %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (account_id, at, type, reason, actor)
		VALUES (?, ?, ?, ?, ?)`, ev.AccountID, ev.At.Unix(), ev.Type, ev.Reason, ev.Actor); err != nil {
		return nil, fmt.Errorf("sqlite: account %d event: %w", id, err)
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
	a, err := scanAccount(s.prepared(nil).QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("account", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: account %d: %w", id, err)
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE slug = ? OR lower(name) = lower(?) ORDER BY id`, slug, ref)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find account %q: %w", ref, err)
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts: %w", err)
	}
	return scanAccounts(rows)
}

func scanAccounts(rows *sql.Rows) ([]*unvite.Account, error) {
	defer rows.Close()
	var list []*unvite.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: scan account: %w", err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: accounts: %w", err)
	}
	return list, nil
}

// DeleteAccount removes an account with its invitations, and then its
// audit events (the append-only trigger allows that once the account is gone).
func (s *DB) DeleteAccount(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("sqlite: delete account %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("account", id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE account_id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: delete events of account %d: %w", id, err)
		}
		return nil
	})
}

// SetSession stores the sealed session blob (nil clears it).
func (s *DB) SetSession(ctx context.Context, accountID int64, sealed []byte) error {
	var v any
	if sealed != nil {
		v = sealed
	}
	res, err := s.db.ExecContext(ctx, `UPDATE accounts SET session = ? WHERE id = ?`, v, accountID)
	if err != nil {
		return fmt.Errorf("sqlite: set session of account %d: %w", accountID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("account", accountID)
	}
	return nil
}

// Session returns the sealed session blob, or nil when none is stored.
func (s *DB) Session(ctx context.Context, accountID int64) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT session FROM accounts WHERE id = ?`, accountID).Scan(&b)
	if isNoRows(err) {
		return nil, notFound("account", accountID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: session of account %d: %w", accountID, err)
	}
	return b, nil
}

// ReplaceSession swaps the sealed session if it is still old.
func (s *DB) ReplaceSession(ctx context.Context, accountID int64, old, sealed []byte, ch unvite.Change) (bool, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var done bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET session = ? WHERE id = ? AND session = ?`, sealed, accountID, old)
		if err != nil {
			return fmt.Errorf("sqlite: replace session of account %d: %w", accountID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		_, err = tx.ExecContext(ctx, `INSERT INTO events (account_id, at, type, reason, actor) VALUES (?, ?, 'account', ?, ?)`,
			accountID, ch.At.Unix(), ch.Reason, ch.Actor)
		if err != nil {
			return fmt.Errorf("sqlite: account %d event: %w", accountID, err)
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
