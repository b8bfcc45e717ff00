package main

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sandbox"
)

// Queue withdrawals from the command line and carry them out with serve
// against the sandbox, one reply lost on the way: exactly the chosen
// invitations are withdrawn, each once, and the audit log tells how.
func TestWithdrawAndServeAgainstSandbox(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 7})
	acct := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 150, Months: 5, Premium: true})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	t.Setenv("UNVITE_LINKEDIN_URL", srv.URL)
	t.Setenv("UNVITE_LINKEDIN_GAP", "0s")
	t.Setenv("UNVITE_LINKEDIN_JITTER", "0s")
	c := newCLI(t)
	c.now = sb.Now()
	session := fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", acct.LiAt(), acct.JSessionID())
	r := c.run(session, "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")

	var pending []unvite.Invitation
	c.json(&pending, "invitations", "list", "--status", "pending")
	require.Greater(t, len(pending), 10)
	chosen := []unvite.Invitation{pending[0], pending[1], pending[2]}

	r = c.run("", "withdraw", strconv.FormatInt(chosen[0].ID, 10))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "--yes", "off a terminal, withdraw refuses without --yes")
	require.Empty(t, sb.Withdrawn(acct.Key()))

	var out struct {
		Queued []unvite.QueuedWithdrawal `json:"queued"`
		Days   int                       `json:"days"`
	}
	c.json(&out, "withdraw", "--yes", strconv.FormatInt(chosen[0].ID, 10), chosen[1].Invitee.Slug,
		"https://www.linkedin.com/in/"+chosen[2].Invitee.Slug+"/")
	require.Len(t, out.Queued, 3)
	require.Equal(t, 1, out.Days)

	// The first withdrawal lands on LinkedIn but its reply is lost.
	acct.SetFaults(sandbox.Faults{WithdrawReplyLost: 1})
	before := sb.RequestCount(acct.Key(), "")
	r = c.run("", "serve", "--until-idle", "--no-pacing")
	require.Equal(t, 0, r.code, r.stderr)

	var got []string
	for _, w := range sb.Withdrawn(acct.Key()) {
		got = append(got, w.Slug)
	}
	var want []string
	for _, inv := range chosen {
		want = append(want, inv.Invitee.Slug)
	}
	slices.Sort(got)
	slices.Sort(want)
	require.Equal(t, want, got, "exactly the chosen invitations are withdrawn")
	// 3 withdrawals, plus at most 2 to settle the lost reply (a sync-due
	// job may add its own sync requests only when a sync is due: it is not).
	require.LessOrEqual(t, sb.RequestCount(acct.Key(), "")-before, 5)

	for _, inv := range chosen {
		var got unvite.Invitation
		c.json(&got, "invitations", "show", strconv.FormatInt(inv.ID, 10))
		require.Equal(t, unvite.StatusWithdrawn, got.Status, inv.Invitee.Name)
	}
	// Every attempt is in the audit log; the lost reply was settled by
	// asking LinkedIn, not by trusting or repeating blindly.
	var events []unvite.Event
	c.json(&events, "log", "--limit", "100")
	var story []string
	for _, ev := range events {
		if ev.Type == "status" || ev.Type == "queue" {
			story = append(story, fmt.Sprintf("%d %s>%s", ev.InvitationID, ev.From, ev.To))
		}
		if ev.To == unvite.StatusWithdrawn {
			require.Regexp(t, `^attempt j\d+\.\d+: withdrawn on LinkedIn`, ev.Reason)
		}
	}
	for _, inv := range chosen {
		for _, step := range []string{" >", " pending>withdrawing", " withdrawing>withdrawn"} {
			require.Contains(t, story, strconv.FormatInt(inv.ID, 10)+step)
		}
	}
	lost := 0
	for _, ev := range events {
		if ev.To == unvite.StatusWithdrawn && (strings.Contains(ev.Reason, "the earlier reply was lost") || strings.Contains(ev.Reason, "checked after an unknown outcome")) {
			lost++
		}
	}
	require.Equal(t, 1, lost, "one outcome was settled after the lost reply")
	var jobs []map[string]any
	c.json(&jobs, "jobs")
	require.Empty(t, jobs, "nothing left to do")
}
