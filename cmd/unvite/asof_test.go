package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// --as-of D is the state on day D: what was sent after D is left out of
// stats, plan, listings, exports and reconnect, while what was sent on D
// itself counts.
func TestAsOfLeavesLaterInvitationsOut(t *testing.T) {
	c := newCLI(t)
	owner := "https://www.linkedin.com/in/owner-1"
	row := func(name, at string) string {
		return "Owner One," + name + ",\"" + at + "\",,OUTGOING," + owner + ",https://www.linkedin.com/in/" + name + "\n"
	}
	p := filepath.Join(t.TempDir(), "Invitations.csv")
	require.NoError(t, os.WriteFile(p, []byte("From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"+
		row("sept", "09/01/26, 9:00 AM")+row("oct", "10/15/26, 9:00 AM")+row("sameday", "11/01/26, 10:00 PM")+
		row("later", "11/05/26, 9:00 AM")+row("muchlater", "12/20/26, 9:00 AM")), 0o644))
	c.ok("import", p)

	var r struct {
		Sent         int `json:"sent"`
		Pending      int `json:"pending"`
		PendingByAge []struct {
			Label string `json:"label"`
			Count int    `json:"count"`
		} `json:"pending_by_age"`
		Cohorts []struct {
			Month string `json:"month"`
		} `json:"cohorts"`
	}
	c.json(&r, "stats", "--as-of", "2026-11-01")
	require.Equal(t, 3, r.Sent)
	require.Equal(t, 3, r.Pending)
	require.Equal(t, "0-13", r.PendingByAge[0].Label)
	require.Equal(t, 1, r.PendingByAge[0].Count, "only the one sent that day is youngest")
	require.Equal(t, "2026-11", r.Cohorts[len(r.Cohorts)-1].Month)

	slugs := func(list []unvite.Invitation) []string {
		var out []string
		for _, inv := range list {
			out = append(out, inv.Invitee.Slug)
		}
		return out
	}
	var list []unvite.Invitation
	c.json(&list, "invitations", "list", "--as-of", "2026-11-01")
	require.Equal(t, []string{"sept", "oct", "sameday"}, slugs(list))
	c.json(&list, "invitations", "list", "--as-of", "2026-11-01", "--newer-than", "30d")
	require.Equal(t, []string{"oct", "sameday"}, slugs(list))

	// Cap 2 as of Nov 1: three pending, one over the cap (the oldest); the
	// later two would have pushed it to three withdrawals.
	pol := filepath.Join(t.TempDir(), "policy.toml")
	require.NoError(t, os.WriteFile(pol, []byte("pending_cap = 2\nmin_age_days = 14\n"), 0o644))
	var plan unvite.WithdrawalPlan
	c.json(&plan, "plan", "--policy", pol, "--as-of", "2026-11-01")
	require.Equal(t, 3, plan.Pending)
	require.Len(t, plan.Withdrawals, 1)
	require.Equal(t, "sept", plan.Withdrawals[0].Invitation.Invitee.Slug)

	out := c.ok("export", "--as-of", "2026-11-01", "--format", "csv")
	require.NotContains(t, out, "/in/later")
	require.Contains(t, out, "/in/sameday")
}
