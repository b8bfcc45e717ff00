package unvite

import (
	"context"
	"time"
)

// Outcome is how one withdrawal attempt ended.
type Outcome string

const (
	// OutcomeWithdrawn: LinkedIn confirmed the withdrawal (or the
	// invitation vanished after our attempt without becoming a connection).
	OutcomeWithdrawn Outcome = "withdrawn"
	// OutcomeAccepted: the invitee connected before the withdrawal landed.
	OutcomeAccepted Outcome = "accepted"
	// OutcomeGone: no longer pending, not a connection, and not by our hand.
	OutcomeGone Outcome = "gone"
	// OutcomeFailed: the attempt failed and the invitation is known to be
	// still pending: it goes back to pending and spends no budget.
	OutcomeFailed Outcome = "failed"
)

// Status is the invitation status an outcome leads to.
func (o Outcome) Status() Status {
	switch o {
	case OutcomeWithdrawn:
		return StatusWithdrawn
	case OutcomeAccepted:
		return StatusAccepted
	case OutcomeGone:
		return StatusGone
	}
	return StatusPending
}

// Sentinel errors of the withdrawal store methods. They carry ECONFLICT:
// a lost race or a spent budget is not an illegal transition.
var (
	// ErrNotPending: the invitation is no longer pending (another process
	// claimed it, or it was accepted, withdrawn or gone meanwhile).
	ErrNotPending = &Error{Code: ECONFLICT, Message: "invitation is no longer pending"}
	// ErrBudgetSpent: the account's daily withdrawal budget is spent.
	ErrBudgetSpent = &Error{Code: ECONFLICT, Message: "daily withdrawal budget spent"}
	// ErrNotQueued: no withdrawal of the invitation is queued (cancelled).
	ErrNotQueued = &Error{Code: ECONFLICT, Message: "no withdrawal queued for the invitation"}
	// ErrAttemptOver: the attempt is not (or no longer) in flight.
	ErrAttemptOver = &Error{Code: ECONFLICT, Message: "withdrawal attempt is not in flight"}
)

// Claim asks to start one withdrawal attempt.
type Claim struct {
	InvitationID int64
	AttemptID    string // unique; names the attempt in the audit log
	// Day is the calendar day ("2006-01-02") in the account's time zone the
	// attempt counts against, and Limit that day's budget: the claim fails
	// with ErrBudgetSpent when Limit attempts that day already withdrew or
	// are in flight, whoever (process, manual or automatic path) made them.
	Day   string
	Limit int
	Change
}

// Attempt is one withdrawal attempt as stored.
type Attempt struct {
	ID           string    `json:"id"`
	AccountID    int64     `json:"account_id"`
	InvitationID int64     `json:"invitation_id"`
	Day          string    `json:"day"`
	ClaimedAt    time.Time `json:"claimed_at"`
	Outcome      Outcome   `json:"outcome,omitempty"` // "" while in flight
	FinishedAt   time.Time `json:"finished_at,omitzero"`
	Actor        string    `json:"actor"`
}

// QueuedWithdrawal is a recorded intent to withdraw one invitation.
type QueuedWithdrawal struct {
	InvitationID int64     `json:"invitation_id"`
	AccountID    int64     `json:"account_id"`
	QueuedAt     time.Time `json:"queued_at"`
	Actor        string    `json:"actor"`
	Reason       string    `json:"reason"`
}

// Enqueue adds the jobs for queued withdrawals inside the store's own
// transaction, so the intent and its job commit or vanish together. tx is
// the store's transaction: *sql.Tx for sqlite, pgx.Tx for postgres.
type Enqueue func(ctx context.Context, tx any, queued []QueuedWithdrawal) error

// Withdrawals is the store's part of the withdrawal engine. Both stores
// implement it and pass storetest.
type Withdrawals interface {
	// QueueWithdrawals records the intent to withdraw each pending, not yet
	// queued invitation of ids (an audit event each) and calls enqueue with
	// them in the same transaction. Others are skipped, not errors.
	QueueWithdrawals(ctx context.Context, ids []int64, ch Change, enqueue Enqueue) ([]QueuedWithdrawal, error)
	// Unqueue drops the intents (audit event each) of ids, or of the whole
	// account when ids is empty, and returns the invitations dropped.
	Unqueue(ctx context.Context, accountID int64, ids []int64, ch Change) ([]int64, error)
	Queued(ctx context.Context, accountID int64) ([]QueuedWithdrawal, error)
	// ClaimWithdrawal moves a queued pending invitation to withdrawing under
	// a new attempt, in one transaction: ErrNotQueued, ErrNotPending or
	// ErrBudgetSpent when it may not. (The caller has read the invitation
	// already: nothing is read back.)
	ClaimWithdrawal(ctx context.Context, c Claim) error
	// InvitationAccount reads an invitation and its account together, as
	// a withdrawal job does before it claims (one round trip where the
	// store is a server); ENOTFOUND if the invitation is gone.
	InvitationAccount(ctx context.Context, invitationID int64) (*Invitation, *Account, error)
	// FinishWithdrawal records an attempt's outcome, moves the invitation
	// accordingly and drops the intent (except for OutcomeFailed, which
	// leaves it queued for a retry). ErrAttemptOver when the attempt was
	// already closed, for example by a sync that saw the result first.
	FinishWithdrawal(ctx context.Context, attemptID string, o Outcome, ch Change) error
	Attempt(ctx context.Context, id string) (*Attempt, error)
	// LastAttempt is the account's latest attempt (paces the next one);
	// ENOTFOUND if none.
	LastAttempt(ctx context.Context, accountID int64) (*Attempt, error)
	// OpenAttempt is the invitation's attempt in flight; ENOTFOUND if none.
	OpenAttempt(ctx context.Context, invitationID int64) (*Attempt, error)
	// Attempts lists an account's attempts, oldest first (0: every account).
	Attempts(ctx context.Context, accountID int64) ([]*Attempt, error)
	// PostponeReinvite moves an invitation's re-invite date (LinkedIn
	// answered CANT_RESEND_YET), with an audit event.
	PostponeReinvite(ctx context.Context, invitationID int64, until time.Time, ch Change) error
	// WithdrawalsOn counts the attempts that spend the account's budget on
	// day: withdrawn, accepted or gone meanwhile, or still in flight.
	WithdrawalsOn(ctx context.Context, accountID int64, day string) (int, error)
	// WithdrawalsOnDays counts as WithdrawalsOn does for many accounts at
	// once, each on its own day (days maps an account's id to its day in
	// its time zone): figures over an agency's accounts in one query. An
	// account without withdrawals that day is absent.
	WithdrawalsOnDays(ctx context.Context, days map[int64]string) (map[int64]int, error)
}
