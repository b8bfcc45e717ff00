package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sandbox"
)

// `unvite serve` runs the dashboard and the engine in one process: a
// withdrawal confirmed in the dashboard is carried out by the same process
// against the sandbox, `unvite jobs` and /metrics see it, and cancelling
// (SIGINT/SIGTERM in main) stops both cleanly.
func TestServeWebAndEngine(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 5})
	member := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 80, Months: 4, Premium: true})
	serveSandbox(t, sb)
	c := newCLI(t)
	c.now = sb.Now()
	c.env["UNVITE_ADMIN_PASSWORD"] = "serve test password"
	r := c.run(fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", member.LiAt(), member.JSessionID()), "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")
	var pending []unvite.Invitation
	c.json(&pending, "invitations", "list", "--status", "pending")
	require.NotEmpty(t, pending)

	// Both parts off is refused.
	r = c.run("", "serve", "--no-web", "--no-worker")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "nothing to run")

	out, errs := &lines{feed: make(chan string, 16)}, &lines{feed: make(chan string, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--db", c.db, "serve", "--addr", "127.0.0.1:0", "--no-pacing"}, env{
			stdin: strings.NewReader(""), stdout: out, stderr: errs,
			getenv: func(k string) string { return c.env[k] }, now: func() time.Time { return c.now },
		})
	}()
	urlRE := regexp.MustCompile(`dashboard on (http://127\.0\.0\.1:\d+), running jobs`)
	var base string
	for base == "" {
		select {
		case l := <-errs.feed:
			if m := urlRE.FindStringSubmatch(l); m != nil {
				base = m[1]
			}
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, errs)
		case <-time.After(time.Minute):
			t.Fatalf("serve did not start within a minute: %s", errs)
		}
	}
	require.Contains(t, out.String(), `Created the dashboard user "admin" with the password you set.`)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Jar: jar}
	res, err := hc.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {"serve test password"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	// The confirmation, then the queue: through the engine's service.
	id := strconv.FormatInt(pending[0].ID, 10)
	form := url.Values{"action": {"withdraw"}, "id": {id}, "back": {"/invitations?status=pending"}}
	body := post(t, hc, base+"/invitations/actions", form)
	require.Contains(t, body, "Withdraw 1 invitation(s)?")
	require.Contains(t, body, "takes <strong>1 day(s)</strong>")
	member.SetFaults(sandbox.Faults{WithdrawReplyLost: 1}) // counted as an unexpected LinkedIn error
	form.Set("confirm", "yes")
	body = post(t, hc, base+"/invitations/actions", form)
	require.Contains(t, body, "Queued 1 withdrawal(s)")

	// The same process carries it out against the sandbox, settling the
	// lost reply on a retry: wait until it is recorded (read from /metrics,
	// which loopback may read).
	deadline := time.Now().Add(time.Minute)
	var metrics string
	for !strings.Contains(metrics, `unvite_withdrawals_total{outcome="withdrawn"} 1`) {
		require.True(t, time.Now().Before(deadline), "not withdrawn within a minute: %s", errs)
		time.Sleep(100 * time.Millisecond) // a poll of the recorded state, not a guess
		metrics = fetch(t, http.DefaultClient, base+"/metrics")
	}
	require.Len(t, sb.Withdrawn(member.Key()), 1)
	require.Equal(t, pending[0].Invitee.Slug, sb.Withdrawn(member.Key())[0].Slug)
	require.Contains(t, metrics, `unvite_withdrawals_total{outcome="withdrawn"} 1`)
	require.Regexp(t, `unvite_withdrawal_budget_left_today\{account="[^"]+",account_id="\d+"\} 29`, metrics)
	require.Contains(t, metrics, `unvite_syncs_total{result="ok"} 0`, "no sync ran in this process yet: the label is there at zero")
	require.Contains(t, metrics, `unvite_linkedin_errors_total{kind="rate_limited"} 0`)
	require.Regexp(t, `unvite_linkedin_errors_total\{kind="(unexpected|not_pending)"\} [1-9]`, metrics, "the lost reply")
	require.Contains(t, metrics, "unvite_pending_invitations")

	cancel() // SIGINT
	select {
	case code := <-done:
		require.Equal(t, 0, code, errs.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not stop within 2 minutes")
	}
	// Activity's source and `unvite jobs` agree: the job is done.
	jobs := c.ok("jobs", "--all")
	require.Regexp(t, `withdraw\s+completed\s+\d+\s+`+id, jobs)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) string {
	t.Helper()
	res, err := c.PostForm(u, form)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "POST %s: %s", u, b)
	return string(b)
}

// The real binary: `unvite serve` answers on the address it prints, and
// SIGTERM stops the dashboard and the engine gracefully (exit 0), freeing
// the database for the next serve.
func TestServeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildUnvite(t)
	c := newCLI(t)
	c.ok("import", "--name", "Maya Lindqvist", writeConnections(t))
	for round := range 2 {
		cmd := exec.Command(bin, "--db", c.db, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "HOME="+c.env["HOME"], "UNVITE_ADMIN_PASSWORD=sigterm test password")
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stderr)
		base := ""
		for base == "" && sc.Scan() {
			if m := regexp.MustCompile(`dashboard on (http://\S+),`).FindStringSubmatch(sc.Text()); m != nil {
				base = m[1]
			}
		}
		require.NotEmpty(t, base, "round %d: serve printed no address", round)
		go io.Copy(io.Discard, stderr)
		body := fetch(t, http.DefaultClient, base+"/readyz")
		require.Equal(t, "ready\n", body)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "round %d: serve exits 0 on SIGTERM", round)
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("round %d: serve did not stop within 2 minutes of SIGTERM", round)
		}
	}
}
