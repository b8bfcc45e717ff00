package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cli runs unvite in-process against one database file, as a user would.
type cli struct {
	t   *testing.T
	db  string
	env map[string]string
	now time.Time
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
		{"policy", "show", "--help"}, {"policy", "check", "--help"}, {"account", "add", "--help"}, {"sync", "--help"},
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
	for _, cmd := range []string{"plan", "stats", "reconnect"} {
		r := c.run("", cmd)
		require.Equal(t, 1, r.code)
		require.Equal(t, "unvite: no account yet: run `unvite import <export.zip>` or `unvite account add`\n", r.stderr)
	}
}
