package engine

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/unvite/unvite"
)

// This file is the one way a person asks for withdrawals, whether from
// `unvite withdraw` or the dashboard: choose pending invitations of one
// account by id, profile, filter or plan; see how many days the daily limit
// will take; confirm; queue. The CLI and the web handlers only ask and show.

// Estimate is what a withdrawal request would cost: it is shown before the
// user confirms, and again after queueing.
type Estimate struct {
	Count      int `json:"count"`       // invitations asked for
	Queued     int `json:"queued"`      // the account's whole queue (with these)
	DailyLimit int `json:"daily_limit"` // the account's daily limit
	SpentToday int `json:"spent_today"` // withdrawals counted today in its zone
	Days       int `json:"days"`        // days the whole queue takes at the limit
}

// Requested is the result of queueing a request.
type Requested struct {
	Estimate
	Withdrawals []unvite.QueuedWithdrawal `json:"queued_withdrawals"`
	Skipped     int                       `json:"skipped"` // not pending any more, or queued already
}

// ResolveTargets turns invitation ids and invitees' profiles (slugs or
// URLs) into the account's pending sent invitations, refusing any that are
// not, by name.
func ResolveTargets(ctx context.Context, s unvite.Store, acct *unvite.Account, targets []string) ([]int64, error) {
	var pending []*unvite.Invitation
	var ids []int64
	for _, t := range targets {
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			if err := checkPending(ctx, s, acct, id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
			continue
		}
		if pending == nil {
			var err error
			if pending, err = s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent,
				Statuses: []unvite.Status{unvite.StatusPending}, Brief: true}); err != nil {
				return nil, err
			}
		}
		slug := unvite.SlugFromURL(t)
		if slug == "" {
			slug = strings.ToLower(strings.Trim(t, "/ "))
		}
		found := false
		for _, inv := range pending {
			if inv.Invitee.Slug == slug {
				ids, found = append(ids, inv.ID), true
			}
		}
		if !found {
			return nil, unvite.Errorf(unvite.ENOTFOUND, "no pending invitation of %s to %q", acct.Name, t)
		}
	}
	return ids, nil
}

// TargetsAccount is the account whose invitations the targets name, when
// the first invitation id among them says it (ok false when none is an id):
// with several accounts, ids need no --account. ResolveTargets then refuses
// any target of another account.
func TargetsAccount(ctx context.Context, s unvite.Store, targets []string) (acct *unvite.Account, ok bool, err error) {
	for _, t := range targets {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			continue
		}
		_, acct, err := s.InvitationAccount(ctx, id)
		return acct, err == nil, err
	}
	return nil, false, nil
}

// CheckPending makes sure every id is a pending sent invitation of acct,
// reading them in batches.
func CheckPending(ctx context.Context, s unvite.Store, acct *unvite.Account, ids []int64) error {
	for chunk := range slices.Chunk(ids, 5000) {
		invs, err := s.Invitations(ctx, unvite.InvitationFilter{IDs: chunk, Brief: true})
		if err != nil {
			return err
		}
		seen := make(map[int64]bool, len(invs))
		for _, inv := range invs {
			seen[inv.ID] = true
			if err := pendingOf(inv, acct); err != nil {
				return err
			}
		}
		for _, id := range chunk {
			if !seen[id] {
				return unvite.Errorf(unvite.ENOTFOUND, "invitation %d not found", id)
			}
		}
	}
	return nil
}

func pendingOf(inv *unvite.Invitation, acct *unvite.Account) error {
	if inv.AccountID != acct.ID {
		return unvite.Errorf(unvite.EINVALID, "invitation %d is account %d's, not %s's (account %d): queue each account's withdrawals on their own",
			inv.ID, inv.AccountID, acct.Name, acct.ID)
	}
	if inv.Status != unvite.StatusPending || inv.Direction != unvite.Sent {
		return unvite.Errorf(unvite.EINVALID, "invitation %d to %s is %s %s, not a pending sent one", inv.ID, inv.Invitee.Name, inv.Direction, inv.Status)
	}
	return nil
}

func checkPending(ctx context.Context, s unvite.Store, acct *unvite.Account, id int64) error {
	inv, err := s.Invitation(ctx, id)
	if err != nil {
		return err
	}
	return pendingOf(inv, acct)
}

// MatchingPending is every pending sent invitation of the filter's account
// that the filter selects (its paging ignored): "all that match".
func MatchingPending(ctx context.Context, s unvite.Store, f unvite.InvitationFilter) ([]int64, error) {
	if f.AccountID == 0 {
		return nil, unvite.Errorf(unvite.EINVALID, "withdrawals are chosen per account: choose one")
	}
	if len(f.Statuses) > 0 && (len(f.Statuses) != 1 || f.Statuses[0] != unvite.StatusPending) {
		return nil, nil // the filter selects no pending invitation
	}
	f.Statuses, f.Direction, f.Brief = []unvite.Status{unvite.StatusPending}, unvite.Sent, true
	f.Limit, f.Offset, f.Sort = 0, 0, "sent"
	list, err := s.Invitations(ctx, f)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, inv := range list {
		ids[i] = inv.ID
	}
	return ids, nil
}

// PlannedIDs is the policy's plan for acct now, as invitation ids in order.
func (e *Engine) PlannedIDs(ctx context.Context, acct *unvite.Account) ([]int64, error) {
	pol, err := e.cfg.Policy(acct)
	if err != nil {
		return nil, err
	}
	plan, err := PlanFor(ctx, e.cfg.Store, acct, pol, e.now())
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(plan.Withdrawals))
	for i, w := range plan.Withdrawals {
		ids[i] = w.Invitation.ID
	}
	return ids, nil
}

// Estimate says how many days the account's queue takes at its daily
// limit once n more withdrawals join it, counting what today has spent.
func (e *Engine) Estimate(ctx context.Context, acct *unvite.Account, n int) (Estimate, error) {
	pol, err := e.cfg.Policy(acct)
	if err != nil {
		return Estimate{}, err
	}
	qs, err := e.cfg.Store.Queued(ctx, acct.ID)
	if err != nil {
		return Estimate{}, err
	}
	pace, err := PaceFor(pol, acct)
	if err != nil {
		return Estimate{}, err
	}
	spent, err := e.cfg.Store.WithdrawalsOn(ctx, acct.ID, pace.Day(e.now()))
	if err != nil {
		return Estimate{}, err
	}
	total := len(qs) + n
	return Estimate{Count: n, Queued: total, DailyLimit: pol.DailyLimit, SpentToday: spent,
		Days: DaysNeeded(total, spent, pol.DailyLimit)}, nil
}

// RequestWithdrawals queues the user's confirmed withdrawals of acct's
// invitations ids (checked pending first) and says what the queue now
// takes. Invitations queued already or settled meanwhile are skipped.
func (e *Engine) RequestWithdrawals(ctx context.Context, acct *unvite.Account, ids []int64, ch unvite.Change) (Requested, error) {
	if len(ids) == 0 {
		return Requested{}, unvite.Errorf(unvite.ENOTFOUND, "nothing to withdraw for %s", acct.Name)
	}
	found := 0
	// In batches: a statement takes only so many parameters (SQLite).
	for chunk := range slices.Chunk(ids, 5000) {
		invs, err := e.cfg.Store.Invitations(ctx, unvite.InvitationFilter{IDs: chunk, Brief: true})
		if err != nil {
			return Requested{}, err
		}
		for _, inv := range invs {
			if inv.AccountID != acct.ID {
				return Requested{}, unvite.Errorf(unvite.EINVALID, "invitation %d is account %d's, not %s's (account %d)",
					inv.ID, inv.AccountID, acct.Name, acct.ID)
			}
		}
		found += len(invs)
	}
	if uniq := len(slices.Compact(slices.Sorted(slices.Values(ids)))); found < uniq {
		return Requested{}, unvite.Errorf(unvite.ENOTFOUND, "%d of the %d invitations asked for do not exist", uniq-found, uniq)
	}
	if ch.Actor == "" {
		ch.Actor = "user"
	}
	queued, err := e.QueueWithdrawals(ctx, ids, ch)
	if err != nil {
		return Requested{}, err
	}
	est, err := e.Estimate(ctx, acct, 0)
	if err != nil {
		return Requested{}, err
	}
	est.Count = len(ids)
	if queued == nil {
		queued = []unvite.QueuedWithdrawal{}
	}
	return Requested{Estimate: est, Withdrawals: queued, Skipped: len(ids) - len(queued)}, nil
}

// Budget is an account's withdrawals today, in its time zone.
type Budget struct {
	Done   int `json:"done"`   // withdrawals counted today (claimed ones included)
	Limit  int `json:"limit"`  // today's limit: the daily limit, halved after a rate limit
	Left   int `json:"left"`   // what today still allows
	Queued int `json:"queued"` // withdrawals waiting in the queue
}

// Budget says how much of today's withdrawal budget acct has spent.
func (e *Engine) Budget(ctx context.Context, acct *unvite.Account) (Budget, error) {
	day, limit, err := e.today(acct)
	if err != nil {
		return Budget{}, err
	}
	done, err := e.cfg.Store.WithdrawalsOn(ctx, acct.ID, day)
	if err != nil {
		return Budget{}, err
	}
	qs, err := e.cfg.Store.Queued(ctx, acct.ID)
	if err != nil {
		return Budget{}, err
	}
	return Budget{Done: done, Limit: limit, Left: max(limit-done, 0), Queued: len(qs)}, nil
}

// today is acct's day now, in its time zone, and the day's limit.
func (e *Engine) today(acct *unvite.Account) (day string, limit int, err error) {
	pol, err := e.cfg.Policy(acct)
	if err != nil {
		return "", 0, err
	}
	pace, err := PaceFor(pol, acct)
	if err != nil {
		return "", 0, err
	}
	now := e.now()
	return pace.Day(now), e.limit(acct, pace, now), nil
}
