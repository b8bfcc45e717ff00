package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/stats"
)

// Invitations known only from an export that a partial sync did not find
// on LinkedIn's sent list cannot be withdrawn by unvite: plan leaves them
// out and says so, and stats do not count them as withdrawable.
func TestPlanLeavesUnlistedOut(t *testing.T) {
	c := newCLI(t)
	c.now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	p := filepath.Join(t.TempDir(), "Invitations.csv")
	require.NoError(t, os.WriteFile(p, []byte("From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"+
		"Owner One,Old A,\"05/01/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/owner-1,https://www.linkedin.com/in/old-a\n"+
		"Owner One,Old B,\"05/02/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/owner-1,https://www.linkedin.com/in/old-b\n"+
		"Owner One,Old C,\"06/02/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/owner-1,https://www.linkedin.com/in/old-c\n"+
		"Owner One,New D,\"11/10/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/owner-1,https://www.linkedin.com/in/new-d\n"), 0o644))
	c.ok("import", p)
	var before unvite.WithdrawalPlan
	c.json(&before, "plan")
	require.Len(t, before.Withdrawals, 3, "the three past 90 days")

	// A sync lists only the newest, D, and Old C (so it has its LinkedIn
	// id); A and B are behind the list's ceiling.
	ctx := context.Background()
	db, err := sqlite.Open(ctx, c.db)
	require.NoError(t, err)
	acct, err := db.FindAccount(ctx, "owner-1")
	require.NoError(t, err)
	sum, err := db.ApplySync(ctx, acct.ID, unvite.SyncSnapshot{At: c.now, Pending: []unvite.SyncedInvitation{
		{LinkedInID: "4", Invitee: unvite.Person{Name: "New D", Slug: "new-d"}, SentAt: time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)},
		{LinkedInID: "3", Invitee: unvite.Person{Name: "Old C", Slug: "old-c"}, SentAt: time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)},
	}})
	require.NoError(t, err)
	require.Equal(t, 2, sum.Unlisted)
	require.NoError(t, db.Close())

	out := c.ok("plan")
	require.Contains(t, out, "Left out: 2 pending invitation(s) LinkedIn's sent list no longer shows")
	require.Contains(t, out, "withdraw them by hand at https://www.linkedin.com/mynetwork/invitation-manager/sent/")
	var plan unvite.WithdrawalPlan
	c.json(&plan, "plan")
	require.Equal(t, 4, plan.Pending)
	require.Equal(t, 2, plan.Unlisted)
	require.Len(t, plan.Withdrawals, 1)
	require.Equal(t, "old-c", plan.Withdrawals[0].Invitation.Invitee.Slug)

	var st stats.Report
	c.json(&st, "stats")
	require.Equal(t, 1, st.Withdrawable)
	require.Equal(t, 2, st.Unlisted)
	require.Contains(t, c.ok("stats"), "Unlisted (withdraw by hand)")

	var listed []unvite.Invitation
	c.json(&listed, "invitations", "list", "-q", "old-a")
	require.Len(t, listed, 1)
	require.True(t, listed[0].UnlistedAt.Equal(c.now), "unlisted_at in --json")
	require.Contains(t, c.ok("invitations", "show", fmt.Sprint(listed[0].ID)), "Unlisted:        since 2026-11-20: not on LinkedIn's sent list")
}
