package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/unvite/unvite"
)

var _ unvite.Withdrawals = (*DB)(nil)

// QueueWithdrawals records intents and enqueues their jobs in one transaction.
func (s *DB) QueueWithdrawals(ctx context.Context, ids []int64, ch unvite.Change, enqueue unvite.Enqueue) ([]unvite.QueuedWithdrawal, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var queued []unvite.QueuedWithdrawal
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		queued = queued[:0]
		for _, id := range ids {
			inv, err := getInvitation(ctx, tx, id)
			if err != nil {
				return err
			}
			if inv.Status != unvite.StatusPending || inv.Direction != unvite.Sent {
				continue
			}
			tag, err := tx.Exec(ctx, `INSERT INTO withdrawal_queue (invitation_id, account_id, queued_at, actor, reason)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, id, inv.AccountID, sec(ch.At), ch.Actor, ch.Reason)
			if err != nil {
				return fmt.Errorf("postgres: queue withdrawal of %d: %w", id, err)
			}
			if tag.RowsAffected() == 0 {
				continue // queued already
			}
			if err := s.addEvent(ctx, tx, inv, "queue", "withdrawal queued: "+ch.Reason, ch); err != nil {
				return err
			}
			queued = append(queued, unvite.QueuedWithdrawal{InvitationID: id, AccountID: inv.AccountID,
				QueuedAt: sec(ch.At), Actor: ch.Actor, Reason: ch.Reason})
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM withdrawal_queue WHERE account_id = $1
			AND (coalesce(cardinality($2::bigint[]), 0) = 0 OR invitation_id = ANY($2)) RETURNING invitation_id`, accountID, ids)
		if err != nil {
			return fmt.Errorf("postgres: unqueue: %w", err)
		}
		dropped, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("postgres: unqueue: %w", err)
		}
		for _, id := range dropped {
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
	rows, err := s.pool.Query(ctx, `SELECT invitation_id, account_id, queued_at, actor, reason
		FROM withdrawal_queue WHERE $1 = 0 OR account_id = $1 ORDER BY queued_at, invitation_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: queued withdrawals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (unvite.QueuedWithdrawal, error) {
		var q unvite.QueuedWithdrawal
		err := r.Scan(&q.InvitationID, &q.AccountID, &q.QueuedAt, &q.Actor, &q.Reason)
		q.QueuedAt = q.QueuedAt.UTC()
		return q, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: queued withdrawals: %w", err)
	}
	return out, nil
}

// ClaimWithdrawal starts an attempt. The account's row lock serialises the
// claims of one account across processes, so the day's count and the new
// attempt cannot interleave with another claim.
//
// The whole transaction is one round trip (a pgx batch): BEGIN, the lock,
// one statement that checks and writes, COMMIT.
// Each statement still takes its own snapshot (READ COMMITTED), so the
// checks see every claim committed before the lock was granted.
func (s *DB) ClaimWithdrawal(ctx context.Context, c unvite.Claim) error {
	if c.At.IsZero() {
		c.At = s.now()
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: claim %d: %w", c.InvitationID, err)
	}
	defer conn.Release()

	var (
		acct, spent   int64
		status        unvite.Status
		queued, moved bool
	)
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	// Account first, then invitation: every claim locks in this order.
	b.Queue(`SELECT a.id FROM invitations i JOIN accounts a ON a.id = i.account_id
		WHERE i.id = $1 FOR NO KEY UPDATE OF a`, c.InvitationID).QueryRow(func(r pgx.Row) error { return r.Scan(&acct) })
	// Status, intent and the day's count, read once the account is held;
	// the move and its attempt only when all three allow it. The update
	// checks the status again: a change by a writer that does not take the
	// account's lock (a sync, an import) makes it skip the row.
	b.Queue(`WITH chk AS (
			SELECT i.id, i.status,
				EXISTS (SELECT 1 FROM withdrawal_queue q WHERE q.invitation_id = i.id) AS queued,
				(SELECT count(*) FROM withdrawal_attempts a
				 WHERE a.account_id = i.account_id AND a.day = $7 AND a.outcome <> 'failed') AS spent
			FROM invitations i WHERE i.id = $5),
		moved AS (
			UPDATE invitations i SET status = 'withdrawing', attempt_id = $1, status_since = $2,
				changed_at = $2, status_reason = $3, status_actor = $4
			FROM chk WHERE i.id = chk.id AND i.status = 'pending' AND chk.queued AND chk.spent < $6
			RETURNING i.id, i.account_id),
		attempt AS (
			INSERT INTO withdrawal_attempts (id, account_id, invitation_id, day, claimed_at, actor)
			SELECT $1, account_id, id, $7, $2, $4 FROM moved)
		SELECT chk.status, chk.queued, chk.spent, EXISTS (SELECT 1 FROM moved) FROM chk`,
		c.AttemptID, sec(c.At), attemptReason(c.AttemptID, c.Reason), c.Actor, c.InvitationID, c.Limit, c.Day,
	).QueryRow(func(r pgx.Row) error { return r.Scan(&status, &queued, &spent, &moved) })
	b.Queue("COMMIT")
	err = conn.SendBatch(ctx, b).Close()
	if err != nil {
		// A failed statement aborted the transaction; without a rollback
		// the connection must go.
		if _, rerr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
		if isNoRows(err) {
			return notFound("invitation", c.InvitationID)
		}
		return fmt.Errorf("postgres: claim %d: %w", c.InvitationID, err)
	}
	switch {
	case moved:
		return nil
	case status != unvite.StatusPending:
		return fmt.Errorf("invitation %d is %s: %w", c.InvitationID, status, unvite.ErrNotPending)
	case !queued:
		return fmt.Errorf("invitation %d: %w", c.InvitationID, unvite.ErrNotQueued)
	case spent >= int64(c.Limit):
		return fmt.Errorf("account %d, %s: %d of %d: %w", acct, c.Day, spent, c.Limit, unvite.ErrBudgetSpent)
	}
	return fmt.Errorf("invitation %d changed while it was claimed: %w", c.InvitationID, unvite.ErrNotPending)
}

// InvitationAccount reads an invitation and its account in one round trip.
func (s *DB) InvitationAccount(ctx context.Context, invitationID int64) (*unvite.Invitation, *unvite.Account, error) {
	var inv *unvite.Invitation
	var acct *unvite.Account
	b := &pgx.Batch{}
	b.Queue(`SELECT `+invitationColumns+` FROM invitations i WHERE i.id = $1`, invitationID).QueryRow(func(r pgx.Row) (err error) {
		inv, err = scanInvitation(r)
		return err
	})
	b.Queue(`SELECT `+accountColumns+` FROM accounts WHERE id = (SELECT account_id FROM invitations WHERE id = $1)`,
		invitationID).QueryRow(func(r pgx.Row) (err error) {
		acct, err = scanAccount(r)
		return err
	})
	err := s.pool.SendBatch(ctx, b).Close()
	if isNoRows(err) {
		return nil, nil, notFound("invitation", invitationID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: invitation %d and its account: %w", invitationID, err)
	}
	return inv, acct, nil
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
	to := o.Status()
	var reinvite any
	if to == unvite.StatusWithdrawn {
		cd := ch.CoolDown
		if cd <= 0 {
			cd = unvite.DefaultCoolDown
		}
		reinvite = sec(ch.At.Add(cd))
	}
	// One statement, atomic on its own: found through the attempt's key
	// (invitations has no index on attempt_id), and if a sync moved the
	// invitation meanwhile, the row no longer qualifies and nothing changes.
	// The attempt_close trigger closes the attempt with this outcome.
	tag, err := s.pool.Exec(ctx, `UPDATE invitations i SET status = $1, status_since = $2, changed_at = $2,
			status_reason = $3, status_actor = $4, reinvite_after = coalesce($5, reinvite_after)
		FROM withdrawal_attempts a
		WHERE a.id = $6 AND i.id = a.invitation_id AND i.attempt_id = a.id AND i.status = 'withdrawing'`,
		string(to), sec(ch.At), attemptReason(attemptID, ch.Reason), ch.Actor, reinvite, attemptID)
	if err != nil {
		return fmt.Errorf("postgres: finish attempt %s: %w", attemptID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("attempt %s: %w", attemptID, unvite.ErrAttemptOver)
	}
	return nil
}

const attemptColumns = `id, account_id, invitation_id, day, claimed_at, outcome, finished_at, actor`

func scanAttempt(row pgx.Row) (*unvite.Attempt, error) {
	var a unvite.Attempt
	var finished pgtype.Timestamptz
	if err := row.Scan(&a.ID, &a.AccountID, &a.InvitationID, &a.Day, &a.ClaimedAt, &a.Outcome, &finished, &a.Actor); err != nil {
		return nil, err
	}
	a.ClaimedAt, a.FinishedAt = a.ClaimedAt.UTC(), fromTS(finished)
	return &a, nil
}

// Attempt returns one attempt.
func (s *DB) Attempt(ctx context.Context, id string) (*unvite.Attempt, error) {
	a, err := scanAttempt(s.pool.QueryRow(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts WHERE id = $1`, id))
	if isNoRows(err) {
		return nil, notFound("withdrawal attempt", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: attempt %s: %w", id, err)
	}
	return a, nil
}

// LastAttempt returns the account's latest attempt.
func (s *DB) LastAttempt(ctx context.Context, accountID int64) (*unvite.Attempt, error) {
	a, err := scanAttempt(s.pool.QueryRow(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts
		WHERE account_id = $1 ORDER BY claimed_at DESC, id DESC LIMIT 1`, accountID))
	if isNoRows(err) {
		return nil, notFound("withdrawal attempt of account", accountID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: last attempt of account %d: %w", accountID, err)
	}
	return a, nil
}

// OpenAttempt returns the invitation's attempt in flight.
func (s *DB) OpenAttempt(ctx context.Context, invitationID int64) (*unvite.Attempt, error) {
	a, err := scanAttempt(s.pool.QueryRow(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts
		WHERE invitation_id = $1 AND outcome = '' ORDER BY claimed_at DESC LIMIT 1`, invitationID))
	if isNoRows(err) {
		return nil, notFound("withdrawal attempt in flight for invitation", invitationID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: attempt of invitation %d: %w", invitationID, err)
	}
	return a, nil
}

// Attempts lists attempts, oldest first.
func (s *DB) Attempts(ctx context.Context, accountID int64) ([]*unvite.Attempt, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+attemptColumns+` FROM withdrawal_attempts
		WHERE $1 = 0 OR account_id = $1 ORDER BY claimed_at, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: attempts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*unvite.Attempt, error) { return scanAttempt(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: attempts: %w", err)
	}
	return out, nil
}

// WithdrawalsOn counts the attempts spending the account's budget on day.
func (s *DB) WithdrawalsOn(ctx context.Context, accountID int64, day string) (int, error) {
	return withdrawalsOn(ctx, s.pool, accountID, day)
}

func withdrawalsOn(ctx context.Context, q querier, accountID int64, day string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM withdrawal_attempts
		WHERE account_id = $1 AND day = $2 AND outcome <> 'failed'`, accountID, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: withdrawals of account %d on %s: %w", accountID, day, err)
	}
	return n, nil
}

// WithdrawalsOnDays counts each account's withdrawals on its day, one
// index lookup of (account_id, day) a pair.
func (s *DB) WithdrawalsOnDays(ctx context.Context, days map[int64]string) (map[int64]int, error) {
	ids := make([]int64, 0, len(days))
	ds := make([]string, 0, len(days))
	for id, d := range days {
		ids, ds = append(ids, id), append(ds, d)
	}
	rows, err := s.pool.Query(ctx, `SELECT w.account_id, count(*) FROM unnest($1::bigint[], $2::text[]) AS d(account_id, day)
		JOIN withdrawal_attempts w ON w.account_id = d.account_id AND w.day = d.day AND w.outcome <> 'failed'
		GROUP BY w.account_id`, ids, ds)
	if err != nil {
		return nil, fmt.Errorf("postgres: withdrawals of %d accounts: %w", len(days), err)
	}
	out := make(map[int64]int)
	var id int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil }); err != nil {
		return nil, fmt.Errorf("postgres: withdrawals of %d accounts: %w", len(days), err)
	}
	return out, nil
}

// PostponeReinvite moves the re-invite date.
func (s *DB) PostponeReinvite(ctx context.Context, invitationID int64, until time.Time, ch unvite.Change) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		inv, err := getInvitation(ctx, tx, invitationID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET reinvite_after = $1 WHERE id = $2`, sec(until), invitationID); err != nil {
			return fmt.Errorf("postgres: postpone re-invite of %d: %w", invitationID, err)
		}
		return s.addEvent(ctx, tx, inv, "reinvite", "re-invite not before "+until.UTC().Format(time.RFC3339)+": "+ch.Reason, ch)
	})
}
