package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
)

// DefaultRetryAfter is how long a rate-limited account waits when LinkedIn
// did not say.
const DefaultRetryAfter = time.Hour

// Ready says whether unvite may call LinkedIn for the account now; its
// error names the state and the next step.
func Ready(acct *unvite.Account, now time.Time) error {
	switch acct.State {
	case unvite.AccountPaused, unvite.AccountNeedsLogin, unvite.AccountOffline:
	case unvite.AccountThrottled:
		if !now.Before(acct.ThrottledUntil) {
			return nil
		}
	default:
		return nil
	}
	return unvite.Errorf(unvite.ECONFLICT, "account %s %s: %s", acct.Name, Describe(acct), NextStep(acct, now))
}

// Describe says in words where the account stands ("is paused (reason)").
func Describe(acct *unvite.Account) string {
	var s string
	switch acct.State {
	case unvite.AccountPaused:
		s = "is paused"
	case unvite.AccountNeedsLogin:
		s = "needs a new LinkedIn session"
	case unvite.AccountThrottled:
		s = "is throttled until " + localTime(acct, acct.ThrottledUntil)
	case unvite.AccountOffline:
		s = "has no LinkedIn session"
	default:
		s = "is " + string(acct.State)
	}
	if acct.StateReason != "" {
		s += " (" + acct.StateReason + ")"
	}
	return s
}

// NeedsUser tells whether an account is not working on its own: stopped,
// or without a LinkedIn session. Describe and NextStep say why and what to
// do.
func NeedsUser(acct *unvite.Account) bool {
	return acct.State != unvite.AccountActive || !acct.HasSession
}

// Stopped names the state of an account that waits for the user or for
// time ("needs login", "paused", "throttled"), for "needs login since …";
// "" for an active or offline account, or one whose StateSince is unknown.
func Stopped(acct *unvite.Account) string {
	if acct.StateSince.IsZero() {
		return ""
	}
	switch acct.State {
	case unvite.AccountNeedsLogin:
		return "needs login"
	case unvite.AccountPaused:
		return "paused"
	case unvite.AccountThrottled:
		return "throttled"
	}
	return ""
}

// NextStep is the command that moves the account on from where it stands.
func NextStep(acct *unvite.Account, now time.Time) string {
	switch acct.State {
	case unvite.AccountPaused:
		return fmt.Sprintf("unvite account resume %d", acct.ID)
	case unvite.AccountNeedsLogin:
		return fmt.Sprintf("unvite account reconnect %d", acct.ID)
	case unvite.AccountThrottled:
		if now.Before(acct.ThrottledUntil) {
			return fmt.Sprintf("wait until %s, then: unvite sync --account %d", localTime(acct, acct.ThrottledUntil), acct.ID)
		}
	}
	if !acct.HasSession || acct.State == unvite.AccountOffline {
		return fmt.Sprintf("unvite account reconnect %d", acct.ID)
	}
	return fmt.Sprintf("unvite sync --account %d", acct.ID)
}

func localTime(acct *unvite.Account, t time.Time) string {
	return t.In(acct.Location()).Format("2006-01-02 15:04 MST")
}

// Outcome is what a LinkedIn error did to an account.
type Outcome struct {
	// Account is the account as it stands after the change.
	Account *unvite.Account
	// Stop is true when the account's work must stop now: no request until
	// its state allows one again (see Ready).
	Stop bool
	// SlowDown is true after a rate limit: the account runs at half pace
	// for the rest of the day (Account.RateLimitedAt records it).
	SlowDown bool
}

// Fail records what a LinkedIn error means for the account, as a patch of
// its state with an audit event, and says whether its work must stop:
//
//   - expired session, CSRF mismatch or security challenge: needs-login,
//     until the user reconnects;
//   - 429 rate limit: throttled until Retry-After (DefaultRetryAfter when
//     absent), and half pace for the rest of the day;
//   - 999 "Request denied": paused until the user resumes, never retried on
//     a timer;
//   - a failed call (a server error, no reply, a reply unvite cannot read):
//     counted; the maxFailures-th in a row (the policy's max_failures; 0
//     means the default) pauses the account until the user resumes, the
//     circuit breaker. Any answered call resets the count (see Lift).
//
// A user's pause is never replaced by an automatic stop. The error returned
// (nil only when err is nil) tells the user what happened and the next step;
// errors that say nothing about the account (an invitation no longer
// pending, a cancelled call) and failed calls under the limit are returned
// as they are, with Stop false.
func Fail(ctx context.Context, s unvite.Store, acct *unvite.Account, err error, maxFailures int, ch unvite.Change) (Outcome, error) {
	if err == nil {
		return Outcome{Account: acct}, nil
	}
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	out := Outcome{Account: acct, Stop: true}
	var p unvite.AccountPatch
	switch {
	case errors.Is(err, linkedin.ErrSessionExpired), errors.Is(err, linkedin.ErrCSRF):
		p = stop(unvite.AccountNeedsLogin, "session expired: sign in to LinkedIn in your browser and copy the cookies again", unvite.AccountActive, unvite.AccountThrottled, unvite.AccountNeedsLogin)
	case errors.Is(err, linkedin.ErrChallenge):
		p = stop(unvite.AccountNeedsLogin, "security challenge: pass it in your browser, then copy the cookies again", unvite.AccountActive, unvite.AccountThrottled, unvite.AccountNeedsLogin)
	case errors.Is(err, linkedin.ErrSoftBlock):
		p = stop(unvite.AccountPaused, "LinkedIn denied requests (999): check the account in your browser before resuming", unvite.AccountActive, unvite.AccountThrottled, unvite.AccountPaused)
	case errors.Is(err, linkedin.ErrRateLimited):
		wait := linkedin.RetryAfter(err)
		if wait <= 0 {
			wait = DefaultRetryAfter
		}
		p = stop(unvite.AccountThrottled, "rate limited by LinkedIn (429)", unvite.AccountActive, unvite.AccountThrottled)
		p.ThrottledUntil = unvite.Ptr(ch.At.Add(wait))
		p.RateLimitedAt = &ch.At
		out.SlowDown = true
	case FailedCall(err):
		return failed(ctx, s, acct, err, maxFailures, ch)
	default:
		return Outcome{Account: acct}, err
	}
	ch.Reason = *p.StateReason
	got, perr := s.PatchAccount(context.WithoutCancel(ctx), acct.ID, p, ch)
	if perr != nil {
		return out, errors.Join(err, fmt.Errorf("recording that account %s stopped: %w", acct.Name, perr))
	}
	out.Account = got
	return out, &StopError{Account: got, Err: err, Next: NextStep(got, ch.At)}
}

// FailedCall reports whether err is a LinkedIn call that failed without an
// answer about the account or the invitation: a server error, no reply (a
// timeout, a dropped connection), a reply unvite cannot read. These count
// towards the circuit breaker; a call cancelled by unvite itself does not.
func FailedCall(err error) bool {
	return errors.Is(err, linkedin.ErrUnexpected) && !errors.Is(err, context.Canceled)
}

// failed counts a failed call and pauses the account at the limit. The
// count is kept by the store, so that failures in several processes add up.
func failed(ctx context.Context, s unvite.Store, acct *unvite.Account, err error, maxFailures int, ch unvite.Change) (Outcome, error) {
	if maxFailures <= 0 {
		maxFailures = unvite.DefaultMaxFailures
	}
	ctx = context.WithoutCancel(ctx)
	ch.Reason = "LinkedIn call failed: " + brief(err)
	got, perr := s.PatchAccount(ctx, acct.ID, unvite.AccountPatch{FailedCall: true}, ch)
	if perr != nil {
		return Outcome{Account: acct}, errors.Join(err, fmt.Errorf("counting a failed call of account %s: %w", acct.Name, perr))
	}
	if got.Failures < maxFailures {
		return Outcome{Account: got}, err
	}
	why := fmt.Sprintf("paused after %d failed calls in a row; last: %s; resume with unvite account resume %d", got.Failures, brief(err), got.ID)
	p := stop(unvite.AccountPaused, why, unvite.AccountActive, unvite.AccountThrottled)
	ch.Reason = "circuit breaker"
	if got, perr = s.PatchAccount(ctx, acct.ID, p, ch); perr != nil {
		return Outcome{Account: acct, Stop: true}, errors.Join(err, fmt.Errorf("recording that account %s stopped: %w", acct.Name, perr))
	}
	return Outcome{Account: got, Stop: true}, &StopError{Account: got, Err: err, Next: NextStep(got, ch.At)}
}

// brief says what a failed call was in a few words, for the account's
// state reason: the call and its status, not the reply's body.
func brief(err error) string {
	var le *linkedin.Error
	if !errors.As(err, &le) {
		s := []rune(err.Error())
		if len(s) > 120 {
			return string(s[:119]) + "…"
		}
		return string(s)
	}
	what := "no reply"
	if le.Status != 0 {
		what = fmt.Sprintf("HTTP %d", le.Status)
		if le.Status < 300 {
			what += ", a reply unvite cannot read"
		}
	} else if le.Err != nil && errors.Is(le.Err, context.DeadlineExceeded) {
		what = "no reply in time"
	}
	if le.Op != "" {
		return le.Op + ": " + what
	}
	return what
}

func stop(st unvite.AccountState, why string, from ...unvite.AccountState) unvite.AccountPatch {
	return unvite.AccountPatch{State: &st, StateReason: &why, ThrottledUntil: &time.Time{}, OnlyFrom: from}
}

// StopError says that LinkedIn stopped an account's work, why, and what the
// user must do next. Its code is ECONFLICT.
type StopError struct {
	Account *unvite.Account // as it stands after the stop
	Err     error           // LinkedIn's error
	Next    string          // the next step, a command
}

func (e *StopError) Error() string {
	return fmt.Sprintf("account %s stopped: %s (%v); nothing was retried. Next: %s", e.Account.Name, Describe(e.Account), e.Err, e.Next)
}

// Unwrap gives LinkedIn's error and the code ECONFLICT.
func (e *StopError) Unwrap() []error {
	return []error{e.Err, unvite.Errorf(unvite.ECONFLICT, "account stopped")}
}

// Lift records that LinkedIn answered again: a throttle that is over
// ends, so the account shows as active, and the count of failed calls in a
// row goes back to 0. An account with neither is left alone, unwritten.
func Lift(ctx context.Context, s unvite.Store, acct *unvite.Account, ch unvite.Change) (*unvite.Account, error) {
	if acct.State != unvite.AccountThrottled && acct.Failures == 0 {
		return acct, nil
	}
	if ch.Reason == "" {
		ch.Reason = "LinkedIn answers again"
	}
	return s.PatchAccount(ctx, acct.ID, unvite.AccountPatch{
		State: unvite.Ptr(unvite.AccountActive), StateReason: unvite.Ptr(""), ThrottledUntil: &time.Time{},
		OnlyFrom: []unvite.AccountState{unvite.AccountThrottled}, ResetFailures: true,
	}, ch)
}

// Pause stops all work on an account until Resume.
func Pause(ctx context.Context, s unvite.Store, acct *unvite.Account, ch unvite.Change) (*unvite.Account, error) {
	if ch.Reason == "" {
		ch.Reason = "paused by the user"
	}
	return s.PatchAccount(ctx, acct.ID, unvite.AccountPatch{
		State: unvite.Ptr(unvite.AccountPaused), StateReason: &ch.Reason, ThrottledUntil: &time.Time{},
	}, ch)
}

// Resume lets work on a paused or throttled account go on. An account that
// needs a new session is not resumed: the error says to reconnect it.
func Resume(ctx context.Context, s unvite.Store, acct *unvite.Account, ch unvite.Change) (*unvite.Account, error) {
	if acct.State == unvite.AccountNeedsLogin {
		return nil, unvite.Errorf(unvite.ECONFLICT, "account %s needs a new session, not a resume: unvite account reconnect %d", acct.Name, acct.ID)
	}
	next := unvite.AccountActive
	if !acct.HasSession {
		next = unvite.AccountOffline
	}
	if ch.Reason == "" {
		ch.Reason = "resumed by the user"
	}
	got, err := s.PatchAccount(ctx, acct.ID, unvite.AccountPatch{
		State: &next, StateReason: unvite.Ptr(""), ThrottledUntil: &time.Time{},
		// A resumed account gets max_failures tries again.
		ResetFailures: true,
		// Not from needs-login, which a worker may have set meanwhile.
		OnlyFrom: []unvite.AccountState{unvite.AccountPaused, unvite.AccountThrottled, unvite.AccountActive, unvite.AccountOffline},
	}, ch)
	if err != nil {
		return nil, err
	}
	if got.State == unvite.AccountNeedsLogin {
		return got, unvite.Errorf(unvite.ECONFLICT, "account %s needs a new session, not a resume: unvite account reconnect %d", got.Name, got.ID)
	}
	return got, nil
}
