package main

import (
	"fmt"
	"os"
	"path/filepath"
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
	serveSandbox(t, sb)
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

	// A re-invite inside the cool-down is refused for that reason, before
	// any confirmation is asked for.
	r = c.run("", "reinvite", strconv.FormatInt(chosen[0].ID, 10), "--note", "hello again")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "the cool-down runs until")
	require.NotContains(t, r.stderr, "--yes")
}

// Over the daily limit, jobs wait and say why; cancelling an account's
// queue drops the intents and their jobs.
func TestJobsWaitAndCancel(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 8})
	acct := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 80, Months: 5, Premium: true})
	serveSandbox(t, sb)
	c := newCLI(t)
	require.NoError(t, os.MkdirAll(filepath.Join(c.env["XDG_CONFIG_HOME"], "unvite"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(c.env["XDG_CONFIG_HOME"], "unvite", "policy.toml"),
		[]byte("daily_limit = 1\nactive_hours = \"00:00-24:00\"\n"), 0o600))
	r := c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", acct.LiAt(), acct.JSessionID()), "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")
	var pending []unvite.Invitation
	c.json(&pending, "invitations", "list", "--status", "pending")
	var out struct {
		Queued []unvite.QueuedWithdrawal `json:"queued"`
		Days   int                       `json:"days"`
	}
	c.json(&out, "withdraw", "--yes", strconv.FormatInt(pending[0].ID, 10), strconv.FormatInt(pending[1].ID, 10), strconv.FormatInt(pending[2].ID, 10))
	require.Equal(t, 3, out.Days, "one a day")
	c.ok("serve", "--until-idle", "--no-pacing")
	require.Len(t, sb.Withdrawn(acct.Key()), 1, "the daily limit holds")

	var jobs []struct {
		ID           int64  `json:"id"`
		State        string `json:"state"`
		InvitationID int64  `json:"invitation_id"`
		Waiting      string `json:"waiting"`
	}
	c.json(&jobs, "jobs")
	require.Len(t, jobs, 2)
	for _, j := range jobs {
		require.Equal(t, "scheduled", j.State)
		require.Equal(t, "daily limit reached", j.Waiting)
	}
	require.Contains(t, c.ok("jobs"), "daily limit reached")
	require.Contains(t, c.ok("jobs", "cancel", "--account", "1"), "Cancelled 2 queued withdrawal(s)")
	c.json(&jobs, "jobs")
	require.Empty(t, jobs)
	c.ok("serve", "--until-idle", "--no-pacing")
	require.Len(t, sb.Withdrawn(acct.Key()), 1, "cancelled withdrawals never run")
	r = c.run("", "jobs", "cancel")
	require.Equal(t, 1, r.code)
}

// With several accounts, invitation ids say whose they are: `withdraw ID`
// needs no --account, and ids of two accounts in one call are refused by
// name. A profile alone does not say which account: that still asks.
func TestWithdrawIDsChooseTheAccount(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 11})
	members := []*sandbox.Account{
		sb.AddAccount(sandbox.AccountConfig{SentInvitations: 40, Months: 3}),
		sb.AddAccount(sandbox.AccountConfig{SentInvitations: 40, Months: 3}),
	}
	serveSandbox(t, sb)
	c := newCLI(t)
	c.now = sb.Now()
	for _, m := range members {
		r := c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", m.LiAt(), m.JSessionID()), "account", "add")
		require.Equal(t, 0, r.code, r.stderr)
	}
	c.ok("sync")
	var first, second []unvite.Invitation
	c.json(&first, "invitations", "list", "--account", "1", "--status", "pending")
	c.json(&second, "invitations", "list", "--account", "2", "--status", "pending")
	require.NotEmpty(t, first)
	require.NotEmpty(t, second)

	var out struct {
		Account int64                     `json:"account_id"`
		Queued  []unvite.QueuedWithdrawal `json:"queued"`
	}
	c.json(&out, "withdraw", "--yes", strconv.FormatInt(second[0].ID, 10))
	require.Equal(t, int64(2), out.Account)
	require.Len(t, out.Queued, 1)

	r := c.run("", "withdraw", "--yes", strconv.FormatInt(second[1].ID, 10), strconv.FormatInt(first[0].ID, 10))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, fmt.Sprintf("invitation %d is account 1's", first[0].ID))
	r = c.run("", "withdraw", "--yes", second[1].Invitee.Slug)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "choose one with --account")
	var jobs []map[string]any
	c.json(&jobs, "jobs")
	require.Len(t, jobs, 1, "the refused calls queued nothing")
}
