package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lines is an io.Writer that hands each complete line to a channel, so a
// test can wait for what a running command prints.
type lines struct {
	mu   sync.Mutex
	buf  strings.Builder
	all  strings.Builder
	feed chan string
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	l.buf.Write(p)
	for {
		s := l.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		select {
		case l.feed <- s[:i]:
		default: // nobody waits any more
		}
		l.buf.Reset()
		l.buf.WriteString(s[i+1:])
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// TestDemo runs `unvite demo` in-process on a free port, as a newcomer's
// first command: it waits for the URL and the generated password, for
// /readyz and the login page, signs in and finds the seeded account on the
// overview; Ctrl-C (the context) stops everything and removes the
// temporary data directory.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo seeds, imports and syncs 1,200 invitations")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the demo's temporary directory goes here
	d := startDemo(t, tmp)
	base, password := d.base, d.password
	require.NotEmpty(t, password, "the generated admin password is printed once")

	res, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	body := fetch(t, c, base+"/login")
	require.Contains(t, body, `name="password"`)

	res, err = c.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {password}})
	require.NoError(t, err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode) // followed to the overview
	require.Contains(t, string(page), "Maya Lindqvist", "the overview shows the seeded account")
	require.NotContains(t, string(page), `name="password"`, "signed in, not sent back to the login page")

	// The demo's data: pending, accepted and gone invitations, some tagged.
	for _, q := range []string{"status=pending", "status=accepted", "status=gone", "tag=conference"} {
		body := fetch(t, c, base+"/invitations?"+q)
		require.Contains(t, body, "Showing 1–", "invitations with %s", q)
	}

	// The command line is told where the demo's database and policy are.
	envRE := regexp.MustCompile(`export UNVITE_DB=(\S+) UNVITE_POLICY=(\S+) UNVITE_LINKEDIN_URL=http://127\.0\.0\.1:\d+\n`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil; m = envRE.FindStringSubmatch(d.out.String()) {
		require.True(t, time.Now().Before(deadline), "the demo says how to reach it from the command line:\n%s", d.out)
		time.Sleep(10 * time.Millisecond) // the line follows the "ready" one
	}
	cl := &cli{t: t, db: m[1], env: map[string]string{"HOME": tmp}}
	require.Contains(t, cl.ok("policy", "show", "--policy", m[2]), "between 00:00 and 24:00", "the demo's own policy")
	cl.ok("jobs", "--policy", m[2])

	dirs, err := os.ReadDir(tmp)
	require.NoError(t, err)
	var demoDir string
	for _, e := range dirs {
		if strings.HasPrefix(e.Name(), "unvite-demo-") {
			demoDir = e.Name()
		}
	}
	require.NotEmpty(t, demoDir, "the demo keeps its data in a temporary directory")

	d.stop(t) // Ctrl-C
	_, err = os.Stat(tmp + "/" + demoDir)
	require.ErrorIs(t, err, os.ErrNotExist, "the temporary data directory is removed on exit")
}

func fetch(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "GET %s: %s", u, b)
	return string(b)
}

// demoRun is a demo started in-process.
type demoRun struct {
	base, password string
	cancel         context.CancelFunc
	done           chan int
	out, stderr    *lines
}

func startDemo(t *testing.T, home string, args ...string) *demoRun {
	t.Helper()
	out := &lines{feed: make(chan string, 64)}
	d := &demoRun{done: make(chan int, 1), out: out, stderr: &lines{feed: make(chan string)}}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	t.Cleanup(cancel)
	go func() {
		d.done <- run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0", "--quiet"}, args...), env{
			stdin: strings.NewReader(""), stdout: out, stderr: d.stderr,
			getenv: func(k string) string {
				if k == "HOME" {
					return home
				}
				return ""
			},
		})
	}()
	urlRE := regexp.MustCompile(`open (http://127\.0\.0\.1:\d+) and sign in as "admin"`)
	deadline := time.After(3 * time.Minute)
	wantPassword := false
	for d.base == "" {
		select {
		case l := <-out.feed:
			if wantPassword && strings.TrimSpace(l) != "" {
				d.password, wantPassword = strings.TrimSpace(l), false
			}
			if strings.Contains(l, "with the password") {
				wantPassword = true
			}
			if m := urlRE.FindStringSubmatch(l); m != nil {
				d.base = m[1]
			}
		case code := <-d.done:
			t.Fatalf("demo exited with %d before it was ready:\n%s\n%s", code, out, d.stderr)
		case <-deadline:
			t.Fatalf("demo not ready after 3 minutes:\n%s\n%s", out, d.stderr)
		}
	}
	return d
}

func (d *demoRun) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		require.Equal(t, 0, code, "demo stops cleanly:\n%s", d.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatal("demo did not stop within 2 minutes of Ctrl-C")
	}
}

// A kept --data directory starts again as it was left: the same sandbox
// network, nothing withdrawn coming back, no invitation turned gone or
// added by the second run's sync. (Before the first start was recorded,
// the second run's sandbox was a new network: the sync marked the kept
// pending invitations gone and added as many new ones.)
func TestDemoKeptData(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo seeds, imports and syncs 1,200 invitations")
	}
	home, data := t.TempDir(), filepath.Join(t.TempDir(), "demo")
	counts := func() string {
		c := &cli{t: t, db: filepath.Join(data, "unvite.db"), env: map[string]string{"HOME": home}}
		return c.ok("stats", "--policy", filepath.Join(data, "policy.toml"))
	}
	d := startDemo(t, home, "--data", data)
	d.stop(t)
	first := counts()
	require.Contains(t, first, "gone")
	d = startDemo(t, home, "--data", data)
	d.stop(t)
	second := counts()
	require.Equal(t, first[:strings.Index(first, "Pending against")], second[:strings.Index(second, "Pending against")],
		"the second run changed the kept inventory")
}

func TestShellWord(t *testing.T) {
	require.Equal(t, "/tmp/unvite-demo-1/unvite.db", shellWord("/tmp/unvite-demo-1/unvite.db"))
	require.Equal(t, "http://127.0.0.1:8321", shellWord("http://127.0.0.1:8321"))
	require.Equal(t, `'/home/a b/it'\''s'`, shellWord("/home/a b/it's"))
	require.Equal(t, "''", shellWord(""))
}
