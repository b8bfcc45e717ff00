package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
)

// cli runs unvite in-process against one database file, as a user would.
type cli struct {
	t   *testing.T
	db  string
	env map[string]string
	now time.Time
}

// serveSandbox serves sb over loopback and points the commands at it,
// unpaced (kong reads the flags' environment from the process).
func serveSandbox(t *testing.T, sb *sandbox.Sandbox) {
	t.Helper()
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	t.Setenv("UNVITE_LINKEDIN_URL", srv.URL)
	t.Setenv("UNVITE_LINKEDIN_GAP", "0s")
	t.Setenv("UNVITE_LINKEDIN_JITTER", "0s")
}

func newCLI(t *testing.T) *cli {
	dir := t.TempDir()
	return &cli{t: t, db: filepath.Join(dir, "unvite.db"), env: map[string]string{
		"HOME": dir, "XDG_DATA_HOME": filepath.Join(dir, "data"), "XDG_CONFIG_HOME": filepath.Join(dir, "config"),
	}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return c.env[k] }}
	if !c.now.IsZero() {
		e.now = func() time.Time { return c.now }
	}
	code := run(context.Background(), append([]string{"--db", c.db}, args...), e)
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run("", args...)
	require.Equal(c.t, 0, r.code, "unvite %v failed: %s", args, r.stderr)
	return r.stdout
}

func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	require.NoError(c.t, json.Unmarshal([]byte(c.ok(append(args, "--json")...)), v), "unvite %v --json", args)
}

// shared finds ../shared beside the repository: skipped when absent (CI
// fails on any skip).
func shared(t *testing.T, rel string) string {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	p := filepath.Join(filepath.Dir(dir), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared fixture %s not found: these tests need the team's ../shared folder beside the checkout (see README)", p)
	}
	return p
}

func TestHelpForEveryCommand(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"--help"}, {"import", "--help"}, {"invitations", "list", "--help"}, {"plan", "--help"}, {"stats", "--help"},
		{"reconnect", "--help"}, {"export", "--help"}, {"tag", "--help"}, {"protect", "--help"}, {"log", "--help"},
		{"policy", "show", "--help"}, {"policy", "check", "--help"}, {"policy", "set", "--help"}, {"account", "add", "--help"}, {"sync", "--help"},
		{"sandbox", "--help"},
	} {
		r := c.run("", args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		require.Contains(t, r.stdout, "Usage: unvite", "%v", args)
	}
	r := c.run("", "frobnicate")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "unexpected argument frobnicate")
}

func TestNoAccountYet(t *testing.T) {
	c := newCLI(t)
	db, err := sqlite.Open(context.Background(), c.db) // a database, no account
	require.NoError(t, err)
	db.Close()
	for _, cmd := range []string{"plan", "stats", "reconnect"} {
		r := c.run("", cmd)
		require.Equal(t, 1, r.code)
		require.Equal(t, "unvite: no account yet: run `unvite import <export.zip>` or `unvite account add`\n", r.stderr)
	}
}

// Commands that read create nothing: no directory, no database file, and
// no database inside an existing file that is not one.
func TestReadingCreatesNothing(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(filepath.Dir(c.db), "new", "dir")
	c.db = filepath.Join(dir, "x.db")
	for _, args := range [][]string{{"stats"}, {"plan"}, {"invitations", "list"}, {"account", "list"}, {"log"}, {"export"}, {"reconnect"}} {
		r := c.run("", args...)
		require.Equal(t, 1, r.code, "%v", args)
		require.Equal(t, "unvite: no database at "+c.db+": import an export or add an account first\n", r.stderr, "%v", args)
		require.NoDirExists(t, filepath.Dir(dir), "%v", args)
	}

	empty := filepath.Join(t.TempDir(), "empty.csv")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	c.db = empty
	r := c.run("", "stats")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "no database at "+empty)
	st, err := os.Stat(empty)
	require.NoError(t, err)
	require.Zero(t, st.Size(), "the empty file is left as it was")
	require.NoFileExists(t, empty+"-wal")

	csv := filepath.Join(t.TempDir(), "notes.csv")
	require.NoError(t, os.WriteFile(csv, []byte("a,b\n1,2\n"), 0o600))
	c.db = csv
	r = c.run("", "stats")
	require.Equal(t, 1, r.code)
	require.Equal(t, "unvite: "+csv+" is not an unvite database (not a SQLite file)\n", r.stderr)

	// Another program's SQLite database: neither read nor filled.
	other := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", other)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE notes (body TEXT)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	c.db = other
	for _, args := range [][]string{{"stats"}, {"import", "--name", "Maya Lind", writeConnections(t)}, {"migrate"}} {
		r = c.run("", args...)
		require.Equal(t, 1, r.code, "%v", args)
		require.Equal(t, "unvite: "+other+" is not an unvite database (a SQLite database of something else): choose another file with --db\n", r.stderr, "%v", args)
	}

	// Importing into an account named creates nothing either: it must exist.
	c.db = filepath.Join(dir, "x.db")
	r = c.run("", "import", "--account", "maya", writeConnections(t))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "no database at "+c.db)
	require.NoDirExists(t, filepath.Dir(dir))

	// Bringing data in creates the database, directory and all.
	c.ok("import", "--name", "Maya Lind", writeConnections(t))
	require.FileExists(t, c.db)
	require.Contains(t, c.ok("account", "list"), "Maya Lind")
}

// writeConnections writes a small Connections.csv.
func writeConnections(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "Connections.csv")
	require.NoError(t, os.WriteFile(p, []byte("Notes:\n\"When exporting your connection data, you may notice...\"\n\n"+
		"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"+
		"Ann,Lee,https://www.linkedin.com/in/ann-lee,,Acme,CTO,03 Nov 2026\n"), 0o600))
	return p
}
