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
	"github.com/unvite/unvite/postgres"
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

// killRun is a database with queued withdrawals, the sandbox member they
// belong to, and the environment for unvite processes working it.
type killRun struct {
	t         *testing.T
	rng       *rand.Rand
	bin       string
	sb        *sandbox.Sandbox
	acct      *sandbox.Account
	url       string
	c         *cli
	env       []string
	chosen    map[string]bool
	untouched int
}

const killLimit, killQueued = 60, 80

func newKillRun(t *testing.T, db string) *killRun {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("UNVITE_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (UNVITE_KILL_SEED reproduces)", seed)
	k := &killRun{t: t, rng: rand.New(rand.NewPCG(seed, 1)), bin: buildUnvite(t), chosen: map[string]bool{}}
	k.sb = sandbox.New(sandbox.Options{Seed: seed})
	k.acct = k.sb.AddAccount(sandbox.AccountConfig{SentInvitations: 400, Months: 5, Premium: true})
	srv := httptest.NewServer(k.sb)
	t.Cleanup(srv.Close)
	k.url = srv.URL
	k.c = newCLI(t)
	if db != "" {
		k.c.db = db
	}
	for key, v := range map[string]string{"UNVITE_LINKEDIN_URL": srv.URL, "UNVITE_LINKEDIN_GAP": "0s", "UNVITE_LINKEDIN_JITTER": "0s"} {
		t.Setenv(key, v)
		k.c.env[key] = v
	}
	require.NoError(t, os.MkdirAll(filepath.Join(k.c.env["XDG_CONFIG_HOME"], "unvite"), 0o700))
	// Random server errors and lost replies are what this test survives;
	// the circuit breaker (max_failures) is tested in package engine, and
	// a run of them must not pause the account here.
	require.NoError(t, os.WriteFile(filepath.Join(k.c.env["XDG_CONFIG_HOME"], "unvite", "policy.toml"),
		[]byte(fmt.Sprintf("daily_limit = %d\nactive_hours = \"00:00-24:00\"\nmax_failures = 20\n", killLimit)), 0o600))
	r := k.c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", k.acct.LiAt(), k.acct.JSessionID()), "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	k.c.ok("sync")
	var pending []unvite.Invitation
	k.c.json(&pending, "invitations", "list", "--status", "pending")
	require.Greater(t, len(pending), killQueued+10)
	var args []string
	for _, i := range k.rng.Perm(len(pending))[:killQueued] {
		args = append(args, strconv.FormatInt(pending[i].ID, 10))
		k.chosen[pending[i].Invitee.Slug] = true
	}
	k.c.ok(append([]string{"withdraw", "--yes"}, args...)...)
	k.untouched = len(k.sb.PendingSent(k.acct.Key())) - killQueued
	k.env = os.Environ()
	for key, v := range k.c.env {
		k.env = append(k.env, key+"="+v)
	}
	return k
}

// serve starts `unvite serve` on the run's database.
func (k *killRun) serve(extra ...string) *exec.Cmd {
	cmd := exec.Command(k.bin, append([]string{"--db", k.c.db, "serve", "--no-pacing", "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Env = k.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(k.t, cmd.Start())
	return cmd
}

// faults sets lost replies, server errors and latency (which spreads the
// work over seconds, so that kills land in it) through the admin API.
func (k *killRun) faults() {
	setFaults(k.t, k.url, k.acct.Key(), map[string]any{"withdrawReplyLost": 1 + k.rng.IntN(2), "serverErrorRate": 0.15,
		"latency": fmt.Sprintf("%dms", 20+k.rng.IntN(80))})
}

func (k *killRun) withdrawn() int { return len(k.sb.Withdrawn(k.acct.Key())) }

// check compares the end state with the sandbox's own records: exactly
// queued invitations withdrawn, as many as the daily limit allows, none
// twice, nothing else touched, the store in agreement, every attempt
// closed and in the audit log.
func (k *killRun) check(s unvite.Store) {
	t := k.t
	withdrawn := k.sb.Withdrawn(k.acct.Key())
	require.Len(t, withdrawn, killLimit, "the daily limit held, and was used")
	seen := map[string]bool{}
	for _, w := range withdrawn {
		require.True(t, k.chosen[w.Slug], "%s was withdrawn but never queued", w.Slug)
		require.False(t, seen[w.Slug], "%s withdrawn twice", w.Slug)
		seen[w.Slug] = true
	}
	require.Len(t, k.sb.PendingSent(k.acct.Key()), k.untouched+killQueued-killLimit, "nothing else touched")

	ctx := context.Background()
	accts, err := s.Accounts(ctx)
	require.NoError(t, err)
	a := accts[0]
	invs, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusWithdrawn}})
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
	qs, err := s.Queued(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, qs, killQueued-killLimit, "the rest waits for tomorrow")
	atts, err := s.Attempts(ctx, a.ID)
	require.NoError(t, err)
	events, err := s.Events(ctx, unvite.EventFilter{AccountID: a.ID, Limit: 100000})
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

// A real `unvite serve` process, SIGKILLed at seeded random moments many
// times and restarted on the same SQLite file, with lost replies and server
// errors on the way: see killRun.check for what must hold in the end.
func TestServeSurvivesSIGKILL(t *testing.T) {
	k := newKillRun(t, "")
	kills := 0
	var progress []int
	for i := 0; i < 40 && (i < 12 || k.withdrawn() < killLimit); i++ {
		if i%4 == 0 {
			k.faults()
		}
		cmd := k.serve()
		if i == 1 {
			// A second serve on the same file says so and exits.
			waitLocked(t, k.c.db+".serve.lock")
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			second := exec.CommandContext(cctx, k.bin, "--db", k.c.db, "serve")
			second.Env = k.env
			out, err := second.CombinedOutput()
			cancel()
			require.Error(t, err)
			require.Contains(t, string(out), "another unvite serve is working")
		}
		time.Sleep(time.Duration(50+k.rng.IntN(1200)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		kills++
		progress = append(progress, k.withdrawn())
	}
	setFaults(t, k.url, k.acct.Key(), map[string]any{})
	cmd := k.serve("--until-idle")
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
	db, err := sqlite.Open(context.Background(), k.c.db)
	require.NoError(t, err)
	defer db.Close()
	k.check(db)
}

// Three `unvite serve` processes on one PostgreSQL database, one of them
// SIGKILLed at seeded random moments and restarted: the others carry on,
// River hands the killed one's jobs over, and the end state is as on SQLite.
func TestServeOnPostgresSurvivesSIGKILL(t *testing.T) {
	dsn := pgDSN(t)
	k := newKillRun(t, dsn)
	const timeout = "4s" // jobs of a killed process are taken over after 8s
	var steady []*exec.Cmd
	for range 2 {
		steady = append(steady, k.serve("--job-timeout", timeout))
	}
	defer func() {
		for _, c := range steady {
			c.Process.Signal(syscall.SIGTERM)
			c.Wait()
		}
	}()
	kills := 0
	var progress []int
	for i := 0; i < 10; i++ {
		if i%3 == 0 {
			k.faults()
		}
		cmd := k.serve("--job-timeout", timeout)
		time.Sleep(time.Duration(100+k.rng.IntN(1500)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		kills++
		progress = append(progress, k.withdrawn())
	}
	setFaults(t, k.url, k.acct.Key(), map[string]any{})
	s, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	defer s.Close()
	// The two steady processes finish the work, rescuing what the killed
	// one left running; done when nothing is in flight and the day is spent.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		n, err := s.CountInvitations(context.Background(), unvite.InvitationFilter{Statuses: []unvite.Status{unvite.StatusWithdrawing}})
		require.NoError(t, err)
		if n == 0 && k.withdrawn() >= killLimit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled: %d withdrawing, %d withdrawn; serve output: %s", n, k.withdrawn(), steady[0].Stdout)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("%d kills; withdrawn after each: %v", kills, progress)
	k.check(s)
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
