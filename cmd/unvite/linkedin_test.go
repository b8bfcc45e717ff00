package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/syncer"
)

// A whole run against the LinkedIn sandbox over loopback: connect an account
// from stdin, sync, sync again, meet an expired session, reconnect. The
// session cookies must not appear in any output, log line, or the database.
func TestAccountAndSyncAgainstSandbox(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 99})
	acct := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 420, Months: 5, Premium: true})
	serveSandbox(t, sb)

	c := newCLI(t)
	c.now = sb.Now()
	var all bytes.Buffer
	run := func(stdin string, args ...string) result {
		r := c.run(stdin, append([]string{"--debug"}, args...)...)
		all.WriteString(r.stdout + r.stderr)
		return r
	}
	session := fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", acct.LiAt(), acct.JSessionID())

	r := run("", "account", "add")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "no session given")
	r = run(session, "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Connected ")

	r = run("", "sync", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var out []struct {
		Result syncer.Result `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	pending := len(sb.PendingSent(acct.Key()))
	require.Equal(t, pending, out[0].Result.Added)
	require.Equal(t, int64(1+(pending+99)/100), out[0].Result.Requests)

	r = run("", "sync")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "nothing changed")
	require.Contains(t, r.stdout, "2 requests")

	var listed []unvite.Invitation
	require.NoError(t, json.Unmarshal([]byte(run("", "invitations", "list", "--status", "pending", "--json").stdout), &listed))
	require.Len(t, listed, pending)
	run("", "export")
	run("", "account", "status", "--json")
	run("", "account", "list")
	run("", "log")

	// The session expires: sync stops the account and says so; no retries.
	acct.SetFaults(sandbox.Faults{SessionExpired: true})
	before := sb.RequestCount(acct.Key(), "")
	r = run("", "sync")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stdout+r.stderr, "session expired")
	require.Contains(t, r.stdout, "Next: unvite account reconnect 1", "the first failure already says what to do")
	require.Equal(t, before+1, sb.RequestCount(acct.Key(), ""), "one request, then stop")
	r = run("", "sync")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stdout, "needs a new LinkedIn session")
	require.Equal(t, before+1, sb.RequestCount(acct.Key(), ""), "a stopped account is left alone")
	status := run("", "account", "status").stdout
	require.Contains(t, status, "needs-login")
	require.Contains(t, status, "next:     unvite account reconnect 1")

	acct.SetFaults(sandbox.Faults{})
	r = run(session, "account", "reconnect")
	require.Equal(t, 0, r.code, r.stderr)
	r = run("", "sync")
	require.Equal(t, 0, r.code, r.stderr)

	for _, secret := range []string{acct.LiAt(), strings.TrimPrefix(acct.JSessionID(), "ajax:")} {
		require.NotContains(t, all.String(), secret, "a session cookie leaked into output")
		db, err := os.ReadFile(c.db)
		require.NoError(t, err)
		wal, _ := os.ReadFile(c.db + "-wal")
		require.False(t, bytes.Contains(append(db, wal...), []byte(secret)), "a session cookie is stored in clear")
	}
	key, err := os.Stat(filepath.Join(filepath.Dir(c.db), "secret.key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), key.Mode().Perm())
}

// `unvite sandbox` serves until its context ends; another unvite talks to it
// over loopback, as two terminals would.
func TestSandboxCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	server := newCLI(t)
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--sent", "120", "--json"},
			env{stdin: strings.NewReader(""), stdout: pw, stderr: io.Discard, getenv: func(k string) string { return server.env[k] }})
		pw.Close()
		done <- code
	}()
	var info struct {
		URL     string `json:"url"`
		Members []struct {
			LiAt       string `json:"li_at"`
			JSESSIONID string `json:"jsessionid"`
		} `json:"members"`
	}
	require.NoError(t, json.NewDecoder(pr).Decode(&info))
	require.True(t, strings.HasPrefix(info.URL, "http://127.0.0.1:"), info.URL)
	require.Len(t, info.Members, 1)

	t.Setenv("UNVITE_LINKEDIN_URL", info.URL)
	t.Setenv("UNVITE_LINKEDIN_GAP", "0s")
	t.Setenv("UNVITE_LINKEDIN_JITTER", "0s")
	c := newCLI(t)
	r := c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=%s\n", info.Members[0].LiAt, info.Members[0].JSESSIONID), "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	r = c.run("", "sync")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `: \d+ added, 0 accepted, 0 gone, 0 unchanged; \d+ requests`, r.stdout)

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code, "a stopped sandbox exits cleanly")
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not shut down")
	}
	r = run0(t, "sandbox", "--addr", "0.0.0.0:0")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "loopback")
}

func run0(t *testing.T, args ...string) result {
	return newCLI(t).run("", args...)
}
