package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
)

// WithdrawArgs is the job that withdraws one invitation. It is unique per
// invitation while queued (completed and cancelled jobs do not count).
type WithdrawArgs struct {
	InvitationID int64 `json:"invitation_id" river:"unique"`
	AccountID    int64 `json:"account_id"`
}

func (WithdrawArgs) Kind() string { return "withdraw" }

// liveStates are the states in which a job is still to run.
var liveStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}

func (WithdrawArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 50, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

type withdrawWorker struct {
	river.WorkerDefaults[WithdrawArgs]
	e *Engine
}

func (w *withdrawWorker) Work(ctx context.Context, job *river.Job[WithdrawArgs]) error {
	attempt := "j" + strconv.FormatInt(job.ID, 10) + "." + strconv.Itoa(job.Attempt)
	if o := w.e.cfg.Observe; o != nil {
		defer func(start time.Time) { o(job.Kind, time.Since(start)) }(time.Now())
	}
	wait, err := w.e.Withdraw(ctx, job.Args, attempt)
	if errors.Is(err, ErrNotListed) {
		return river.JobCancel(err) // the intent is dropped: nothing to retry
	}
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

// ErrNotListed: the invitation is known only from an export, and a sync
// made after its withdrawal was queued did not find it on LinkedIn's sent
// list, which shows only the newest so many: no sync will learn its
// LinkedIn id. Its withdrawal is dropped (it stays pending) and the job
// cancelled with this error, which says where to withdraw it by hand.
var ErrNotListed = unvite.Errorf(unvite.ENOTFOUND, "not found on LinkedIn's sent list; it may be older than the list shows")

// SentInvitationsPage is where a member withdraws a sent invitation by hand.
const SentInvitationsPage = "https://www.linkedin.com/mynetwork/invitation-manager/sent/"

// Withdraw carries one queued withdrawal as far as it can now. It returns
// a wait when it must be tried again later (budget spent, outside active
// hours, within the gap, account stopped), nil when there is nothing left
// to do, and an error for River to retry with backoff (an outcome that is
// unknown, which the retry settles before anything else).
func (e *Engine) Withdraw(ctx context.Context, args WithdrawArgs, attemptID string) (time.Duration, error) {
	s := e.cfg.Store
	// The account's lock first: everything below reads the state as it is
	// once no other call of this account is in flight.
	release, wait, err := e.be.lock(ctx, args.AccountID)
	if err != nil || wait > 0 {
		return wait, err // another call of this account is in flight
	}
	defer release()
	inv, acct, err := s.InvitationAccount(ctx, args.InvitationID)
	if unvite.ErrorCode(err) == unvite.ENOTFOUND {
		return 0, nil // deleted with its account
	}
	if err != nil {
		return 0, err
	}
	if inv.Status.Final() {
		return 0, nil // settled meanwhile (by a sync, an import, by hand)
	}
	now := e.now()
	if wait, err := e.ready(acct, now); err != nil {
		return wait, nil
	}
	pol, err := e.cfg.Policy(acct)
	if err != nil {
		return 0, fmt.Errorf("withdraw invitation %d: %w", inv.ID, err)
	}
	pace, err := PaceFor(pol, acct)
	if err != nil {
		return 0, fmt.Errorf("withdraw invitation %d: %w", inv.ID, err)
	}

	if inv.Status == unvite.StatusWithdrawing {
		open, err := s.OpenAttempt(ctx, inv.ID)
		if unvite.ErrorCode(err) == unvite.ENOTFOUND {
			return 0, fmt.Errorf("invitation %d is withdrawing without an attempt: settle it with unvite sync", inv.ID)
		}
		if err != nil {
			return 0, err
		}
		return e.settle(ctx, acct, inv, open.ID, pol)
	}
	if inv.Status != unvite.StatusPending {
		return 0, nil
	}
	if inv.LinkedInID == "" {
		return e.unlisted(ctx, acct, inv, now)
	}

	if !e.cfg.NoPacing {
		if next := pace.Next(now); next.After(now) {
			return e.inTurn(ctx, acct.ID, inv.ID, next.Sub(now), pace)
		}
		last, err := s.LastAttempt(ctx, acct.ID)
		switch {
		case err == nil:
			if due := last.ClaimedAt.Add(pace.Gap(last.ID)); due.After(now) {
				return e.inTurn(ctx, acct.ID, inv.ID, due.Sub(now), pace)
			}
		case unvite.ErrorCode(err) != unvite.ENOTFOUND:
			return 0, err
		}
	}
	err = s.ClaimWithdrawal(ctx, unvite.Claim{InvitationID: inv.ID, AttemptID: attemptID, Day: pace.Day(now),
		Limit: e.limit(acct, pace, now), Change: unvite.Change{At: now, Actor: "engine"}})
	switch {
	case errors.Is(err, unvite.ErrBudgetSpent):
		next := pace.NextDay(now)
		if e.cfg.NoPacing {
			lt := now.In(pace.Loc)
			next = time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, pace.Loc)
		}
		return e.inTurn(ctx, acct.ID, inv.ID, next.Sub(now), pace)
	case errors.Is(err, unvite.ErrNotPending), errors.Is(err, unvite.ErrNotQueued):
		return 0, nil // claimed elsewhere, settled, or cancelled
	case err != nil:
		return 0, err
	}
	return e.call(ctx, acct, inv, attemptID, pol)
}

// unlisted carries a withdrawal of an invitation known only from an export
// (exports carry no LinkedIn id): a sync matches it to LinkedIn's list
// first, and the job waits for it. Once a sync made after the withdrawal
// was queued has not found it either, none will (LinkedIn lists only the
// newest so many): the withdrawal is dropped, with an audit event, and the
// invitation stays pending; the error (ErrNotListed) says what to do.
func (e *Engine) unlisted(ctx context.Context, acct *unvite.Account, inv *unvite.Invitation, now time.Time) (time.Duration, error) {
	qs, err := e.cfg.Store.Queued(ctx, acct.ID)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(qs, func(q unvite.QueuedWithdrawal) bool { return q.InvitationID == inv.ID })
	if i < 0 {
		return 0, nil // cancelled
	}
	// LastSyncAt is when the last complete sync began (it runs under the
	// account's lock, which this job holds): after the queueing means the
	// invitation was pending in the store while LinkedIn was listed.
	if !acct.LastSyncAt.After(qs[i].QueuedAt) {
		if err := e.be.insert(ctx, SyncArgs{AccountID: acct.ID}, nil); err != nil {
			return 0, err
		}
		return noIDRetry, nil
	}
	how := "withdraw it by hand at " + SentInvitationsPage
	if u := inv.Invitee.ProfileURL(); u != "" {
		how += " (or from " + u + ")"
	}
	ch := unvite.Change{At: now, Actor: "engine", Reason: ErrNotListed.Error() + " — " + how}
	if _, err := e.cfg.Store.Unqueue(ctx, acct.ID, []int64{inv.ID}, ch); err != nil {
		return 0, err
	}
	e.log.Warn("withdrawal dropped: not on LinkedIn's list", "account", acct.ID, "invitation", inv.ID)
	return 0, fmt.Errorf("invitation %d to %s: %w — %s", inv.ID, inv.Invitee.Name, ErrNotListed, how)
}

// inTurn staggers the wake-ups of an account's waiting withdrawals: the
// one queued first wakes after wait, the next a minimum gap later, and so
// on, so that a queue of E jobs does not wake all at once (to find one of
// them may go) each time the account's turn comes, and goes in queue order.
func (e *Engine) inTurn(ctx context.Context, accountID, invID int64, wait time.Duration, pace Pace) (time.Duration, error) {
	qs, err := e.cfg.Store.Queued(ctx, accountID)
	if err != nil {
		return 0, err
	}
	step := max(pace.MinGap, time.Second)
	for i, q := range qs {
		if q.InvitationID == invID {
			return wait + time.Duration(i)*step, nil
		}
	}
	return wait, nil
}

const (
	noIDRetry = 5 * time.Minute
)

// limit is the day's budget: halved for the rest of a day on which
// LinkedIn rate-limited the account. The time of the rate limit is stored
// with the account, so every process, and a restarted one, halves alike.
func (e *Engine) limit(acct *unvite.Account, pace Pace, now time.Time) int {
	if !acct.RateLimitedAt.IsZero() && pace.Day(acct.RateLimitedAt) == pace.Day(now) {
		return max(1, pace.Limit/2)
	}
	return pace.Limit
}

// call makes the claimed withdrawal and records what LinkedIn answered.
func (e *Engine) call(ctx context.Context, acct *unvite.Account, inv *unvite.Invitation, attemptID string, pol unvite.Policy) (time.Duration, error) {
	li, err := e.client(ctx, acct)
	if err != nil {
		e.finish(ctx, attemptID, unvite.OutcomeFailed, "no LinkedIn client: "+err.Error(), pol)
		return 0, err
	}
	err = li.Withdraw(ctx, inv.LinkedInID)
	switch {
	case err == nil:
		e.lift(ctx, acct)
		return 0, e.finish(ctx, attemptID, unvite.OutcomeWithdrawn, "withdrawn on LinkedIn", pol)
	case errors.Is(err, linkedin.ErrNotPending):
		e.lift(ctx, acct)
		return e.notPending(ctx, acct, li, inv, attemptID, pol, false)
	case e.refused(err):
		// LinkedIn turned the request away before acting on it: still
		// pending. The account stops; the job waits until it may go on.
		ferr := e.finish(ctx, attemptID, unvite.OutcomeFailed, "refused: "+err.Error(), pol)
		e.stopAccount(ctx, acct, err)
		wait, _ := e.ready(acct, e.now())
		return max(wait, time.Second), ferr
	default:
		// 5xx, a dropped connection, an unknown reply: the withdrawal may
		// or may not have happened. Leave it withdrawing; the retry finds
		// out first (settle). The failure counts towards the breaker.
		e.stopAccount(ctx, acct, err)
		return 0, fmt.Errorf("withdraw invitation %d (attempt %s): outcome unknown, will check before any new call: %w", inv.ID, attemptID, err)
	}
}

// lift ends a throttle that is over and resets the count of failed calls,
// now that LinkedIn answered again.
func (e *Engine) lift(ctx context.Context, acct *unvite.Account) {
	if _, err := accounts.Lift(ctx, e.cfg.Store, acct, unvite.Change{At: e.now(), Actor: "engine"}); err != nil {
		e.log.Warn("lift throttle", "account", acct.ID, "err", err)
	}
}

// refused reports errors that mean LinkedIn did not act on the request.
func (e *Engine) refused(err error) bool {
	for _, k := range []error{linkedin.ErrSessionExpired, linkedin.ErrCSRF, linkedin.ErrChallenge, linkedin.ErrSoftBlock, linkedin.ErrRateLimited} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// settle finds out what became of an attempt whose outcome is unknown (the
// process died, or the reply was lost), records it, and only then moves
// on. It asks LinkedIn to withdraw again: a confirmation means the first
// try had not landed; "not pending" is read together with the recent
// connections (accepted meanwhile, or our first try landed).
func (e *Engine) settle(ctx context.Context, acct *unvite.Account, inv *unvite.Invitation, attemptID string, pol unvite.Policy) (time.Duration, error) {
	li, err := e.client(ctx, acct)
	if err != nil {
		return 0, err
	}
	err = li.Withdraw(ctx, inv.LinkedInID)
	switch {
	case err == nil:
		e.lift(ctx, acct)
		return 0, e.finish(ctx, attemptID, unvite.OutcomeWithdrawn, "withdrawn on LinkedIn (checked after an unknown outcome)", pol)
	case errors.Is(err, linkedin.ErrNotPending):
		e.lift(ctx, acct)
		return e.notPending(ctx, acct, li, inv, attemptID, pol, true)
	case e.refused(err):
		e.stopAccount(ctx, acct, err)
		wait, _ := e.ready(acct, e.now())
		return max(wait, time.Second), nil
	default:
		e.stopAccount(ctx, acct, err)
		return 0, fmt.Errorf("settle invitation %d (attempt %s): outcome still unknown: %w", inv.ID, attemptID, err)
	}
}

// notPending records an invitation LinkedIn says is no longer pending:
// accepted when the invitee is now a connection; otherwise withdrawn when
// one of our attempts may have landed (ours), or gone.
func (e *Engine) notPending(ctx context.Context, acct *unvite.Account, li LinkedIn, inv *unvite.Invitation, attemptID string, pol unvite.Policy, ours bool) (time.Duration, error) {
	conns, err := li.RecentConnections(ctx, 100)
	if err != nil {
		e.stopAccount(ctx, acct, err)
		// Leave the attempt open: the next try reads the connections again.
		return 0, fmt.Errorf("invitation %d is no longer pending; reading connections to learn why: %w", inv.ID, err)
	}
	key := inv.Invitee.Key()
	for _, c := range conns {
		if c.Person.Key() == key || inv.Invitee.MemberURN != "" && c.Person.MemberURN == inv.Invitee.MemberURN {
			return 0, e.finish(ctx, attemptID, unvite.OutcomeAccepted, "accepted before the withdrawal: now a connection", pol)
		}
	}
	if ours {
		return 0, e.finish(ctx, attemptID, unvite.OutcomeWithdrawn, "withdrawn on LinkedIn (the earlier reply was lost)", pol)
	}
	return 0, e.finish(ctx, attemptID, unvite.OutcomeGone, "no longer pending on LinkedIn and not a connection", pol)
}

// finish records an outcome, even if the job's context has ended: the
// effect on LinkedIn happened either way.
func (e *Engine) finish(ctx context.Context, attemptID string, o unvite.Outcome, reason string, pol unvite.Policy) error {
	err := e.cfg.Store.FinishWithdrawal(context.WithoutCancel(ctx), attemptID, o, unvite.Change{
		At: e.now(), Actor: "engine", Reason: reason, CoolDown: pol.CoolDown()})
	if errors.Is(err, unvite.ErrAttemptOver) {
		return nil // a sync recorded it first
	}
	if err == nil {
		e.m.withdrawal(o)
	}
	return err
}
