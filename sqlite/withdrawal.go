package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

var _ unvite.Withdrawals = (*DB)(nil)

// prepared runs queries on tx, or on the database when tx is nil, with
// each statement prepared once per connection: SQLite compiles the
// invitations triggers into every UPDATE it prepares, and parsing was a
// third of a withdrawal's time. Only for fixed query texts (the engine's
// hot path, and what every dashboard page reads: its session, user and
// accounts, a page's rows by id): the statements are kept for the life of
// the store.
type prepared struct {
	s  *DB
	tx *sql.Tx
}

func (s *DB) prepared(tx *sql.Tx) prepared { return prepared{s, tx} }

func (p prepared) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	st, ok := p.s.stmts.Load(q)
	if !ok {
		ps, err := p.s.db.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		if st, ok = p.s.stmts.LoadOrStore(q, ps); ok {
			ps.Close()
		}
	}
	if p.tx != nil {
		return p.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	return st.(*sql.Stmt), nil
}

func (p prepared) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p prepared) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext: a failed prepare shows when the row is scanned, as
// with database/sql's own QueryRowContext (the query runs again unprepared
// to carry its error).
func (p prepared) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, q)
	if err != nil {
		if p.tx != nil {
			return p.tx.QueryRowContext(ctx, q, args...)
		}
		return p.s.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueueWithdrawals records intents and enqueues their jobs in one transaction.
func (s *DB) QueueWithdrawals(ctx context.Context, ids []int64, ch unvite.Change, enqueue unvite.Enqueue) ([]unvite.QueuedWithdrawal, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var queued []unvite.QueuedWithdrawal
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		queued = queued[:0]
		for _, id := range ids {
			inv, err := getInvitation(ctx, tx, id)
			if err != nil {
				return err
			}
			if inv.Status != unvite.StatusPending || inv.Direction != unvite.Sent {
				continue
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO withdrawal_queue (invitation_id, account_id, queued_at, actor, reason)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, inv.AccountID, ch.At.Unix(), ch.Actor, ch.Reason)
			if err != nil {
				return fmt.Errorf("sqlite: queue withdrawal of %d: %w", id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // queued already
			}
			if err := s.addEvent(ctx, tx, inv, "queue", "withdrawal queued: "+ch.Reason, ch); err != nil {
				return err
			}
			queued = append(queued, unvite.QueuedWithdrawal{InvitationID: id, AccountID: inv.AccountID,
				QueuedAt: ch.At.UTC().Truncate(1e9), Actor: ch.Actor, Reason: ch.Reason})
		}
		if enqueue != nil && len(queued) > 0 {
			return enqueue(ctx, tx, queued)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return queued, nil
}

// Unqueue drops intents, one audit event each.
func (s *DB) Unqueue(ctx context.Context, accountID int64, ids []int64, ch unvite.Change) ([]int64, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var dropped []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		dropped = dropped[:0]
		q, args := `SELECT invitation_id FROM withdrawal_queue WHERE account_id = ?`, []any{accountID}
		if len(ids) > 0 {
			q += ` AND invitation_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
			for _, id := range ids {
				args = append(args, id)
			}
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY invitation_id`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: unqueue: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: unqueue: %w", err)
			}
			dropped = append(dropped, id)
		}
		rows.Close()
		for _, id := range dropped {
			if _, err := tx.ExecContext(ctx, `DELETE FROM withdrawal_queue WHERE invitation_id = ?`, id); err != nil {
				return fmt.Errorf("sqlite: unqueue %d: %w", id, err)
			}
			inv := &unvite.Invitation{ID: id, AccountID: accountID}
			if err := s.addEvent(ctx, tx, inv, "unqueue", "withdrawal cancelled: "+ch.Reason, ch); err != nil {
				return err
			}
		}
		return nil
	})
	return dropped, err
}

// Queued lists an account's intents, oldest first (accountID 0: all).
func (s *DB) Queued(ctx context.Context, accountID int64) ([]unvite.QueuedWithdrawal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT invitation_id, account_id, queued_at, actor, reason
		FROM withdrawal_queue WHERE ? = 0 OR account_id = ? ORDER BY queued_at, invitation_id`, accountID, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: queued withdrawals: %w", err)
	}
	defer rows.Close()
	var out []unvite.QueuedWithdrawal
	for rows.Next() {
		var q unvite.QueuedWithdrawal
		var at sql.NullInt64
		if err := rows.Scan(&q.InvitationID, &q.AccountID, &at, &q.Actor, &q.Reason); err != nil {
			return nil, fmt.Errorf("sqlite: queued withdrawals: %w", err)
		}
		q.QueuedAt = fromUnix(at)
		out = append(out, q)
	}
	return out, rows.Err()
}

// ClaimWithdrawal starts an attempt. Writers are serialised by SQLite
// (immediate transactions), so counting the day's budget and claiming
// cannot interleave with another claim.
func (s *DB) ClaimWithdrawal(ctx context.Context, c unvite.Claim) error {
	if c.At.IsZero() {
		c.At = s.now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		q := s.prepared(tx)
		// Status, intent and the day's count in one read.
		var acct, spent int64
		var status unvite.Status
		var queued bool
		err := q.QueryRowContext(ctx, `SELECT i.account_id, i.status,
			EXISTS (SELECT 1 FROM withdrawal_queue q WHERE q.invitation_id = i.id),
			(SELECT count(*) FROM withdrawal_attempts a WHERE a.account_id = i.account_id AND a.day = ? AND a.outcome <> 'failed')
			FROM invitations i WHERE i.id = ?`, c.Day, c.InvitationID).Scan(&acct, &status, &queued, &spent)
		if isNoRows(err) {
			return notFound("invitation", c.InvitationID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: claim %d: %w", c.InvitationID, err)
		}
		if status != unvite.StatusPending {
			return fmt.Errorf("invitation %d is %s: %w", c.InvitationID, status, unvite.ErrNotPending)
		}
		if !queued {
			return fmt.Errorf("invitation %d: %w", c.InvitationID, unvite.ErrNotQueued)
		}
		if spent >= int64(c.Limit) {
			return fmt.Errorf("account %d, %s: %d of %d: %w", acct, c.Day, spent, c.Limit, unvite.ErrBudgetSpent)
		}
		// The invitation first: a statement that changes no page the
		// transaction changed before needs no statement journal (with its
		// triggers, this one would spill one to a temporary file).
		res, err := q.ExecContext(ctx, `UPDATE invitations SET status = 'withdrawing', attempt_id = ?, status_since = ?,
			changed_at = ?, status_reason = ?, status_actor = ? WHERE id = ? AND status = 'pending'`,
			c.AttemptID, c.At.Unix(), c.At.Unix(), attemptReason(c.AttemptID, c.Reason), c.Actor, c.InvitationID)
		if err != nil {
			return fmt.Errorf("sqlite: claim %d: %w", c.InvitationID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("invitation %d: %w", c.InvitationID, unvite.ErrNotPending)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO withdrawal_attempts (id, account_id, invitation_id, day, claimed_at, actor)
			VALUES (?, ?, ?, ?, ?, ?)`, c.AttemptID, acct, c.InvitationID, c.Day, c.At.Unix(), c.Actor); err != nil {
			return fmt.Errorf("sqlite: claim %d: record attempt %s: %w", c.InvitationID, c.AttemptID, err)
		}
		return nil
	})
}

func attemptReason(id, reason string) string {
	if reason == "" {
		return "attempt " + id
	}
	return "attempt " + id + ": " + reason
}

// FinishWithdrawal records an attempt's outcome.
func (s *DB) FinishWithdrawal(ctx context.Context, attemptID string, o unvite.Outcome, ch unvite.Change) error {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		q := s.prepared(tx)
		// Through the attempt's key: invitations has no index on attempt_id.
		var invID int64
		err := q.QueryRowContext(ctx, `SELECT i.id FROM withdrawal_attempts a CROSS JOIN invitations i ON i.id = a.invitation_id
			WHERE a.id = ? AND i.attempt_id = a.id AND i.status = 'withdrawing'`, attemptID).Scan(&invID)
		if isNoRows(err) {
			return fmt.Errorf("attempt %s: %w", attemptID, unvite.ErrAttemptOver)
		}
		if err != nil {
			return fmt.Errorf("sqlite: finish attempt %s: %w", attemptID, err)
		}
		to := o.Status()
		var reinvite any
		if to == unvite.StatusWithdrawn {
			cd := ch.CoolDown
			if cd <= 0 {
				cd = unvite.DefaultCoolDown
			}
			reinvite = ch.At.Add(cd).Unix()
		}
		// The attempt_close trigger closes the attempt with this outcome.
		if _, err := q.ExecContext(ctx, `UPDATE invitations SET status = ?, status_since = ?, changed_at = ?,
			status_reason = ?, status_actor = ?, reinvite_after = coalesce(?, reinvite_after) WHERE id = ?`,
			to, ch.At.Unix(), ch.At.Unix(), attemptReason(attemptID, ch.Reason), ch.Actor, reinvite, invID); err != nil {
			return fmt.Errorf("sqlite: finish attempt %s: %w", attemptID, err)
		}
		return nil
	})
}

const attemptColumns = `id, account_id, invitation_id, day, claimed_at, outcome, finished_at, actor`

func scanAttempt(row interface{ Scan(...any) error }) (*unvite.Attempt, error) {
	var a unvite.Attempt
	var claimed, finished sql.NullInt64
	if err := row.Scan(&a.ID, &a.AccountID, &a.InvitationID, &a.Day, &claimed, &a.Outcome, &finished, &a.Actor); err != nil {
		return nil, err
	}
	a.ClaimedAt, a.FinishedAt = fromUnix(claimed), fromUnix(finished)
	return &a, nil
}

// Attempt returns one attempt.
func (s *DB) Attempt(ctx context.Context, id string) (*unvite.Attempt, error) {
	a, err := scanAttempt(s.db.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, notFound("withdrawal attempt", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: attempt %s: %w", id, err)
	}
	return a, nil
}

// LastAttempt returns the account's latest attempt.
func (s *DB) LastAttempt(ctx context.Context, accountID int64) (*unvite.Attempt, error) {
	a, err := scanAttempt(s.db.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts
		WHERE account_id = ? ORDER BY claimed_at DESC, id DESC LIMIT 1`, accountID))
	if isNoRows(err) {
		return nil, notFound("withdrawal attempt of account", accountID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: last attempt of account %d: %w", accountID, err)
	}
	return a, nil
}

// InvitationAccount reads an invitation and its account.
func (s *DB) InvitationAccount(ctx context.Context, invitationID int64) (*unvite.Invitation, *unvite.Account, error) {
	inv, err := s.Invitation(ctx, invitationID)
	if err != nil {
		return nil, nil, err
	}
	acct, err := s.Account(ctx, inv.AccountID)
	if err != nil {
		return nil, nil, err
	}
	return inv, acct, nil
}

// OpenAttempt returns the invitation's attempt in flight.
func (s *DB) OpenAttempt(ctx context.Context, invitationID int64) (*unvite.Attempt, error) {
	a, err := scanAttempt(s.db.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts
		WHERE invitation_id = ? AND outcome = '' ORDER BY claimed_at DESC LIMIT 1`, invitationID))
	if isNoRows(err) {
		return nil, notFound("withdrawal attempt in flight for invitation", invitationID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: attempt of invitation %d: %w", invitationID, err)
	}
	return a, nil
}

// Attempts lists attempts, oldest first.
func (s *DB) Attempts(ctx context.Context, accountID int64) ([]*unvite.Attempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts
		WHERE ? = 0 OR account_id = ? ORDER BY claimed_at, id`, accountID, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: attempts: %w", err)
	}
	defer rows.Close()
	var out []*unvite.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: attempts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// WithdrawalsOn counts the attempts spending the account's budget on day.
func (s *DB) WithdrawalsOn(ctx context.Context, accountID int64, day string) (int, error) {
	return withdrawalsOn(ctx, s.db, accountID, day)
}

func withdrawalsOn(ctx context.Context, q queryer, accountID int64, day string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM withdrawal_attempts
		WHERE account_id = ? AND day = ? AND outcome <> 'failed'`, accountID, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: withdrawals of account %d on %s: %w", accountID, day, err)
	}
	return n, nil
}

// WithdrawalsOnDays counts each account's withdrawals on its day, one
// index lookup of (account_id, day) a pair, the pairs passed as one JSON
// object (SQLite has no array parameters).
func (s *DB) WithdrawalsOnDays(ctx context.Context, days map[int64]string) (map[int64]int, error) {
	pairs, err := json.Marshal(days) // {"12": "2026-12-02", …}
	if err != nil {
		return nil, fmt.Errorf("sqlite: withdrawals of %d accounts: %w", len(days), err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT w.account_id, count(*) FROM json_each(?) AS d
		JOIN withdrawal_attempts w ON w.account_id = CAST(d.key AS INTEGER) AND w.day = d.value AND w.outcome <> 'failed'
		GROUP BY w.account_id`, string(pairs))
	if err != nil {
		return nil, fmt.Errorf("sqlite: withdrawals of %d accounts: %w", len(days), err)
	}
	defer rows.Close()
	out := make(map[int64]int)
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("sqlite: withdrawals of %d accounts: %w", len(days), err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// PostponeReinvite moves the re-invite date.
func (s *DB) PostponeReinvite(ctx context.Context, invitationID int64, until time.Time, ch unvite.Change) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		inv, err := getInvitation(ctx, tx, invitationID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET reinvite_after = ? WHERE id = ?`, until.Unix(), invitationID); err != nil {
			return fmt.Errorf("sqlite: postpone re-invite of %d: %w", invitationID, err)
		}
		return s.addEvent(ctx, tx, inv, "reinvite", "re-invite not before "+until.UTC().Format(time.RFC3339)+": "+ch.Reason, ch)
	})
}
