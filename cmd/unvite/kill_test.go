package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
)

// buildUnvite builds the binary once per test run.
func buildUnvite(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "unvite")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// setFaults sets an account's faults through the sandbox's admin API.
func setFaults(t *testing.T, url, account string, f map[string]any) {
	t.Helper()
	f["account"] = account
	b, err := json.Marshal(f)
	require.NoError(t, err)
	resp, err := http.Post(url+"/_sandbox/faults", "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// A real `unvite serve` process, SIGKILLed at seeded random moments many
// times and restarted on the same database, with lost replies and server
// errors on the way: in the end, by the sandbox's own records, exactly the
// queued invitations were withdrawn (as many as the daily limit allows),
// none twice, nothing else touched, and every attempt is in the audit log.
func TestServeSurvivesSIGKILL(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("UNVITE_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (UNVITE_KILL_SEED reproduces)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	bin := buildUnvite(t)

	sb := sandbox.New(sandbox.Options{Seed: seed})
	acct := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 400, Months: 5, Premium: true})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	c := newCLI(t)
	for k, v := range map[string]string{"UNVITE_LINKEDIN_URL": srv.URL, "UNVITE_LINKEDIN_GAP": "0s", "UNVITE_LINKEDIN_JITTER": "0s"} {
		t.Setenv(k, v)
		c.env[k] = v
	}
	const limit, queued = 60, 80
	require.NoError(t, os.MkdirAll(filepath.Join(c.env["XDG_CONFIG_HOME"], "unvite"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(c.env["XDG_CONFIG_HOME"], "unvite", "policy.toml"),
		[]byte(fmt.Sprintf("daily_limit = %d\nactive_hours = \"00:00-24:00\"\n", limit)), 0o600))
	r := c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", acct.LiAt(), acct.JSessionID()), "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")
	var pending []unvite.Invitation
	c.json(&pending, "invitations", "list", "--status", "pending")
	require.Greater(t, len(pending), queued+10)
	var args []string
	chosen := map[string]bool{}
	for _, i := range rng.Perm(len(pending))[:queued] {
		args = append(args, strconv.FormatInt(pending[i].ID, 10))
		chosen[pending[i].Invitee.Slug] = true
	}
	c.ok(append([]string{"withdraw", "--yes"}, args...)...)
	c.ok("account", "status") // the CLI is done with the file
	untouched := len(sb.PendingSent(acct.Key())) - queued

	env := os.Environ()
	for k, v := range c.env {
		env = append(env, k+"="+v)
	}
	serve := func(extra ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"--db", c.db, "serve", "--no-pacing", "--addr", "127.0.0.1:0"}, extra...)...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		return cmd
	}

	kills := 0
	var progress []int
	for i := 0; i < 40 && (i < 12 || len(sb.Withdrawn(acct.Key())) < limit); i++ {
		if i%4 == 0 {
			// Latency spreads the work over seconds, so that kills land in it.
			setFaults(t, srv.URL, acct.Key(), map[string]any{"withdrawReplyLost": 1 + rng.IntN(2), "serverErrorRate": 0.15,
				"latency": fmt.Sprintf("%dms", 20+rng.IntN(80))})
		}
		cmd := serve()
		if i == 1 {
			// A second serve on the same file says so and exits.
			waitLocked(t, c.db+".serve.lock")
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			second := exec.CommandContext(cctx, bin, "--db", c.db, "serve")
			second.Env = env
			out, err := second.CombinedOutput()
			cancel()
			require.Error(t, err)
			require.Contains(t, string(out), "another unvite serve is working")
		}
		time.Sleep(time.Duration(50+rng.IntN(1200)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		kills++
		progress = append(progress, len(sb.Withdrawn(acct.Key())))
	}
	setFaults(t, srv.URL, acct.Key(), map[string]any{})
	cmd := serve("--until-idle")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "final serve --until-idle: %s", cmd.Stdout)
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve --until-idle did not finish: %s", cmd.Stdout)
	}
	t.Logf("%d kills; withdrawn after each: %v", kills, progress)

	// The sandbox's own records.
	withdrawn := sb.Withdrawn(acct.Key())
	require.Len(t, withdrawn, limit, "the daily limit held, and was used")
	seen := map[string]bool{}
	for _, w := range withdrawn {
		require.True(t, chosen[w.Slug], "%s was withdrawn but never queued", w.Slug)
		require.False(t, seen[w.Slug], "%s withdrawn twice", w.Slug)
		seen[w.Slug] = true
	}
	require.Len(t, sb.PendingSent(acct.Key()), untouched+queued-limit, "nothing else touched")

	// The store agrees, and every attempt is in the audit log.
	db, err := sqlite.Open(context.Background(), c.db)
	require.NoError(t, err)
	defer db.Close()
	accts, err := db.Accounts(context.Background())
	require.NoError(t, err)
	a := accts[0]
	invs, err := db.Invitations(context.Background(), unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusWithdrawn}})
	require.NoError(t, err)
	var storeSlugs, sbSlugs []string
	for _, inv := range invs {
		storeSlugs = append(storeSlugs, inv.Invitee.Slug)
	}
	for _, w := range withdrawn {
		sbSlugs = append(sbSlugs, w.Slug)
	}
	slices.Sort(storeSlugs)
	slices.Sort(sbSlugs)
	require.Equal(t, sbSlugs, storeSlugs)
	qs, err := db.Queued(context.Background(), a.ID)
	require.NoError(t, err)
	require.Len(t, qs, queued-limit, "the rest waits for tomorrow")
	atts, err := db.Attempts(context.Background(), a.ID)
	require.NoError(t, err)
	events, err := db.Events(context.Background(), unvite.EventFilter{AccountID: a.ID, Limit: 100000})
	require.NoError(t, err)
	for _, at := range atts {
		require.NotEmpty(t, at.Outcome, "attempt %s left open", at.ID)
		var rows []string
		for _, ev := range events {
			if ev.InvitationID == at.InvitationID && strings.HasPrefix(ev.Reason, "attempt "+at.ID) {
				rows = append(rows, string(ev.From)+">"+string(ev.To))
			}
		}
		require.Contains(t, rows, "pending>withdrawing", "attempt %s claimed in the log", at.ID)
		require.Len(t, rows, 2, "attempt %s: claim and outcome in the log: %v", at.ID, rows)
	}
}

// waitLocked waits until some process holds the serve lock at path.
func waitLocked(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
			err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
			f.Close() // releases ours, if we got it
			if err != nil {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("serve never took its lock")
}
