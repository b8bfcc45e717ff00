package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sqlite"
)

// `unvite policy set` saves an account's own values through the same path
// as the dashboard: checked, patched with an audit event, and used by plan
// and policy show; --reset gives a key back to the file; bad values are
// named and save nothing.
func TestPolicySet(t *testing.T) {
	c := newCLI(t)
	p := filepath.Join(t.TempDir(), "Invitations.csv")
	require.NoError(t, os.WriteFile(p, []byte("From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"+
		"Owner One,old,\"01/05/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/owner-1,https://www.linkedin.com/in/old\n"), 0o644))
	c.ok("import", p)

	r := c.run("", "policy", "set", "daily_limit=500", "max_age=sometimes")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "error: daily_limit: must be at most 100")
	require.Contains(t, r.stderr, "error: max_age: unknown value")
	require.Contains(t, r.stderr, "2 error(s), nothing saved")

	out := c.ok("policy", "set", "daily_limit=12", "protect.tags=vip,friends")
	require.Contains(t, out, "Withdraws at most 12 a day")
	require.Contains(t, out, `invitations tagged "vip" or "friends"`)
	var plan unvite.WithdrawalPlan
	c.json(&plan, "plan")
	require.Equal(t, 12, plan.DailyLimit)
	out = c.ok("policy", "show")
	require.Contains(t, out, "Withdraws at most 12 a day")

	c.ok("policy", "set", "--reset", "daily_limit")
	c.json(&plan, "plan")
	require.Equal(t, 30, plan.DailyLimit)

	db, err := sqlite.Open(context.Background(), c.db)
	require.NoError(t, err)
	defer db.Close()
	list, err := db.Accounts(context.Background())
	require.NoError(t, err)
	require.Equal(t, map[string]string{"protect.tags": "vip, friends"}, list[0].Policy)
	events, err := db.Events(context.Background(), unvite.EventFilter{AccountID: list[0].ID})
	require.NoError(t, err)
	var reasons []string
	for _, e := range events {
		if e.Type == "account" {
			reasons = append(reasons, e.Reason)
		}
	}
	require.Contains(t, reasons, "policy set from the command line: policy daily_limit → 12; policy protect.tags → vip, friends")
	require.Contains(t, reasons, "policy set from the command line: policy daily_limit 12 → the policy file's")
}
