package policy

import (
	"context"
	"time"

	"github.com/unvite/unvite"
)

// ForAccount returns the policy in force for acct, checked: the file's
// (see For), then the account's own values (acct.Policy, set with Save). A
// policy with an error (see Check) is an EINVALID error naming the account,
// so that no caller plans from a broken policy.
func (f *File) ForAccount(acct *unvite.Account) (unvite.Policy, error) {
	p, ps := WithValues(f.For(acct.Slug, acct.ID), acct.Policy)
	if len(ps) > 0 {
		return p, unvite.Errorf(unvite.EINVALID, "policy for %s: the account's own %s: %s (set it again in Accounts → Policy, or unvite policy set)", acct.Name, ps[0].Field, ps[0].Message)
	}
	if errs := Errors(Check(p)); len(errs) > 0 {
		return p, unvite.Errorf(unvite.EINVALID, "policy for %s: %s (run unvite policy check)", acct.Name, errs[0])
	}
	return p, nil
}

// DefaultFile is the File in force when there is no policy file: Default()
// for every account.
func DefaultFile() *File { return &File{base: Default()} }

// Save makes p the account's policy: it checks p (an error names every key
// in error), then patches the account's own values of the keys named (all
// when keys is nil) to what p changes from the file's policy for it (see
// Changes), with an audit event that lists each change. Keys not named are
// left as they are stored, so two people editing different keys do not undo
// each other. The dashboard, the API and `unvite policy set` all save so.
func (f *File) Save(ctx context.Context, s unvite.Store, acct *unvite.Account, p unvite.Policy, keys []string, ch unvite.Change) (*unvite.Account, error) {
	if err := Validate(p); err != nil {
		return nil, err
	}
	if ch.Reason == "" {
		ch.Reason = "policy set"
	}
	patch := Changes(f.For(acct.Slug, acct.ID), p)
	if keys != nil {
		named := make(map[string]*string, len(keys))
		for _, k := range keys {
			v, ok := patch[k]
			if !ok {
				return nil, unvite.Errorf(unvite.EINVALID, "policy: %s is not a policy key%s", k, suggestKey(k))
			}
			named[k] = v
		}
		patch = named
	}
	return s.PatchAccount(ctx, acct.ID, unvite.AccountPatch{Policy: patch}, ch)
}

// PlanAccount loads an account's pending sent invitations (those sent by
// now's day) from the store and plans them with p as of now: the plan the CLI prints, the dashboard shows
// and the scheduler carries out.
func PlanAccount(ctx context.Context, s unvite.Store, p unvite.Policy, accountID int64, now time.Time) (unvite.WithdrawalPlan, error) {
	return PlanAccountLearned(ctx, s, p, accountID, now, nil)
}

// PlanAccountLearned is PlanAccount given what the account's history
// learned (see PlanLearned; package planner measures it when p asks).
func PlanAccountLearned(ctx context.Context, s unvite.Store, p unvite.Policy, accountID int64, now time.Time, l *Learned) (unvite.WithdrawalPlan, error) {
	f := unvite.InvitationFilter{AccountID: accountID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}, Brief: true}
	f.SentBy(now) // as of a past day, what was sent after it did not exist
	pending, err := s.Invitations(ctx, f)
	if err != nil {
		return unvite.WithdrawalPlan{}, err
	}
	plan := PlanLearned(p, pending, now, l)
	plan.AccountID = accountID
	if plan.Withdrawals == nil {
		plan.Withdrawals = []unvite.PlannedWithdrawal{}
	}
	return plan, nil
}

// StageSent bounds the sending times of invitations in a 30-60-90 stage
// (see Stage) as of now, as InvitationFilter's SentAfter (inclusive) and
// SentBefore (exclusive); a zero bound is open. ok is false for an unknown
// stage or one the policy switches off.
func StageSent(p unvite.Policy, stage string, now time.Time) (after, before time.Time, ok bool) {
	var lo, hi int // stage ages: lo ≤ age < hi (hi 0: no bound)
	switch stage {
	case StageNew:
		lo, hi = 0, firstSet(p.ReviewAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays)
	case StageReview:
		lo, hi = p.ReviewAgeDays, firstSet(p.ConsiderAgeDays, p.WithdrawAgeDays)
	case StageConsider:
		lo, hi = p.ConsiderAgeDays, p.WithdrawAgeDays
	case StageWithdraw:
		lo = p.WithdrawAgeDays
	default:
		return time.Time{}, time.Time{}, false
	}
	if stage != StageNew && lo <= 0 {
		return time.Time{}, time.Time{}, false
	}
	after, before = AgeSent(lo, hi-1, now)
	return after, before, true
}

// AgeSent bounds the sending times of invitations aged minDays to maxDays
// whole days (as Invitation.AgeDays counts them) as of now, as
// InvitationFilter's SentAfter (inclusive) and SentBefore (exclusive). A
// maxDays below minDays leaves the upper age open; a minDays of 0 leaves
// the lower one open.
func AgeSent(minDays, maxDays int, now time.Time) (after, before time.Time) {
	// At least n days old means sent at or before now - n days; stored
	// times are whole seconds, so "before that plus a second" says it.
	atLeast := func(n int) time.Time {
		return now.Truncate(time.Second).Add(-time.Duration(n) * 24 * time.Hour).Add(time.Second)
	}
	if minDays > 0 {
		before = atLeast(minDays)
	}
	if maxDays >= minDays {
		after = atLeast(maxDays + 1)
	}
	return after, before
}

func firstSet(days ...int) int {
	for _, d := range days {
		if d > 0 {
			return d
		}
	}
	return 0
}
