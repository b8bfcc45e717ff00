package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/exportgen"
)

// buildBinary builds the unvite command into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "unvite")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// writeExport writes an Invitations.csv of n rows of the generated owner;
// with badLast, its last line has a date no one can read.
func writeExport(t *testing.T, path string, n int, seed int64, badLast bool) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	require.NoError(t, exportgen.WriteInvitations(w, n, seed, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)))
	if badLast {
		fmt.Fprintf(w, "%s,Last Person,not a date,,OUTGOING,%s,https://www.linkedin.com/in/last-person\n", exportgen.AccountName, exportgen.AccountURL)
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// A big import that fails at its last line and a good import of the same
// owner, in two processes at once: the good one's rows all survive, and the
// failed one leaves nothing, not even its account.
func TestConcurrentImportsInTwoProcesses(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "unvite.db")
	big, good := filepath.Join(dir, "big_Invitations.csv"), filepath.Join(dir, "Invitations.csv")
	writeExport(t, big, 200_000, 1, true)
	writeExport(t, good, 900, 2, false)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	unvite := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
		return cmd
	}
	var badErr bytes.Buffer
	bad := unvite("import", "-q", big)
	bad.Stderr = &badErr
	require.NoError(t, bad.Start())
	badDone := make(chan error, 1)
	go func() { badDone <- bad.Wait() }()

	// Start the good import once the failing one is deep in its transaction.
	if err := waitWriting(t, db, badDone); err != nil {
		t.Fatalf("the big import ended before the second one could start: %v: %s", err, badErr.String())
	}
	var goodErr bytes.Buffer
	goodCmd := unvite("import", "--json", good)
	goodCmd.Stderr = &goodErr
	out, err := goodCmd.Output()
	require.NoError(t, err, "the good import: %s", goodErr.String())
	var sum struct {
		Account int64 `json:"account_id"`
		Rows    int   `json:"rows"`
		Added   int   `json:"added"`
	}
	require.NoError(t, json.Unmarshal(out, &sum))
	require.Equal(t, 900, sum.Added)

	badExit := <-badDone
	require.Error(t, badExit, "the big import fails at its last line")
	require.Contains(t, badErr.String(), "not a date")

	check, err := sql.Open("sqlite", "file:"+db)
	require.NoError(t, err)
	defer check.Close()
	var accounts, invitations int
	var name string
	require.NoError(t, check.QueryRow(`SELECT count(*), max(name), (SELECT count(*) FROM invitations) FROM accounts`).Scan(&accounts, &name, &invitations))
	require.Equal(t, 1, accounts, "one owner, one account")
	require.Equal(t, exportgen.AccountName, name)
	require.Equal(t, 900, invitations, "every row of the good import, none of the failed one")
}

// waitWriting returns once a process is deep in a write transaction on db:
// it holds SQLite's write lock and its rows fill the WAL. It returns the
// process's exit instead if it ends first.
func waitWriting(t *testing.T, db string, exited <-chan error) error {
	t.Helper()
	writing := func() bool {
		if st, err := os.Stat(db + "-wal"); err != nil || st.Size() < 4<<20 {
			return false
		}
		probe, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(0)&_txlock=immediate")
		require.NoError(t, err)
		defer probe.Close()
		tx, err := probe.Begin()
		if err != nil {
			return strings.Contains(err.Error(), "SQLITE_BUSY")
		}
		tx.Rollback()
		return false
	}
	for !writing() {
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		case <-time.After(5 * time.Millisecond): // polling for the state, not waiting for an outcome
		}
	}
	return nil
}

// kill -9 in the middle of a first import leaves no account behind.
func TestKilledImportLeavesNothing(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "unvite.db")
	big := filepath.Join(dir, "Invitations.csv")
	writeExport(t, big, 200_000, 1, false)
	cmd := exec.Command(bin, "--db", db, "import", "-q", big)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	require.NoError(t, waitWriting(t, db, done))
	require.NoError(t, cmd.Process.Kill())
	<-done

	out, err := exec.Command(bin, "--db", db, "account", "list", "--json").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.JSONEq(t, "[]", string(out), "no account from the killed import")
}

// The same two imports on PostgreSQL, where the failing one used to delete
// the account (and with it every row) of the one that succeeded.
func TestConcurrentImportsInTwoProcessesPostgres(t *testing.T) {
	dsn := pgDSN(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	big, good := filepath.Join(dir, "big_Invitations.csv"), filepath.Join(dir, "Invitations.csv")
	writeExport(t, big, 200_000, 1, true)
	writeExport(t, good, 900, 2, false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// The failing import names itself, so that its transaction can be seen.
	app := fmt.Sprintf("unvite-bad-%d", time.Now().UnixNano())
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	unvite := func(db string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
		return cmd
	}
	var badErr bytes.Buffer
	bad := unvite(u.String(), "import", "-q", big)
	bad.Stderr = &badErr
	require.NoError(t, bad.Start())
	badDone := make(chan error, 1)
	go func() { badDone <- bad.Wait() }()

	check, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer check.Close(context.Background())
	// Deep in its transaction: copying rows into its staging table.
	for copying := false; !copying; {
		require.NoError(t, check.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE application_name = $1 AND xact_start IS NOT NULL AND query ILIKE '%import_stage%')`, app).Scan(&copying))
		if copying {
			break
		}
		select {
		case err := <-badDone:
			t.Fatalf("the big import ended before the second one could start: %v: %s", err, badErr.String())
		case <-time.After(5 * time.Millisecond): // polling for the state, not waiting for an outcome
		}
	}
	var goodErr bytes.Buffer
	goodCmd := unvite(dsn, "import", "--json", good)
	goodCmd.Stderr = &goodErr
	out, err := goodCmd.Output()
	require.NoError(t, err, "the good import: %s", goodErr.String())
	var sum struct {
		Added int `json:"added"`
	}
	require.NoError(t, json.Unmarshal(out, &sum))
	require.Equal(t, 900, sum.Added)
	require.Error(t, <-badDone, "the big import fails at its last line")
	require.Contains(t, badErr.String(), "not a date")

	var accounts, invitations int
	require.NoError(t, check.QueryRow(ctx, `SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM invitations)`).Scan(&accounts, &invitations))
	require.Equal(t, 1, accounts, "one owner, one account")
	require.Equal(t, 900, invitations, "every row of the good import, none of the failed one")
}
