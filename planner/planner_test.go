package planner_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/sqlite"
)

// A history of 300 invitations a day apart: a third accepted within a day
// of sending, none later; so a pending one past a day is never accepted.
func TestPlanLearnsFromTheStore(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	require.NoError(t, err)
	defer store.Close()
	acct := &unvite.Account{Name: "Maya"}
	require.NoError(t, store.CreateAccount(ctx, acct))
	asOf := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	b, err := store.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "export"})
	require.NoError(t, err)
	for i := range 300 {
		p := unvite.Person{Name: fmt.Sprintf("Person %d", i), Slug: fmt.Sprintf("p-%d", i)}
		at := asOf.Add(-time.Duration(i)*24*time.Hour - 5*time.Hour)
		require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Kind: unvite.KindPerson,
			Invitee: p, SentAt: at, Status: unvite.StatusPending, Source: unvite.SourceExport}))
		if i%3 == 0 {
			require.NoError(t, b.PutConnection(ctx, unvite.Connection{Person: p, ConnectedOn: at.Add(3 * time.Hour)}))
		}
	}
	// Sent after the as-of day: not in the plan.
	require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Kind: unvite.KindPerson,
		Invitee: unvite.Person{Name: "Later", Slug: "later"}, SentAt: asOf.AddDate(0, 0, 2), Status: unvite.StatusPending}))
	_, err = b.Commit(ctx)
	require.NoError(t, err)

	p := policy.Default()
	p.MaxAge, p.PendingCap, p.AutoAge.MinAccepted = unvite.MaxAgeAuto, 0, 50
	plan, err := planner.Plan(ctx, store, acct, p, asOf)
	require.NoError(t, err)
	require.Equal(t, acct.ID, plan.AccountID)
	require.Equal(t, 200, plan.Pending)
	require.Equal(t, unvite.MaxAgeAuto, plan.MaxAgeSource, plan.MaxAgeWhy)
	require.Equal(t, 21, plan.MaxAgeDays, "the chance is 0 from day 1: the floor applies")
	require.Contains(t, plan.MaxAgeWhy, "learned from 100 acceptances")
	for _, w := range plan.Withdrawals {
		require.GreaterOrEqual(t, w.AgeDays, 21)
		require.NotNil(t, w.Chance)
	}
	require.Len(t, plan.Withdrawals, 200-14) // ages 1..299 pending except thirds; younger than 21: 14
	eff, err := planner.Effective(ctx, store, acct, p, asOf)
	require.NoError(t, err)
	require.Equal(t, 21, eff.WithdrawAgeDays, "stats count at the plan's age")
	st, err := planner.Stats(ctx, store, acct, p, asOf)
	require.NoError(t, err)
	require.Equal(t, len(plan.Withdrawals), st.Withdrawable, "stats and plan agree under max_age = \"auto\"")

	// The fixed policy plans without reading the history.
	plan, err = planner.Plan(ctx, store, acct, policy.Default(), asOf)
	require.NoError(t, err)
	require.Equal(t, unvite.MaxAgeFixed, plan.MaxAgeSource)
	require.Empty(t, plan.MaxAgeWhy)
	require.Nil(t, plan.Withdrawals[0].Chance)
}

// Stats count what the plan takes: Effective gives the learned age.
func TestEffective(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	require.NoError(t, err)
	defer store.Close()
	acct := &unvite.Account{Name: "Maya"}
	require.NoError(t, store.CreateAccount(ctx, acct))

	p := policy.Default()
	got, err := planner.Effective(ctx, store, acct, p, time.Now())
	require.NoError(t, err)
	require.Equal(t, p, got)
	// Auto without history: the fixed age.
	p.MaxAge = unvite.MaxAgeAuto
	got, err = planner.Effective(ctx, store, acct, p, time.Now())
	require.NoError(t, err)
	require.Equal(t, 90, got.WithdrawAgeDays)
}
