package main

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// `unvite migrate` creates and migrates a database, --status shows where it
// stands and changes nothing, and a database a newer release migrated is
// refused by migrate and warned of by serve, on SQLite and on PostgreSQL.
func TestMigrate(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			c := newCLI(t)
			exec := func(q string, args ...any) {
				db, err := sql.Open("sqlite", c.db)
				require.NoError(t, err)
				defer db.Close()
				_, err = db.Exec(q, args...)
				require.NoError(t, err)
			}
			if kind == "postgres" {
				c.db = pgDSN(t)
				exec = func(q string, args ...any) {
					conn, err := pgx.Connect(context.Background(), c.db)
					require.NoError(t, err)
					defer conn.Close(context.Background())
					_, err = conn.Exec(context.Background(), q, args...)
					require.NoError(t, err)
				}
			}
			r := c.run("", "migrate", "--status")
			require.Equal(t, 1, r.code)
			require.Contains(t, r.stderr, "no database at")

			out := c.ok("migrate")
			require.Regexp(t, `^.+\n  unvite schema: created at version \d+\n  River job tables: created at version \d+\n$`, out)
			var st unvite.SchemaStatus
			c.json(&st, "migrate", "--status")
			require.Len(t, st.Parts, 2)
			for _, p := range st.Parts {
				require.Positive(t, p.Version, p.Name)
				require.Equal(t, p.Latest, p.Version, p.Name)
				require.Empty(t, p.Pending, p.Name)
			}
			up := fmt.Sprintf("%s\n  unvite schema: version %d, up to date\n  River job tables: version %d, up to date\n", st.Database, st.Parts[0].Version, st.Parts[1].Version)
			require.Equal(t, up, c.ok("migrate"))
			require.Equal(t, up, c.ok("migrate", "--status"))
			require.NotContains(t, st.Database, "postgres://", "the address is shown without user or password")

			// A newer release's migration.
			exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, st.Parts[0].Latest+1)
			r = c.run("", "migrate")
			require.Equal(t, 1, r.code)
			require.Equal(t, fmt.Sprintf("unvite: %s: the unvite schema is at version %d, newer than this unvite knows (%d): a newer release migrated it; upgrade unvite\n",
				st.Database, st.Parts[0].Latest+1, st.Parts[0].Latest), r.stderr)
			require.Contains(t, c.ok("migrate", "--status"), fmt.Sprintf("unvite schema: version %d, newer than this unvite knows (%d): upgrade unvite\n", st.Parts[0].Latest+1, st.Parts[0].Latest))
			r = c.run("", "serve", "--until-idle")
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stderr, "a newer release of unvite migrated this database: upgrade unvite")
		})
	}
}
