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
	var learned *policy.Learned
	if analytics.NeedsHistory(p) {
		if learned, err = analytics.Learn(ctx, store, acct, asOf); err != nil {
			return unvite.WithdrawalPlan{}, fmt.Errorf("plan for account %d: %w", acct.ID, err)
		}
	}
	plan := policy.PlanLearned(p, pending, asOf, learned)
	plan.AccountID = acct.ID
	return plan, nil
}
