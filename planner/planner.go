// Package planner makes an account's withdrawal plan from the store: the
// one way the CLI, the engine and the web server plan, so that a policy
// that learns from the account's history (max_age = "auto", order =
// "least-likely-first") gets it everywhere.
package planner

import (
	"context"
	"fmt"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
	"github.com/unvite/unvite/policy"
)

// Plan reads the account's pending sent invitations as of asOf and plans
// under p, measuring the account's history first when p asks for it.
func Plan(ctx context.Context, store unvite.Store, acct *unvite.Account, p unvite.Policy, asOf time.Time) (unvite.WithdrawalPlan, error) {
	f := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}, Brief: true}
	f.SentBy(asOf)
	pending, err := store.Invitations(ctx, f)
	if err != nil {
		return unvite.WithdrawalPlan{}, fmt.Errorf("plan for account %d: %w", acct.ID, err)
	}
	learned, err := Learned(ctx, store, acct, p, asOf)
	if err != nil {
		return unvite.WithdrawalPlan{}, err
	}
	plan := policy.PlanLearned(p, pending, asOf, learned)
	plan.AccountID = acct.ID
	return plan, nil
}

// Learned measures the account's history when p learns from it, else
// returns nil.
func Learned(ctx context.Context, store unvite.Store, acct *unvite.Account, p unvite.Policy, asOf time.Time) (*policy.Learned, error) {
	if !analytics.NeedsHistory(p) {
		return nil, nil
	}
	l, err := analytics.Learn(ctx, store, acct, asOf)
	if err != nil {
		return nil, fmt.Errorf("plan for account %d: %w", acct.ID, err)
	}
	return l, nil
}

// Effective is p with the age its max-age rule uses as of asOf (the
// learned one under max_age = "auto"), for counts that do not plan, such
// as the withdrawable figure of stats.
func Effective(ctx context.Context, store unvite.Store, acct *unvite.Account, p unvite.Policy, asOf time.Time) (unvite.Policy, error) {
	if p.MaxAge != unvite.MaxAgeAuto {
		return p, nil
	}
	l, err := Learned(ctx, store, acct, p, asOf)
	if err != nil {
		return p, err
	}
	p.WithdrawAgeDays, _, _ = policy.MaxAge(p, l)
	return p, nil
}
