package review_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/review"
	"github.com/unvite/unvite/sqlite"
)

var ctx = context.Background()

// A week of one account on a real SQLite store: exactly the pending
// invitations that crossed 30, 60 or 90 days this week are stale (at their
// furthest stage), the withdrawals and acceptances of the week count, and
// people whose cool-down ended this week may be re-invited.
func TestForAccount(t *testing.T) {
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	acct := &unvite.Account{Name: "Maya", Slug: "maya", TimeZone: "UTC"}
	require.NoError(t, db.CreateAccount(ctx, acct))

	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	ages := map[string]int{
		"r29": 29, "r30": 30, "r36": 36, "r37": 37, // review: 30 to 36 crossed this week
		"c60": 60, "c66": 66, "c67": 67,
		"w90": 90, "w96": 96, "w120": 120,
		"acc": 40, "wd": 100, "cool": 50, "cold": 80,
	}
	b, err := db.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "test", AsOf: ago(0)})
	require.NoError(t, err)
	for slug, age := range ages {
		require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: slug, Slug: slug}, SentAt: ago(age)}))
	}
	_, err = b.Commit(ctx)
	require.NoError(t, err)
	ids := map[string]int64{}
	all, err := db.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID})
	require.NoError(t, err)
	for _, inv := range all {
		ids[inv.Invitee.Slug] = inv.ID
	}
	move := func(slug string, to unvite.Status, at time.Time) {
		_, err := db.Transition(ctx, ids[slug], to, unvite.Change{At: at, Actor: "test", CoolDown: 21 * 24 * time.Hour})
		require.NoError(t, err)
	}
	move("acc", unvite.StatusAccepted, ago(2))
	move("wd", unvite.StatusWithdrawn, ago(3))    // withdrawn this week
	move("cool", unvite.StatusWithdrawn, ago(25)) // cool-down ended 4 days ago
	move("cold", unvite.StatusWithdrawn, ago(40)) // ended long ago

	a, err := review.ForAccount(ctx, db, acct, policy.Default(), now)
	require.NoError(t, err)
	stages := map[string]string{}
	for _, s := range a.Stale {
		stages[s.Invitee.Slug] = s.Stage
	}
	require.Equal(t, map[string]string{"r30": "review", "r36": "review", "c60": "consider", "c66": "consider", "w90": "withdraw", "w96": "withdraw"}, stages)
	require.Equal(t, "w96", a.Stale[0].Invitee.Slug, "oldest first")
	slugs := func(l []*unvite.Invitation) (out []string) {
		for _, inv := range l {
			out = append(out, inv.Invitee.Slug)
		}
		return out
	}
	require.Equal(t, []string{"wd"}, slugs(a.Withdrawn))
	require.Equal(t, []string{"acc"}, slugs(a.Accepted))
	require.Equal(t, []string{"cool"}, slugs(a.Reinvitable))
	require.Equal(t, review.Counts{Stale: 6, DueWithdraw: 2, Withdrawn: 1, Accepted: 1, Reinvitable: 1, ReinvitableAll: 2}, a.Counts)
	require.Equal(t, 90, a.WithdrawAgeDays)

	r, err := review.Build(ctx, db, []*unvite.Account{acct}, func(*unvite.Account) (unvite.Policy, error) { return policy.Default(), nil }, now)
	require.NoError(t, err)
	require.Equal(t, a.Counts, r.Totals)
	require.Contains(t, r.Text(), "Maya: 6 became stale (2 due for withdrawal), 1 withdrawn, 1 accepted, 1 may be re-invited")
}
