package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// pgDSN gives a DSN on a fresh schema of the test server: skipped when the
// server is absent (CI fails on any skip).
func pgDSN(t *testing.T) string {
	dsn := os.Getenv("UNVITE_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Skipf("PostgreSQL at %s not reachable (set UNVITE_TEST_POSTGRES): %v", dsn, err)
	}
	defer conn.Close(context.Background())
	schema := fmt.Sprintf("cli_%d", time.Now().UnixNano())
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// The same commands on PostgreSQL give the same figures as on SQLite.
func TestPostgresGivesTheSameFigures(t *testing.T) {
	zip := shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip")
	sheet := shared(t, "fixtures/tracking-sheet.csv")
	lite := newCLI(t)
	pg := newCLI(t)
	pg.db = pgDSN(t)
	for _, c := range []*cli{lite, pg} {
		c.ok("import", zip)
		c.ok("import", sheet)
	}
	for _, args := range [][]string{
		{"stats", "--as-of", "2026-11-20", "--json"},
		{"plan", "--as-of", "2026-11-20", "--json"},
		{"report", "--as-of", "2026-11-20", "--json"},
		{"invitations", "list", "--status", "pending", "--older-than", "60d", "--as-of", "2026-11-20", "--json"},
		{"export", "--format", "csv"},
		{"log", "--limit", "0"},
	} {
		require.Equal(t, lite.ok(args...), pg.ok(args...), "%v", args)
	}
}

// Reading commands on an empty schema create nothing in it.
func TestPostgresReadingCreatesNothing(t *testing.T) {
	dsn := pgDSN(t)
	c := newCLI(t)
	c.db = dsn
	r := c.run("", "stats")
	require.Equal(t, 1, r.code)
	require.Regexp(t, `^unvite: no database at \S+ \(schema "cli_\d+"\): import an export or add an account first\n$`, r.stderr)
	require.NotContains(t, r.stderr, "postgres://", "the address is shown without user or password")
	conn, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var tables int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables))
	require.Zero(t, tables)

	c.ok("import", "--name", "Maya Lind", writeConnections(t))
	require.Contains(t, c.ok("account", "list"), "Maya Lind")
}
