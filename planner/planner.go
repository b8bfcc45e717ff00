// Package planner makes an account's withdrawal plan (and the stats that
// count it) from the store: the one way the CLI, the engine and the web
// server plan, so that a policy that learns from the account's history
// (max_age = "auto", order = "least-likely-first") gets it everywhere.
package planner

import (
	"context"
	"fmt"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/stats"
)

// Plan is policy.PlanAccount with the account's history measured first
// when p learns from it (max_age = "auto", order = "least-likely-first").
func Plan(ctx context.Context, store unvite.Store, acct *unvite.Account, p unvite.Policy, asOf time.Time) (unvite.WithdrawalPlan, error) {
	learned, err := Learned(ctx, store, acct, p, asOf)
	if err != nil {
		return unvite.WithdrawalPlan{}, err
	}
	return policy.PlanAccountLearned(ctx, store, p, acct.ID, asOf, learned)
}

// Stats is stats.ForAccount counting what the plan would withdraw at the
// age it would use (the learned one under max_age = "auto").
func Stats(ctx context.Context, store unvite.Store, acct *unvite.Account, p unvite.Policy, asOf time.Time) (stats.Report, error) {
	p, err := Effective(ctx, store, acct, p, asOf)
	if err != nil {
		return stats.Report{}, err
	}
	return stats.ForAccount(ctx, store, p, acct.ID, asOf)
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
