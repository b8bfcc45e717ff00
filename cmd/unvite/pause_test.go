package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sandbox"
)

// `unvite account pause` from another process reaches a running serve
// within seconds: the call in flight finishes, then LinkedIn hears nothing
// from the account until `unvite account resume`, after which the queue
// goes on.
func TestPauseReachesRunningServe(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 9})
	member := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 60, Months: 4, Premium: true})
	serveSandbox(t, sb)
	c := newCLI(t)
	require.NoError(t, os.MkdirAll(filepath.Join(c.env["XDG_CONFIG_HOME"], "unvite"), 0o700))
	// Paced for real, one withdrawal a second: pausing lands between calls.
	require.NoError(t, os.WriteFile(filepath.Join(c.env["XDG_CONFIG_HOME"], "unvite", "policy.toml"),
		[]byte("daily_limit = 100\nactive_hours = \"00:00-24:00\"\nmin_gap = \"1s\"\nmax_gap = \"1s\"\n"), 0o600))
	r := c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", member.LiAt(), member.JSessionID()), "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")
	var pending []unvite.Invitation
	c.json(&pending, "invitations", "list", "--status", "pending")
	require.GreaterOrEqual(t, len(pending), 30)
	args := []string{"withdraw", "--yes"}
	for _, inv := range pending[:30] {
		args = append(args, strconv.FormatInt(inv.ID, 10))
	}
	c.ok(args...)

	errs := &lines{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--db", c.db, "serve", "--no-web"}, env{
			stdin: strings.NewReader(""), stdout: &lines{}, stderr: errs,
			getenv: func(k string) string { return c.env[k] },
		})
	}()
	withdrawn := func() int { return len(sb.Withdrawn(member.Key())) }
	waitFor := func(what string, limit time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !cond() {
			select {
			case code := <-done:
				t.Fatalf("serve exited with %d: %s", code, errs)
			default:
			}
			require.True(t, time.Now().Before(deadline), "%s not within %s: %s", what, limit, errs)
			time.Sleep(50 * time.Millisecond) // polling the sandbox's records
		}
	}
	waitFor("two withdrawals", time.Minute, func() bool { return withdrawn() >= 2 })

	c.ok("account", "pause", "1")
	atPause := withdrawn()
	// Within a few seconds the account falls silent: at most the call that
	// was in flight lands after the pause.
	time.Sleep(3 * time.Second)
	settled, requests := withdrawn(), sb.RequestCount(member.Key(), "")
	require.LessOrEqual(t, settled, atPause+1, "only a call in flight at the pause")
	time.Sleep(4 * time.Second)
	require.Equal(t, requests, sb.RequestCount(member.Key(), ""), "a paused account gets no request")
	require.Equal(t, settled, withdrawn())
	require.Contains(t, c.ok("jobs"), "paused by the user", "jobs say why they wait")

	c.ok("account", "resume", "1")
	waitFor("withdrawals after the resume", 2*time.Minute, func() bool { return withdrawn() > settled })

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code, errs.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not stop within 2 minutes")
	}
}
